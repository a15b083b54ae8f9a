import { useEffect, useId, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import { useAuth } from '../../store/authContext.js';
import { usePrinting } from '../../store/printingContext.js';
import { useSetup } from '../../store/setupContext.js';
import { AccountsStep } from './AccountsStep.js';
import { FoldersStep } from './FoldersStep.js';
import { ManagerGate } from './ManagerGate.js';
import { PrinterStep } from './PrinterStep.js';
import { ShopForm } from './ShopForm.js';
import { TerminalStep } from './TerminalStep.js';
import { SETUP_STEPS, describeConnectionTest, describeSetupError } from './setupText.js';
import type { SetupStep } from './setupText.js';

/**
 * First run, step by step: owner and first manager, the shop, the terminal, the printer, the
 * folders, then a summary and "Finish". A panel above the counter, never instead of it: charges
 * keep arriving and the cashier keeps confirming; "Later" folds it away until the next start (or
 * M while there are no accounts). Once finished it does not show again; Settings changes the same.
 */
export function SetupWizard({ hidden = false }: { hidden?: boolean }) {
  const needsSetup = useAuth((s) => s.status?.needsSetup ?? false);
  const authLoaded = useAuth((s) => s.status !== null);
  const dismissed = useAuth((s) => s.setupDismissed);
  const setup = useSetup((s) => s.setup);
  if (dismissed || !authLoaded) return null;
  if (!needsSetup && (!setup || setup.completed)) return null;
  // Other screens keep their height (History's list, Batch): the wizard waits, at its step, on the counter.
  return <Wizard startAt={needsSetup ? 'accounts' : 'shop'} hidden={hidden} />;
}

function Wizard({ startAt, hidden }: { startAt: SetupStep; hidden: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const dismiss = useAuth((s) => s.dismissSetup);
  const needsSetup = useAuth((s) => s.status?.needsSetup ?? false);
  const [step, setStep] = useState<SetupStep>(startAt);
  const [shopUnsaved, setShopUnsaved] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  const index = SETUP_STEPS.indexOf(step);

  // Keyboard and screen-reader users land on the new step's title (not on the first run's first paint).
  useEffect(() => {
    if (moved.current) heading.current?.focus();
  }, [step]);
  const go = (next: SetupStep) => {
    moved.current = true;
    setShopUnsaved(false);
    setStep(next);
  };
  const next = () => go(SETUP_STEPS[Math.min(index + 1, SETUP_STEPS.length - 1)]!);

  let body: ReactNode;
  switch (step) {
    case 'accounts':
      body = <AccountsStep onDone={next} />;
      break;
    case 'shop':
      body = (
        <ManagerGate testId="setup-gate">
          <ShopForm prefix="setup-shop" onSaved={next} onEditsChange={setShopUnsaved} />
        </ManagerGate>
      );
      break;
    case 'terminal':
      body = <TerminalStep />;
      break;
    case 'printer':
      body = (
        <ManagerGate testId="setup-gate">
          <PrinterStep />
        </ManagerGate>
      );
      break;
    case 'folders':
      body = (
        <ManagerGate testId="setup-gate">
          <FoldersStep />
        </ManagerGate>
      );
      break;
    case 'summary':
      body = <Summary />;
      break;
  }

  return (
    <section className="setup-panel setup-wizard" data-testid="setup-panel" data-step={step} aria-labelledby={`${id}-title`} hidden={hidden}>
      <div className="setup-wizard__head">
        <h2 id={`${id}-title`} className="setup-panel__title">
          {t('setup.title')}
        </h2>
        <nav aria-label={t('setup.stepsLabel')}>
          <ol className="setup-wizard__steps">
            {SETUP_STEPS.map((s, i) => (
              <li key={s}>
                <button
                  type="button"
                  className="setup-wizard__step"
                  data-testid={`setup-step-${s}`}
                  aria-current={s === step ? 'step' : undefined}
                  // The owner comes first: nothing after it can be saved without them.
                  disabled={needsSetup && s !== 'accounts'}
                  onClick={() => go(s)}
                >
                  {i + 1}. {t(`setup.steps.${s}`)}
                </button>
              </li>
            ))}
          </ol>
        </nav>
        <button type="button" className="button button--ghost" data-testid="setup-later" onClick={dismiss}>
          {t('auth.setup.later')}
        </button>
      </div>
      <div className="setup-wizard__body">
        <h3 ref={heading} tabIndex={-1} className="setup-wizard__title" data-testid="setup-step-title">
          {t('setup.stepOf', { n: index + 1, total: SETUP_STEPS.length })} {t(`setup.steps.${step}`)}
        </h3>
        <p className="muted setup-wizard__intro">{t(`setup.intro.${step}`)}</p>
        {body}
      </div>
      <div className="setup-wizard__nav">
        {index > 0 && (
          <button type="button" className="button button--ghost" data-testid="setup-back" onClick={() => go(SETUP_STEPS[index - 1]!)}>
            {t('setup.back')}
          </button>
        )}
        {step !== 'summary' && (
          <button
            type="button"
            className={`button ${step === 'shop' && shopUnsaved ? 'button--ghost' : 'button--secondary'}`}
            data-testid="setup-next"
            disabled={needsSetup}
            onClick={next}
          >
            {step === 'shop' && shopUnsaved ? t('setup.skipUnsaved') : t('setup.next')}
          </button>
        )}
      </div>
    </section>
  );
}

function Summary() {
  const { t } = useTranslation();
  const setup = useSetup((s) => s.setup);
  const test = useSetup((s) => s.test);
  const terminals = useSetup((s) => s.terminals);
  const complete = useSetup((s) => s.complete);
  const printers = usePrinting((s) => s.printers);
  const tests = usePrinting((s) => s.tests);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [busy, setBusy] = useState(false);
  if (!setup) return null;
  const currency = setup.currencies.find((c) => c.numeric === setup.shop.currency);
  const printer = printers?.printers.find((p) => p.isDefault);
  const printed = printer ? tests[printer.config.id] : undefined;
  const choice = setup.terminalChoice ?? terminals?.choice ?? null;
  const rows: [string, string, ReactNode][] = [
    ['shop', t('setup.summary.shop'), [setup.shop.name, setup.shop.address, setup.shop.phone, setup.shop.taxId].filter(Boolean).join(' · ') || t('setup.summary.notSet')],
    ['currency', t('setup.summary.currencyLocale'), `${currency ? `${currency.alpha} (${currency.numeric})` : setup.shop.currency} · ${t(`locale.names.${setup.shop.locale}`)}`],
    ['terminal', t('setup.summary.terminal'), `${choice ? t(`setup.terminal.choices.${choice}`) : t('setup.summary.notSet')}${test ? ` · ${describeConnectionTest(t, test)}` : ''}`],
    ['printer', t('setup.summary.printer'), `${printer ? printer.config.name : t('setup.summary.notSet')}${printed?.ok && printed.output ? ` · ${printed.output}` : ''}`],
    ['backups', t('setup.summary.backups'), setup.backupFolder],
    ['data', t('setup.summary.data'), setup.dataDir],
  ];
  return (
    <div className="setup-summary">
      <dl className="settings__list">
        {rows.map(([key, label, value]) => (
          <div className="settings__row" key={key}>
            <dt>{label}</dt>
            <dd data-testid={`setup-summary-${key}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <ManagerGate testId="setup-gate">
        <button
          type="button"
          className="button button--confirm"
          data-testid="setup-finish"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            void complete().then((e) => {
              setBusy(false);
              setError(e);
            });
          }}
        >
          {t('setup.finish')}
        </button>
      </ManagerGate>
      {error && (
        <p className="setup-form__error" role="alert" data-testid="setup-finish-error">
          {describeSetupError(t, error)}
        </p>
      )}
    </div>
  );
}
