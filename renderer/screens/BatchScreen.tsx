import { useEffect, useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../electron/contract/api.js';
import type { Blocker, CounterSettings, SettlementReport, SettlementTotals } from '../../electron/contract/counterSchemas.js';
import { SETTLEMENT_CATEGORIES } from '../../electron/domain/settlement.js';
import { SIMULATOR_CURRENCY, currencyDigits, currencyInfo } from '../format/currency.js';
import { formatMinor, minorToPlain, parseMajor } from '../format/money.js';
import { translateError } from '../i18n/translate.js';
import { hasRole } from '../store/auth.js';
import { useAuth, useAuthStoreApi } from '../store/authContext.js';
import { useAppStore } from '../store/context.js';
import { useCounter } from '../store/counterContext.js';
import '../styles/counter.css';

/** How often the status is re-read while a settlement's answer is in doubt. */
const IN_DOUBT_POLL_MS = 3000;

function useMoney(currency: string | null) {
  const locale = useAppStore((s) => s.locale);
  return (minor: number) => formatMinor(minor, currency ?? SIMULATOR_CURRENCY, locale);
}

function TotalsTable({ totals, currency }: { totals: SettlementTotals; currency: string | null }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const money = useMoney(currency);
  return (
    <table className="totals" data-testid="batch-totals">
      <thead>
        <tr>
          <th scope="col">{t('counter.batch.colCategory')}</th>
          <th scope="col">{t('counter.batch.colCount')}</th>
          <th scope="col">{t('counter.batch.colAmount')}</th>
        </tr>
      </thead>
      <tbody>
        {SETTLEMENT_CATEGORIES.map((c) => (
          <tr key={c} data-category={c}>
            <th scope="row">{t(`counter.batch.category.${c}`)}</th>
            <td>{new Intl.NumberFormat(locale).format(totals[c].count)}</td>
            <td className="num">{money(totals[c].amountMinor)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BlockerRow({ blocker }: { blocker: Blocker }) {
  const { t } = useTranslation();
  const money = useMoney(blocker.charge.currency);
  const c = blocker.charge;
  const incident = blocker.kind === 'flagged' ? blocker.incident : null;
  let reason: string;
  if (blocker.kind === 'unconfirmed') reason = t('counter.batch.blockerUnconfirmed');
  else if (blocker.incident) reason = t('counter.batch.blockerFlagged', { id: blocker.incident.id });
  else reason = t('counter.batch.blockerFlaggedNoIncident');
  return (
    <li
      className={`blocker blocker--${blocker.kind}`}
      data-testid="batch-blocker-row"
      data-kind={blocker.kind}
      data-trace={c.trace}
      data-charge-id={c.id}
      data-incident-kind={incident?.kind ?? ''}
      data-intended-minor={incident?.intendedMinor ?? ''}
    >
      <span className="blocker__amount">{money(c.amountMinor)}</span>
      <span className="blocker__card">{c.panMasked}</span>
      <span className="blocker__trace">{t('counter.batch.blockerTrace', { trace: c.trace })}</span>
      <span className="blocker__reason">
        {reason}
        {incident && incident.intendedMinor !== null && (
          <>
            {' · '}
            {t('counter.batch.blockerIntended', { amount: money(incident.intendedMinor), cause: t(`counter.cause.${incident.cause ?? 'other'}`) })}
          </>
        )}
      </span>
    </li>
  );
}

/** A settlement's report: the fresh result (`settle-result`) or the last one on record. */
function ReportView({ report, onClose, fresh }: { report: SettlementReport; onClose?: () => void; fresh: boolean }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const money = useMoney(report.currency);
  const number = new Intl.NumberFormat(locale);
  const time = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' }).format(new Date(report.settledAt));
  const signed = (n: number) => (n === 0 ? '—' : `${n > 0 ? '+' : '−'}${money(Math.abs(n))}`);
  const signedCount = (n: number) => (n === 0 ? '—' : `${n > 0 ? '+' : '−'}${number.format(Math.abs(n))}`);
  return (
    <section
      className={`report${report.matched ? '' : ' report--mismatch'}`}
      data-testid={fresh ? 'settle-result' : 'last-settlement'}
      data-matched={String(report.matched)}
      data-batch={report.batch}
      aria-live="polite"
    >
      {report.matched ? (
        <p className="report__headline">{t('counter.batch.resultMatched', { batch: report.batch })}</p>
      ) : (
        <p
          className="report__headline report__incident"
          role={fresh ? 'alert' : undefined}
          data-testid={fresh ? 'settle-mismatch' : 'last-settlement-mismatch'}
          data-incident-id={report.incidentId ?? ''}
        >
          {t('counter.batch.resultMismatch', { batch: report.batch, incident: report.incidentId ?? '' })}
        </p>
      )}
      <table className="totals totals--report">
        <thead>
          <tr>
            <th scope="col">{t('counter.batch.colCategory')}</th>
            <th scope="col">{t('counter.batch.colTerminal')}</th>
            <th scope="col">{t('counter.batch.colLedger')}</th>
            <th scope="col">{t('counter.batch.colDifference')}</th>
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row) => (
            <tr key={row.category} data-category={row.category} data-matched={String(row.matched)} className={row.matched ? '' : 'totals__row--bad'}>
              <th scope="row">{t(`counter.batch.category.${row.category}`)}</th>
              <td>
                {t('counter.batch.countValue', { count: number.format(row.terminal.count) })} · {money(row.terminal.amountMinor)}
              </td>
              <td>
                {t('counter.batch.countValue', { count: number.format(row.ledger.count) })} · {money(row.ledger.amountMinor)}
              </td>
              <td>
                {signedCount(row.countDifference)} · {signed(row.amountDifference)}
              </td>
            </tr>
          ))}
          <tr className="totals__net">
            <th scope="row">{t('counter.batch.net')}</th>
            <td>{money(report.netTerminalMinor)}</td>
            <td>{money(report.netLedgerMinor)}</td>
            <td>{signed(report.netTerminalMinor - report.netLedgerMinor)}</td>
          </tr>
        </tbody>
      </table>
      <p className="report__meta muted">
        {t('counter.batch.settledBy', { name: report.settledBy, time })}
        {report.nextBatch && <> · {t('counter.batch.nextBatch', { batch: report.nextBatch })}</>}
      </p>
      {onClose && (
        <button type="button" className="button button--ghost" data-testid="settle-dismiss" onClick={onClose}>
          {t('counter.batch.dismiss')}
        </button>
      )}
    </section>
  );
}

function ErrorLine({ error, testId }: { error: ApiErrorShape; testId: string }) {
  const { t } = useTranslation();
  const text = error.code === 'auth.required' || error.code === 'auth.forbidden' ? t('counter.batch.needsManager') : translateError(t, error);
  return (
    <p className="form-error" role="alert" data-testid={testId} data-code={error.code}>
      {text}
    </p>
  );
}

function SettingsForm({ settings, manager }: { settings: CounterSettings; manager: boolean }) {
  const { t } = useTranslation();
  const update = useCounter((s) => s.updateSettings);
  const saving = useCounter((s) => s.savingSettings);
  const error = useCounter((s) => s.settingsError);
  const currency = SIMULATOR_CURRENCY;
  const digits = currencyDigits(currency);
  const [windowText, setWindowText] = useState(String(settings.duplicateWindowMinutes));
  const [ceilingText, setCeilingText] = useState(settings.ceilingMinor === null ? '' : minorToPlain(settings.ceilingMinor, digits));
  const [multipleText, setMultipleText] = useState(String(settings.medianMultiple));
  const [sampleText, setSampleText] = useState(String(settings.minSampleForMedian));
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const ids = { window: useId(), ceiling: useId(), multiple: useId(), sample: useId() };

  // Settings changed elsewhere (another screen, or just saved): show them.
  useEffect(() => {
    setWindowText(String(settings.duplicateWindowMinutes));
    setCeilingText(settings.ceilingMinor === null ? '' : minorToPlain(settings.ceilingMinor, digits));
    setMultipleText(String(settings.medianMultiple));
    setSampleText(String(settings.minSampleForMedian));
  }, [settings, digits]);

  const whole = (s: string) => (/^\s*\d{1,6}\s*$/.test(s) ? Number(s) : null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const duplicateWindowMinutes = whole(windowText);
    const medianMultiple = whole(multipleText);
    const minSampleForMedian = whole(sampleText);
    if (duplicateWindowMinutes === null || medianMultiple === null || minSampleForMedian === null) return setProblem(t('counter.settings.invalidNumber'));
    let ceilingMinor: number | null = null;
    if (ceilingText.trim() !== '') {
      const parsed = parseMajor(ceilingText, digits);
      if (!parsed.ok) return setProblem(t(parsed.error.code, 'max' in parsed.error ? { max: parsed.error.max } : {}));
      ceilingMinor = parsed.minor;
    }
    setProblem(null);
    setSaved(await update({ duplicateWindowMinutes, ceilingMinor, medianMultiple, minSampleForMedian }));
  }

  return (
    <form className="settings" data-testid="counter-settings" onSubmit={(e) => void submit(e)} noValidate>
      <h3 className="batch__subtitle">{t('counter.settings.title')}</h3>
      {!manager && <p className="muted">{t('counter.batch.needsManager')}</p>}
      <label className="field field--check settings__check">
        <input
          type="checkbox"
          data-testid="settings-blind-rekey"
          checked={settings.blindRekey}
          disabled={!manager || saving}
          onChange={(e) => {
            setSaved(false);
            void update({ blindRekey: e.target.checked }).then(setSaved);
          }}
        />
        <span>{t('counter.settings.blindRekey')}</span>
      </label>
      <div className="settings__grid">
        <label htmlFor={ids.window} className="field__label">
          {t('counter.settings.duplicateWindow')}
        </label>
        <input id={ids.window} className="input input--short" data-testid="settings-duplicate-window" inputMode="numeric" disabled={!manager} value={windowText} onChange={(e) => setWindowText(e.target.value)} />
        <label htmlFor={ids.ceiling} className="field__label">
          {t('counter.settings.ceiling', { currency: currencyInfo(currency)?.alpha ?? currency })}
        </label>
        <input id={ids.ceiling} className="input input--short" data-testid="settings-ceiling" inputMode="decimal" disabled={!manager} value={ceilingText} onChange={(e) => setCeilingText(e.target.value)} />
        <label htmlFor={ids.multiple} className="field__label">
          {t('counter.settings.medianMultiple')}
        </label>
        <input id={ids.multiple} className="input input--short" data-testid="settings-median-multiple" inputMode="numeric" disabled={!manager} value={multipleText} onChange={(e) => setMultipleText(e.target.value)} />
        <label htmlFor={ids.sample} className="field__label">
          {t('counter.settings.minSample')}
        </label>
        <input id={ids.sample} className="input input--short" data-testid="settings-min-sample" inputMode="numeric" disabled={!manager} value={sampleText} onChange={(e) => setSampleText(e.target.value)} />
      </div>
      {problem && (
        <p className="form-error" role="alert">
          {problem}
        </p>
      )}
      {error && <ErrorLine error={error} testId="settings-error" />}
      <div className="settings__actions">
        <button type="submit" className="button button--secondary" data-testid="settings-save" disabled={!manager || saving}>
          {saving ? t('counter.settings.saving') : t('counter.settings.save')}
        </button>
        {saved && (
          <span className="settings__saved" role="status" data-testid="settings-saved">
            {t('counter.settings.saved')}
          </span>
        )}
      </div>
    </form>
  );
}

/** The manager's batch screen: the open batch, what blocks it, settling it, and the counter settings. */
export function BatchScreen() {
  const { t } = useTranslation();
  const batch = useCounter((s) => s.batch);
  const settings = useCounter((s) => s.settings);
  const refreshBatch = useCounter((s) => s.refreshBatch);
  const refreshSettings = useCounter((s) => s.refreshSettings);
  const settle = useCounter((s) => s.settle);
  const settling = useCounter((s) => s.settling);
  const result = useCounter((s) => s.settleResult);
  const settleError = useCounter((s) => s.settleError);
  const dismiss = useCounter((s) => s.dismissSettleResult);
  const manager = useAuth((s) => hasRole(s.status, 'manager'));
  const auth = useAuthStoreApi();
  const locale = useAppStore((s) => s.locale);

  useEffect(() => {
    void refreshBatch();
    void refreshSettings();
  }, [refreshBatch, refreshSettings]);

  // An SE whose answer was lost is asked about (QT) when the terminal reconnects; the core records
  // the settlement on the next status read, so keep reading while one is in doubt.
  const inDoubt = batch?.inDoubtSeq ?? null;
  useEffect(() => {
    if (!inDoubt) return;
    const timer = setInterval(() => void refreshBatch(), IN_DOUBT_POLL_MS);
    return () => clearInterval(timer);
  }, [inDoubt, refreshBatch]);

  // A settle refused for want of a manager opens the sign-in.
  useEffect(() => {
    if (settleError?.code === 'auth.required') {
      const state = auth.getState();
      if (state.status && !state.status.session && !state.signInOpen) state.openSignIn();
    }
  }, [settleError, auth]);

  return (
    <section className="batch" data-testid="batch-screen" aria-label={t('counter.nav.batch')}>
      <h2 className="batch__title">{t('counter.batch.title')}</h2>
      <div className="batch__columns">
        <div className="batch__main">
          {!batch ? (
            <p className="muted">{t('common.loading')}</p>
          ) : (
            <>
              <div className="batch__open" data-testid="batch-open" data-batch={batch.batch ?? ''}>
                <h3 className="batch__subtitle">{batch.batch ? t('counter.batch.openTitle', { batch: batch.batch }) : t('counter.batch.noOpen')}</h3>
                {batch.terminalId && <p className="muted">{t('counter.batch.terminal', { terminal: batch.terminalId })}</p>}
                <p className="muted">
                  {t('counter.batch.statusCounts', {
                    confirmed: new Intl.NumberFormat(locale).format(batch.confirmed),
                    pending: new Intl.NumberFormat(locale).format(batch.pending),
                    flagged: new Intl.NumberFormat(locale).format(batch.flagged),
                  })}
                </p>
                <h4 className="batch__label">{t('counter.batch.totalsTitle')}</h4>
                <TotalsTable totals={batch.totals} currency={batch.currency} />
              </div>
              <div className="batch__blockers">
                <h3 className="batch__subtitle">{t('counter.batch.blockersTitle')}</h3>
                {batch.blockers.length === 0 ? (
                  <p className="muted" data-testid="batch-no-blockers">
                    {t('counter.batch.blockersNone')}
                  </p>
                ) : (
                  <ul className="blockers" data-testid="batch-blockers">
                    {batch.blockers.map((b) => (
                      <BlockerRow key={b.charge.id} blocker={b} />
                    ))}
                  </ul>
                )}
                {(batch.blockerCount ?? 0) > batch.blockers.length && (
                  <p className="muted" data-testid="batch-blockers-more">
                    {t('counter.batch.blockersMore', { n: new Intl.NumberFormat(locale).format((batch.blockerCount ?? 0) - batch.blockers.length) })}
                  </p>
                )}
              </div>
              {batch.inDoubtSeq && !settling && (
                <p className="banner banner--warn" role="status" data-testid="batch-in-doubt">
                  {t('counter.batch.inDoubt', { seq: batch.inDoubtSeq })}
                </p>
              )}
              <div className="batch__settle">
                <button type="button" className="button button--confirm" data-testid="settle-button" disabled={settling} onClick={() => void settle()}>
                  {settling ? t('counter.batch.settling') : t('counter.batch.settle')}
                </button>
                {!manager && <p className="muted">{t('counter.batch.needsManager')}</p>}
                {settleError && <ErrorLine error={settleError} testId="settle-error" />}
              </div>
              {result && <ReportView report={result} onClose={dismiss} fresh />}
              {!result && (
                <div className="batch__last">
                  <h3 className="batch__subtitle">{t('counter.batch.lastTitle')}</h3>
                  {batch.lastSettlement ? <ReportView report={batch.lastSettlement} fresh={false} /> : <p className="muted">{t('counter.batch.lastNone')}</p>}
                </div>
              )}
            </>
          )}
        </div>
        <aside className="batch__side">{settings && <SettingsForm settings={settings} manager={manager} />}</aside>
      </div>
    </section>
  );
}
