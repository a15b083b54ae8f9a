import { useTranslation } from 'react-i18next';
import { LOCALES } from '../store/appStore.js';
import type { Locale } from '../store/appStore.js';
import { useAppStore } from '../store/context.js';

export function LocaleSwitch() {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const setLocale = useAppStore((s) => s.setLocale);
  return (
    <label className="locale-switch">
      <span className="visually-hidden">{t('locale.label')}</span>
      <select
        data-testid="locale-switch"
        value={locale}
        aria-label={t('locale.label')}
        onChange={(e) => setLocale(e.target.value as Locale)}
      >
        {LOCALES.map((l) => (
          // Each language is named in itself, whatever the current language.
          <option key={l} value={l} lang={l}>
            {t(`locale.names.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
