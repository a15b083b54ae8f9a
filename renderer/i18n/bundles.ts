/**
 * Every translation file, one per area of the app and locale. Each area owns its own pair of files
 * (en/<area>.json, zh-CN/<area>.json) under its own top-level key; they are merged here.
 */
import enCore from './en/core.json' with { type: 'json' };
import zhCore from './zh-CN/core.json' with { type: 'json' };
import enAuth from './en/auth.json' with { type: 'json' };
import zhAuth from './zh-CN/auth.json' with { type: 'json' };
import enCounter from './en/counter.json' with { type: 'json' };
import zhCounter from './zh-CN/counter.json' with { type: 'json' };
import enPrinting from './en/printing.json' with { type: 'json' };
import zhPrinting from './zh-CN/printing.json' with { type: 'json' };
import enAdjust from './en/adjust.json' with { type: 'json' };
import zhAdjust from './zh-CN/adjust.json' with { type: 'json' };
import enIncidents from './en/incidents.json' with { type: 'json' };
import zhIncidents from './zh-CN/incidents.json' with { type: 'json' };
import enSettings from './en/settings.json' with { type: 'json' };
import zhSettings from './zh-CN/settings.json' with { type: 'json' };
import enSetup from './en/setup.json' with { type: 'json' };
import zhSetup from './zh-CN/setup.json' with { type: 'json' };
import enDatadir from './en/datadir.json' with { type: 'json' };
import zhDatadir from './zh-CN/datadir.json' with { type: 'json' };

type Tree = { [key: string]: string | Tree };

export const bundles: Record<'en' | 'zh-CN', Tree[]> = {
  en: [enCore, enAuth, enCounter, enPrinting, enAdjust, enIncidents, enSettings, enSetup, enDatadir],
  'zh-CN': [zhCore, zhAuth, zhCounter, zhPrinting, zhAdjust, zhIncidents, zhSettings, zhSetup, zhDatadir],
};

function merge(target: Tree, source: Tree): Tree {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (typeof value === 'object' && typeof existing === 'object') merge(existing, value);
    else target[key] = typeof value === 'object' ? merge({}, value) : value;
  }
  return target;
}

export function mergedTranslations(locale: 'en' | 'zh-CN'): Tree {
  return bundles[locale].reduce<Tree>((acc, tree) => merge(acc, tree), {});
}
