import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ChargeStatus, EntryMode, FlagKind } from '../../../electron/contract/schemas.js';
import { mergedTranslations } from '../../../renderer/i18n/bundles.js';
import { FLAG_SENTENCE_KEYS, KNOWN_ERROR_CODES } from '../../../renderer/i18n/translate.js';
import { LOCALES } from '../../../renderer/store/appStore.js';

type Tree = { [key: string]: string | Tree };

/** Leaf paths as i18next resolves them ("errors" keys contain dots themselves). */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const locales: Record<string, Map<string, string>> = {
  en: flatten(mergedTranslations('en') as Tree),
  'zh-CN': flatten(mergedTranslations('zh-CN') as Tree),
};
const enKeys = locales.en!;

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!).sort();
}

describe('locale files', () => {
  it('cover every supported locale', () => {
    expect(Object.keys(locales).sort()).toEqual([...LOCALES].sort());
  });

  it('have exactly the same nested keys', () => {
    const zhKeys = locales['zh-CN']!;
    expect([...zhKeys.keys()].filter((k) => !enKeys.has(k))).toEqual([]);
    expect([...enKeys.keys()].filter((k) => !zhKeys.has(k))).toEqual([]);
  });

  it('have no empty values and no non-string leaves', () => {
    for (const [locale, keys] of Object.entries(locales)) {
      for (const [key, value] of keys) expect(value.trim(), `${locale}: ${key}`).not.toBe('');
    }
  });

  it('use the same placeholders in both languages', () => {
    for (const [key, value] of enKeys) {
      expect(placeholders(locales['zh-CN']!.get(key) ?? ''), key).toEqual(placeholders(value));
    }
  });

  it('zh-CN is real Chinese, not copied English', () => {
    const zh = locales['zh-CN']!;
    expect(zh.get('counter.confirm')).toBe('确认');
    expect(zh.get('status.pending')).toBe('待确认');
    expect(zh.get('status.voided')).toBe('已撤销');
    expect(zh.get('status.refunded')).toBe('已退货');
    const hasLatinWords = (v: string) => /[A-Za-z]/.test(v.replace(/\{\{\w+\}\}/g, ''));
    const same = [...enKeys].filter(([k, v]) => zh.get(k) === v && hasLatinWords(v)).map(([k]) => k);
    // Only names that are the same in any language may match.
    expect(same.sort()).toEqual(['app.name', 'locale.names.en']);
  });
});

describe('keys used by the code exist', () => {
  const families: string[] = [
    ...ChargeStatus.options.map((s) => `status.${s}`),
    ...EntryMode.options.map((m) => `entryMode.${m}`),
    ...FlagKind.options.flatMap((k) => [`flags.${k}.title`, `flags.${k}.general`]),
    ...FLAG_SENTENCE_KEYS,
    ...KNOWN_ERROR_CODES.map((c) => `errors.${c}`),
    ...LOCALES.map((l) => `locale.names.${l}`),
    ...['empty', 'invalid', 'negative', 'too_many_decimals', 'too_large', 'not_positive'].map((c) => `money.${c}`),
    ...['last4', 'dates', 'amounts'].map((c) => `history.error.${c}`),
    ...['charges', 'pending', 'confirmed', 'flagged'].map((r) => `today.${r}`),
    'notices.unknown',
  ];

  it.each(families)('%s', (key) => {
    expect(enKeys.has(key)).toBe(true);
  });

  it('every literal t("…") key in renderer/ exists', () => {
    const root = fileURLToPath(new URL('../../../renderer/', import.meta.url));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.tsx?$/.test(name)) files.push(path);
      }
    };
    walk(root);
    const used = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([^']+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(40);
    expect([...used].filter((key) => !enKeys.has(key))).toEqual([]);
  });

  it('general flag sentences need no params (they are the fallback)', () => {
    for (const kind of FlagKind.options) expect(placeholders(enKeys.get(`flags.${kind}.general`)!)).toEqual([]);
  });
});
