import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FlagCause } from '../../../electron/contract/counterSchemas.js';
import type { Charge } from '../../../electron/contract/schemas.js';
import { currencyDigits, currencyInfo } from '../../format/currency.js';
import { formatMinor, minorToPlain, parseMajor } from '../../format/money.js';
import type { MoneyParseError } from '../../format/money.js';
import { translateError } from '../../i18n/translate.js';
import { useAppStore } from '../../store/context.js';
import { useCounter } from '../../store/counterContext.js';

/** The likeliest cause given what the detectors and the re-key found. */
function defaultCause(charge: Charge): FlagCause {
  if (charge.flags.some((f) => f.kind === 'possible_duplicate')) return 'duplicate';
  return 'operator_error';
}

/** The flag dialog for one charge: intended amount, cause, note; opens an incident. */
export function FlagDialog({ charge, intendedMinor }: { charge: Charge; intendedMinor: number | null }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const flag = useCounter((s) => s.flag);
  const close = useCounter((s) => s.closeFlag);
  const flagging = useCounter((s) => s.flagging);
  const flagError = useCounter((s) => s.flagError);
  const digits = currencyDigits(charge.currency);
  const initialCause = defaultCause(charge);
  const prefill = intendedMinor ?? (initialCause === 'duplicate' ? 0 : null);
  const [amount, setAmount] = useState(prefill === null ? '' : minorToPlain(prefill, digits));
  const [cause, setCause] = useState<FlagCause>(initialCause);
  const [note, setNote] = useState('');
  const [error, setError] = useState<MoneyParseError | null>(null);
  const first = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const amountId = useId();
  const causeId = useId();
  const noteId = useId();
  const currency = currencyInfo(charge.currency)?.alpha ?? charge.currency;
  const money = (minor: number) => formatMinor(minor, charge.currency, locale);

  useEffect(() => {
    first.current?.focus();
    first.current?.select();
  }, []);

  const parsed = parseMajor(amount, digits);
  const difference = parsed.ok ? charge.amountMinor - parsed.minor : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!parsed.ok) return setError(parsed.error);
    setError(null);
    void flag({ chargeId: charge.id, intendedMinor: parsed.minor, cause, note });
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      close();
    }
  }

  return (
    <div className="modal" onKeyDown={onKeyDown}>
      <div className="modal__panel" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="flag-dialog" data-charge-id={charge.id}>
        <form className="flag-form" onSubmit={submit} noValidate>
          <h2 id={titleId} className="modal__title">
            {t('counter.flag.title')}
          </h2>
          <p className="flag-form__charged">{t('counter.flag.charged', { amount: money(charge.amountMinor) })}</p>
          <label htmlFor={amountId} className="field__label">
            {t('counter.flag.intended', { currency })}
          </label>
          <input
            id={amountId}
            ref={first}
            className="input flag-form__amount"
            data-testid="flag-intended"
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            aria-invalid={error ? true : undefined}
            onChange={(e) => {
              setAmount(e.target.value);
              setError(null);
            }}
          />
          {error && (
            <p className="form-error" role="alert">
              {t(error.code, 'max' in error ? { max: error.max } : {})}
            </p>
          )}
          {difference !== null && difference !== 0 && (
            <p className="flag-form__difference" data-testid="flag-difference">
              {t(difference > 0 ? 'counter.flag.difference' : 'counter.flag.differenceLess', { difference: money(Math.abs(difference)) })}
            </p>
          )}
          <label htmlFor={causeId} className="field__label">
            {t('counter.flag.cause')}
          </label>
          <select id={causeId} className="input" data-testid="flag-cause" value={cause} onChange={(e) => setCause(e.target.value as FlagCause)}>
            {FlagCause.options.map((c) => (
              <option key={c} value={c}>
                {t(`counter.cause.${c}`)}
              </option>
            ))}
          </select>
          <label htmlFor={noteId} className="field__label">
            {t('counter.flag.note')}
          </label>
          <textarea
            id={noteId}
            className="input flag-form__note"
            data-testid="flag-note"
            maxLength={500}
            rows={2}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          {flagError && (
            <p className="form-error" role="alert" data-testid="flag-error" data-code={flagError.code}>
              {translateError(t, flagError)}
            </p>
          )}
          <div className="modal__actions">
            <button type="button" className="button button--ghost" data-testid="flag-cancel" onClick={close}>
              {t('counter.flag.cancel')}
            </button>
            <button type="submit" className="button button--danger" data-testid="flag-submit" disabled={flagging}>
              {flagging ? t('counter.flag.submitting') : t('counter.flag.submit')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
