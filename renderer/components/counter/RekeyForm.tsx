import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Charge } from '../../../electron/contract/schemas.js';
import { currencyDigits, currencyInfo } from '../../format/currency.js';
import { parseMajor } from '../../format/money.js';
import type { MoneyParseError } from '../../format/money.js';
import { useCounter } from '../../store/counterContext.js';

/**
 * Blind re-key: the cashier types the till's total; the charged amount stays hidden until the core
 * says whether they match.
 */
export function RekeyForm({ charge }: { charge: Charge }) {
  const { t } = useTranslation();
  const rekey = useCounter((s) => s.rekey);
  const busy = useCounter((s) => s.rekeyingId !== null);
  const [text, setText] = useState('');
  const [error, setError] = useState<MoneyParseError | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const errorId = useId();
  const currency = currencyInfo(charge.currency)?.alpha ?? charge.currency;

  // A new charge on screen: start afresh, ready to type.
  useEffect(() => {
    setText('');
    setError(null);
    input.current?.focus();
  }, [charge.id]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseMajor(text, currencyDigits(charge.currency));
    if (!parsed.ok) return setError(parsed.error);
    setError(null);
    void rekey(charge.id, parsed.minor);
  }

  return (
    <form className="rekey" onSubmit={submit} noValidate>
      <label htmlFor={inputId} className="rekey__label">
        {t('counter.rekey.label', { currency })}
      </label>
      <div className="rekey__row">
        <input
          id={inputId}
          ref={input}
          className="input rekey__input"
          data-testid="rekey-input"
          inputMode="decimal"
          autoComplete="off"
          spellCheck={false}
          placeholder={t('counter.rekey.placeholder')}
          value={text}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => {
            setText(e.target.value);
            setError(null);
          }}
        />
        <button type="submit" className="button button--secondary rekey__submit" data-testid="rekey-submit" disabled={busy}>
          {busy ? t('counter.rekey.checking') : t('counter.rekey.submit')}
        </button>
      </div>
      {error && (
        <p id={errorId} className="rekey__error" role="alert" data-testid="rekey-error">
          {t(error.code, 'max' in error ? { max: error.max } : {})}
        </p>
      )}
    </form>
  );
}
