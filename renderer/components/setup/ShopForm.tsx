import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import { ShopProfile } from '../../../electron/contract/commands/setup.js';
import { LOCALES } from '../../store/appStore.js';
import type { Locale } from '../../store/appStore.js';
import { useAppStore } from '../../store/context.js';
import { usePrinting } from '../../store/printingContext.js';
import { useSettings } from '../../store/settingsContext.js';
import { useSetup } from '../../store/setupContext.js';
import { describeSetupError } from './setupText.js';

type TextField = 'name' | 'address' | 'phone' | 'taxId';
const TEXT_FIELDS: readonly { field: TextField; max: number; wide?: boolean; inputMode?: 'tel' }[] = [
  { field: 'name', max: 40 },
  { field: 'address', max: 80, wide: true },
  { field: 'phone', max: 30, inputMode: 'tel' },
  { field: 'taxId', max: 30 },
];

/**
 * The shop's receipt header, currency and locale (the wizard's step and the Settings section).
 * `prefix` names the test ids: `<prefix>-name`, `<prefix>-save`…
 */
export function ShopForm({
  prefix,
  disabled = false,
  onSaved,
  onEditsChange,
}: {
  prefix: string;
  disabled?: boolean;
  onSaved?: () => void;
  /** Whether there are typed changes not saved yet (the wizard's "Next" then says it skips them). */
  onEditsChange?: (unsaved: boolean) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const setup = useSetup((s) => s.setup);
  const saveShop = useSetup((s) => s.saveShop);
  const uiLocale = useAppStore((s) => s.locale);
  const setLocale = useAppStore((s) => s.setLocale);
  const reloadPrinters = usePrinting((s) => s.load);
  const refreshHead = useSettings((s) => s.refreshHead);
  const [edits, setEdits] = useState<Partial<ShopProfile>>({});
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const unsaved = Object.keys(edits).length > 0;
  useEffect(() => onEditsChange?.(unsaved), [unsaved, onEditsChange]);

  if (!setup) return <p className="muted">{t('common.loading')}</p>;
  // Never saved: start from the language the screen is in.
  const base: ShopProfile = setup.shopSaved ? setup.shop : { ...setup.shop, locale: uiLocale };
  const value: ShopProfile = { ...base, ...edits };
  const dirty = Object.keys(edits).length > 0 || !setup.shopSaved;
  const set = (patch: Partial<ShopProfile>) => {
    setEdits((e) => ({ ...e, ...patch }));
    setSaved(false);
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    // Checked here first so the message names the field (the core checks the same schema again).
    const checked = ShopProfile.safeParse(value);
    if (!checked.success) {
      const field = String(checked.error.issues[0]?.path[0] ?? 'name');
      setError({ code: 'setup.shop.invalid', message: checked.error.issues[0]?.message ?? '', params: { field } });
      // Straight to the field to correct.
      document.querySelector<HTMLElement>(`[data-testid="${prefix}-${field}"]`)?.focus();
      return;
    }
    setBusy(true);
    const failure = await saveShop(value);
    setBusy(false);
    setError(failure);
    if (failure) return;
    setEdits({});
    setSaved(true);
    if (value.locale !== uiLocale) setLocale(value.locale as Locale);
    void reloadPrinters();
    void refreshHead();
    onSaved?.();
  }

  return (
    <form className="setup-form" onSubmit={(e) => void submit(e)} aria-describedby={`${id}-hint`}>
      <div className="setup-form__grid">
        {TEXT_FIELDS.map(({ field, max, wide, inputMode }) => (
          <label key={field} className={wide ? `field setup-form__wide setup-form__${field}` : 'field'}>
            <span className="field__label">{t(`setup.shop.${field}`)}</span>
            <input
              className="input"
              data-testid={`${prefix}-${field}`}
              value={value[field]}
              maxLength={max}
              inputMode={inputMode}
              disabled={disabled}
              aria-invalid={error?.params?.field === field ? true : undefined}
              onChange={(e) => set({ [field]: e.target.value })}
            />
          </label>
        ))}
        <label className="field">
          <span className="field__label">{t('setup.shop.currency')}</span>
          <select className="input" data-testid={`${prefix}-currency`} value={value.currency} disabled={disabled} onChange={(e) => set({ currency: e.target.value })}>
            {setup.currencies.map((c) => (
              <option key={c.numeric} value={c.numeric}>
                {c.alpha} ({c.numeric})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('setup.shop.locale')}</span>
          <select className="input" data-testid={`${prefix}-locale`} value={value.locale} disabled={disabled} onChange={(e) => set({ locale: e.target.value as Locale })}>
            {LOCALES.map((l) => (
              <option key={l} value={l} lang={l}>
                {t(`locale.names.${l}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p id={`${id}-hint`} className="muted">
        {t('setup.shop.currencyHint')}
      </p>
      <div className="setup-form__actions">
        <button type="submit" className="button button--secondary" data-testid={`${prefix}-save`} disabled={disabled || busy || !dirty}>
          {onSaved ? t('setup.shop.saveAndNext') : t('setup.shop.save')}
        </button>
        {saved && (
          <span role="status" data-testid={`${prefix}-saved`}>
            {t('setup.shop.saved')}
          </span>
        )}
      </div>
      {error && (
        <p className="setup-form__error" role="alert" data-testid={`${prefix}-error`} data-code={error.code}>
          {error.code === 'setup.shop.invalid' ? t(`setup.shop.invalid.${error.params?.field ?? 'name'}`) : describeSetupError(t, error)}
        </p>
      )}
    </form>
  );
}
