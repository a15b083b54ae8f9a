import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CommandInput } from '../../electron/contract/api.js';
import { checkMaskedPan } from '../../electron/domain/pan.js';
import { SIMULATOR_CURRENCY, currencyDigits, currencyInfo } from '../format/currency.js';
import { parseMajor } from '../format/money.js';
import type { MoneyParseError } from '../format/money.js';
import { hasRole } from '../store/auth.js';
import { useAuth } from '../store/authContext.js';
import { useAppStore } from '../store/context.js';

type EntryMode = NonNullable<CommandInput<'sim.charge'>['entryMode']>;
const ENTRY_MODES: readonly EntryMode[] = ['C', 'T', 'S', 'M', 'F'];

type PanelError = MoneyParseError | { code: 'money.not_positive' } | { code: 'counter.sim.panInvalid' };


/** Simulator switch (always there) and, while the simulator is on, the "simulate a charge" form. */
export function SimPanel() {
  const { t } = useTranslation();
  const status = useAppStore((s) => s.status);
  const simCharge = useAppStore((s) => s.simCharge);
  const setSimEnabled = useAppStore((s) => s.setSimEnabled);
  const connected = useAppStore((s) => s.connection.kind === 'open');
  // Switching replaces the terminal link (a real terminal is disconnected): managers only.
  const isManager = useAuth((s) => hasRole(s.status, 'manager'));
  const [amount, setAmount] = useState('');
  const [entryMode, setEntryMode] = useState<EntryMode>('C');
  /** Optional masked card (e.g. 622848******1234) to swipe the same card twice. */
  const [pan, setPan] = useState('');
  const [error, setError] = useState<PanelError | null>(null);
  const [sentTrace, setSentTrace] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [toggling, setToggling] = useState(false);
  const amountId = useId();
  const errorId = useId();

  const simulator = status?.simulator ?? false;
  const currency = currencyInfo(SIMULATOR_CURRENCY)?.alpha ?? SIMULATOR_CURRENCY;

  async function toggle(enabled: boolean) {
    setToggling(true);
    try {
      await setSimEnabled(enabled);
    } finally {
      setToggling(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSentTrace(null);
    const parsed = parseMajor(amount, currencyDigits(SIMULATOR_CURRENCY));
    if (!parsed.ok) return setError(parsed.error);
    if (parsed.minor === 0) return setError({ code: 'money.not_positive' });
    const card = pan.trim();
    if (card !== '' && !checkMaskedPan(card).ok) return setError({ code: 'counter.sim.panInvalid' });
    setError(null);
    setBusy(true);
    try {
      const trace = await simCharge({ amountMinor: parsed.minor, entryMode, ...(card ? { panMasked: card } : {}) });
      if (trace !== null) {
        setSentTrace(trace);
        setAmount('');
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="toolstrip">
      <label className="switch" title={isManager ? undefined : t('sim.managerOnly')}>
        <input
          type="checkbox"
          data-testid="sim-toggle"
          checked={simulator}
          disabled={!status || toggling || !connected || !isManager}
          onChange={(e) => void toggle(e.target.checked)}
        />
        <span>{t('sim.toggle')}</span>
      </label>
      {simulator && (
        <form className="sim-panel" data-testid="sim-panel" onSubmit={(e) => void submit(e)} noValidate>
          <label htmlFor={amountId} className="sim-panel__label">
            {t('sim.amountLabel', { currency })}
          </label>
          <input
            id={amountId}
            data-testid="sim-amount-input"
            className="input sim-panel__amount"
            inputMode="decimal"
            autoComplete="off"
            spellCheck={false}
            placeholder={t('sim.amountPlaceholder')}
            value={amount}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(e) => {
              setAmount(e.target.value);
              setError(null);
            }}
          />
          <label className="sim-panel__label">
            <span className="visually-hidden">{t('sim.entryModeLabel')}</span>
            <select
              data-testid="sim-entry-mode"
              className="input"
              aria-label={t('sim.entryModeLabel')}
              value={entryMode}
              onChange={(e) => setEntryMode(e.target.value as EntryMode)}
            >
              {ENTRY_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {t(`entryMode.${mode}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="sim-panel__label">
            <span className="visually-hidden">{t('counter.sim.panLabel')}</span>
            <input
              data-testid="sim-pan-input"
              className="input sim-panel__pan"
              aria-label={t('counter.sim.panLabel')}
              autoComplete="off"
              spellCheck={false}
              placeholder={t('counter.sim.panPlaceholder')}
              value={pan}
              onChange={(e) => {
                setPan(e.target.value);
                setError(null);
              }}
            />
          </label>
          <button type="submit" className="button button--secondary" data-testid="sim-charge-button" disabled={busy || !connected}>
            {t('sim.chargeButton')}
          </button>
          {error && (
            <span id={errorId} className="sim-panel__error" data-testid="sim-error" role="alert">
              {t(error.code, 'max' in error ? { max: error.max } : {})}
            </span>
          )}
          {sentTrace && !error && (
            <span className="sim-panel__sent" data-testid="sim-result" role="status">
              {t('sim.sent', { trace: sentTrace })}
            </span>
          )}
        </form>
      )}
      <div className="toolstrip__spacer" />
      {status && (
        <span className="toolstrip__operator" data-testid="operator">
          {t('app.operator', { name: status.operator })}
        </span>
      )}
    </div>
  );
}
