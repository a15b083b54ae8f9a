/** i18next setup: both locales bundled, switched without reload, the choice kept in localStorage. */
import i18next from 'i18next';
import type { i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../store/appStore.js';
import { LOCALES } from '../store/appStore.js';
import { mergedTranslations } from './bundles.js';

export const LOCALE_STORAGE_KEY = 'countersign.locale';

export const resources = {
  en: { translation: mergedTranslations('en') },
  'zh-CN': { translation: mergedTranslations('zh-CN') },
} as const;

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** Stored choice, else the browser's language (any Chinese → zh-CN), else English. */
export function detectLocale(): Locale {
  try {
    const stored = globalThis.localStorage?.getItem(LOCALE_STORAGE_KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // storage blocked: fall through
  }
  const languages = globalThis.navigator?.languages ?? [];
  return languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function createI18n(locale: Locale): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: locale,
    fallbackLng: 'en',
    supportedLngs: [...LOCALES],
    initAsync: false,
    // React escapes text; escaping here would double-escape.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

/** Switch language in place and remember it. */
export function applyLocale(instance: I18n, locale: Locale): void {
  void instance.changeLanguage(locale);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
  try {
    globalThis.localStorage?.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // storage blocked: the choice lasts for this session only
  }
}
