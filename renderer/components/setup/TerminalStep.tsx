import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import type { TerminalChoice } from '../../../electron/contract/commands/setup.js';
import { describeLink } from '../LinkBadge.js';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';
import { useAppStore } from '../../store/context.js';
import { useSetup } from '../../store/setupContext.js';
import { describeConnectionTest, describeSetupError, describeTerminalFields } from './setupText.js';

const CHOICES: readonly TerminalChoice[] = ['auto', 'node-hid', 'simulator'];

/**
 * The card terminal: the matching USB devices (or why there are none), which to use, and a live
 * connection test through the link. Choosing needs a manager; testing does not.
 */
export function TerminalStep() {
  const { t } = useTranslation();
  const id = useId();
  const status = useAppStore((s) => s.status);
  const terminals = useSetup((s) => s.terminals);
  const loading = useSetup((s) => s.terminalsLoading);
  const loadTerminals = useSetup((s) => s.loadTerminals);
  const chooseTerminal = useSetup((s) => s.chooseTerminal);
  const testConnection = useSetup((s) => s.testConnection);
  const testing = useSetup((s) => s.testing);
  const test = useSetup((s) => s.test);
  const testError = useSetup((s) => s.testError);
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  const [picked, setPicked] = useState<TerminalChoice | null>(null);
  const [applying, setApplying] = useState(false);
  const [error, setError] = useState<ApiErrorShape | null>(null);

  useEffect(() => {
    void loadTerminals();
  }, [loadTerminals]);

  const current: TerminalChoice = terminals?.choice ?? (terminals?.running === 'simulator' ? 'simulator' : terminals?.running === 'node-hid' ? 'node-hid' : 'auto');
  const choice = picked ?? current;
  const link = describeLink(t, status);

  async function apply() {
    setApplying(true);
    const failure = await chooseTerminal(choice);
    setApplying(false);
    setError(failure);
    if (!failure) setPicked(null);
  }

  return (
    <div className="setup-terminal">
      <div className="setup-terminal__devices" data-testid="terminal-devices">
        {!terminals && <p className="muted">{loading ? t('setup.terminal.searching') : t('common.loading')}</p>}
        {terminals?.nodeHidProblem && terminals.devices.length === 0 && (
          <p data-testid="terminal-node-hid-problem">{t('setup.terminal.nodeHidProblem', { reason: terminals.nodeHidProblem })}</p>
        )}
        {terminals && !terminals.nodeHidProblem && terminals.devices.length === 0 && <p data-testid="terminal-none-found">{t('setup.terminal.noneFound')}</p>}
        {terminals && terminals.devices.length > 0 && (
          <ul className="setup-terminal__list">
            {terminals.devices.map((d) => (
              <li key={d.path} data-testid="terminal-device">
                {[d.manufacturer, d.product].filter(Boolean).join(' ') || t('setup.terminal.unnamed')}
                {d.serialNumber ? ` · ${t('setup.terminal.serial', { serial: d.serialNumber })}` : ''} · <code>{d.path}</code>
              </li>
            ))}
          </ul>
        )}
        <button type="button" className="button button--ghost" data-testid="terminal-refresh" disabled={loading} onClick={() => void loadTerminals()}>
          {t('setup.terminal.refresh')}
        </button>
      </div>

      <fieldset className="setup-terminal__choice" disabled={!canManage || applying}>
        <legend>{t('setup.terminal.use')}</legend>
        {CHOICES.map((c) => (
          <label key={c} className="setup-radio">
            <input type="radio" name={`${id}-choice`} value={c} data-testid={`terminal-choice-${c}`} checked={choice === c} onChange={() => setPicked(c)} />
            <span>{t(`setup.terminal.choices.${c}`)}</span>
          </label>
        ))}
        <button type="button" className="button button--secondary" data-testid="terminal-apply" disabled={!canManage || applying || (picked === null && terminals?.choice !== null)} onClick={() => void apply()}>
          {applying ? t('setup.terminal.applying') : t('setup.terminal.apply')}
        </button>
      </fieldset>
      {!canManage && <p className="muted">{t('setup.gate.signIn')}</p>}
      {error && (
        <p className="setup-form__error" role="alert" data-testid="terminal-apply-error">
          {describeSetupError(t, error)}
        </p>
      )}

      <div className="setup-terminal__test">
        <p>
          {t('setup.terminal.link')}: <span data-testid="terminal-link">{link.text}</span>
        </p>
        <button type="button" className="button button--secondary" data-testid="terminal-test" disabled={testing} onClick={() => void testConnection()}>
          {testing ? t('setup.terminal.test.running') : t('setup.terminal.test.button')}
        </button>
        <div role="status" data-testid="terminal-test-result" data-ok={test ? String(test.ok) : undefined} data-failure={test?.failure ?? undefined}>
          {test && (
            <>
              <p className={test.ok ? 'setup-ok' : 'setup-bad'}>{describeConnectionTest(t, test)}</p>
              <p data-testid="terminal-test-fields">{describeTerminalFields(t, test)}</p>
            </>
          )}
          {testError && <p className="setup-bad">{describeSetupError(t, testError)}</p>}
        </div>
      </div>
    </div>
  );
}
