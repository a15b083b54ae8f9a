import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ChargeStatus } from '../../electron/contract/schemas.js';
import type { HistoryForm, HistoryFormError } from '../store/history.js';
import { EMPTY_HISTORY_FORM } from '../store/history.js';

interface Props {
  form: HistoryForm;
  errors: HistoryFormError[];
  currency: string;
  onChange: (form: HistoryForm) => void;
}

function errorText(t: TFunction, error: HistoryFormError): string {
  const field = error.field === 'minAmount' || error.field === 'maxAmount' ? `${t(`history.${error.field}`)}: ` : '';
  return field + t(error.code, 'max' in error && error.max !== undefined ? { max: error.max } : {});
}

export function HistoryFilters({ form, errors, currency, onChange }: Props) {
  const { t } = useTranslation();
  const set = <K extends keyof HistoryForm>(key: K, value: HistoryForm[K]) => onChange({ ...form, [key]: value });
  const invalid = (field: HistoryFormError['field']) => (errors.some((e) => e.field === field) ? true : undefined);

  return (
    <div className="filters-wrap">
      <form className="filters" role="search" aria-label={t('history.filtersLabel')} onSubmit={(e) => e.preventDefault()}>
        <label className="field">
          <span className="field__label">{t('history.status')}</span>
          <select
            className="input"
            data-testid="history-status"
            value={form.status}
            onChange={(e) => set('status', e.target.value as HistoryForm['status'])}
          >
            <option value="">{t('history.allStatuses')}</option>
            {ChargeStatus.options.map((status) => (
              <option key={status} value={status}>
                {t(`status.${status}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field field--check">
          <input
            type="checkbox"
            data-testid="history-flagged"
            checked={form.flaggedOnly}
            onChange={(e) => set('flaggedOnly', e.target.checked)}
          />
          <span className="field__label">{t('history.flaggedOnly')}</span>
        </label>
        <label className="field">
          <span className="field__label">{t('history.last4')}</span>
          <input
            className="input input--short"
            data-testid="history-last4"
            inputMode="numeric"
            maxLength={4}
            autoComplete="off"
            value={form.last4}
            aria-invalid={invalid('last4')}
            onChange={(e) => set('last4', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('history.fromDate')}</span>
          <input
            type="date"
            className="input"
            data-testid="history-from"
            value={form.fromDate}
            aria-invalid={invalid('dates')}
            onChange={(e) => set('fromDate', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('history.toDate')}</span>
          <input
            type="date"
            className="input"
            data-testid="history-to"
            value={form.toDate}
            aria-invalid={invalid('dates')}
            onChange={(e) => set('toDate', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('history.minAmountIn', { currency })}</span>
          <input
            className="input input--amount"
            data-testid="history-min"
            inputMode="decimal"
            autoComplete="off"
            value={form.minAmount}
            aria-invalid={invalid('minAmount') ?? invalid('amounts')}
            onChange={(e) => set('minAmount', e.target.value)}
          />
        </label>
        <label className="field">
          <span className="field__label">{t('history.maxAmountIn', { currency })}</span>
          <input
            className="input input--amount"
            data-testid="history-max"
            inputMode="decimal"
            autoComplete="off"
            value={form.maxAmount}
            aria-invalid={invalid('maxAmount') ?? invalid('amounts')}
            onChange={(e) => set('maxAmount', e.target.value)}
          />
        </label>
        <button type="button" className="button button--ghost" data-testid="history-reset" onClick={() => onChange(EMPTY_HISTORY_FORM)}>
          {t('history.clear')}
        </button>
      </form>
      {errors.length > 0 && (
        <ul className="filters__errors" data-testid="history-filter-error" role="alert">
          {errors.map((error) => (
            <li key={error.field}>{errorText(t, error)}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
