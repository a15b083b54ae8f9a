import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdjustmentPreview, AdjustmentView, RechargeView } from '../../electron/contract/commands/adjustments.js';
import type { Charge } from '../../electron/contract/schemas.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { RechargeChip } from '../components/adjust/RechargeChip.js';
import {
  adjustChoice,
  defaultReason,
  describeAdjustError,
  describeAmountProblem,
  describeOutcome,
  describeReceipt,
  offersRecharge,
  outcomeState,
  readAdjustAmount,
  refusalKey,
  searchQuery,
  type AdjustChoice,
} from '../components/adjust/adjustText.js';
import { formatTerminalTime } from '../format/charge.js';
import { currencyDigits, currencyInfo } from '../format/currency.js';
import { formatMinor, minorToPlain } from '../format/money.js';
import type { AdjustOutcomeView } from '../store/adjust.js';
import { useAdjust, useAdjustStoreApi } from '../store/adjustContext.js';
import { hasRole } from '../store/auth.js';
import { useAuth, useAuthStoreApi } from '../store/authContext.js';
import { useAppStore } from '../store/context.js';
import '../styles/adjust.css';

const REASONS = ['wrong_amount', 'duplicate', 'customer_request', 'suspected_fraud', 'other'] as const;
type Reason = (typeof REASONS)[number];

function useMoney(currency: string) {
  const locale = useAppStore((s) => s.locale);
  return (minor: number) => formatMinor(minor, currency, locale);
}

/** The manager's void (撤销) and refund (退货): find the charge, see what is possible, do it. */
export function AdjustScreen() {
  const { t } = useTranslation();
  const manager = useAuth((s) => hasRole(s.status, 'manager'));
  const known = useAuth((s) => s.status !== null);
  const auth = useAuthStoreApi();
  const openSeq = useAdjust((s) => s.openSeq);
  const chargeId = useAdjust((s) => s.chargeId);
  const loadPreview = useAdjust((s) => s.loadPreview);
  const titleId = useId();

  // Nobody signed in: ask for the manager first (once each time the screen is opened).
  useEffect(() => {
    if (!known || manager) return;
    const state = auth.getState();
    if (!state.status || state.status.session || state.signInOpen) return;
    if (state.status.needsSetup) state.showSetup();
    else state.openSignIn();
  }, [known, manager, openSeq, auth]);

  useEffect(() => {
    if (manager && chargeId !== null) void loadPreview();
  }, [manager, chargeId, openSeq, loadPreview]);

  return (
    <section className="adjust" data-testid="adjust-screen" data-signed-in={manager} aria-labelledby={titleId}>
      <h2 id={titleId} className="adjust__title">
        {t('adjust.title')}
      </h2>
      {!manager ? (
        <NeedsManager />
      ) : (
        <>
          <SearchPanel />
          {chargeId === null ? (
            <p className="muted" data-testid="adjust-pick">
              {t('adjust.pick')}
            </p>
          ) : (
            <ChargePanel />
          )}
        </>
      )}
    </section>
  );
}

function NeedsManager() {
  const { t } = useTranslation();
  const status = useAuth((s) => s.status);
  const openSignIn = useAuth((s) => s.openSignIn);
  const showSetup = useAuth((s) => s.showSetup);
  return (
    <div className="adjust__signin" data-testid="adjust-needs-manager">
      <p>{t('adjust.needsManager')}</p>
      <button
        type="button"
        className="button button--secondary"
        data-testid="adjust-signin"
        onClick={() => (status?.needsSetup ? showSetup() : openSignIn())}
      >
        {t('adjust.signIn')}
      </button>
    </div>
  );
}

function SearchPanel() {
  const { t } = useTranslation();
  const query = useAdjust((s) => s.query);
  const setQuery = useAdjust((s) => s.setQuery);
  const search = useAdjust((s) => s.search);
  const searching = useAdjust((s) => s.searching);
  const results = useAdjust((s) => s.results);
  const searchError = useAdjust((s) => s.searchError);
  const open = useAdjust((s) => s.open);
  const current = useAdjust((s) => s.chargeId);
  const locale = useAppStore((s) => s.locale);
  const [problem, setProblem] = useState(false);
  const [searched, setSearched] = useState<string | null>(null);
  const fieldId = useId();
  const hintId = useId();

  function submit(e: FormEvent) {
    e.preventDefault();
    const q = searchQuery(query);
    setProblem(q === null);
    if (q === null) return;
    setSearched(q);
    void search(q);
  }

  return (
    <div className="adjust__search">
      <form className="adjust__search-form" onSubmit={submit} noValidate role="search">
        <label className="field" htmlFor={fieldId}>
          <span className="field__label">{t('adjust.search.label')}</span>
          <input
            id={fieldId}
            className="input"
            data-testid="adjust-search"
            value={query}
            maxLength={32}
            autoComplete="off"
            placeholder={t('adjust.search.placeholder')}
            aria-describedby={hintId}
            aria-invalid={problem || undefined}
            onChange={(e) => setQuery(e.target.value)}
          />
        </label>
        <button type="submit" className="button button--secondary" data-testid="adjust-search-submit" disabled={searching}>
          {searching ? t('adjust.search.searching') : t('adjust.search.submit')}
        </button>
      </form>
      <p id={hintId} className="adjust__hint muted">
        {problem ? t('adjust.search.tooShort') : t('adjust.search.hint')}
      </p>
      {searchError && (
        <p className="form-error adjust__search-status" role="alert" data-testid="adjust-search-error">
          {describeAdjustError(t, searchError, (m) => String(m))}
        </p>
      )}
      {results && (
        <>
          <p className="muted adjust__search-status" role="status">
            {results.length === 0 ? t('adjust.search.none', { query: searched ?? query }) : t('adjust.search.results', { n: results.length })}
          </p>
          <ul className="adjust__results">
            {results.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className="adjust__result"
                  data-testid="adjust-result-row"
                  data-charge-id={c.id}
                  data-trace={c.trace}
                  aria-current={c.id === current || undefined}
                  onClick={() => open(c.id)}
                >
                  <span className="adjust__result-amount">{formatMinor(c.amountMinor, c.currency, locale)}</span>
                  <span className="adjust__result-card">{c.panMasked}</span>
                  <span className="adjust__result-meta muted">
                    {formatTerminalTime(c.terminalTime, locale, 'short')} · {t('adjust.original.trace')} {c.trace}
                  </span>
                  <StatusBadge status={c.status} />
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function ChargePanel() {
  const { t } = useTranslation();
  const preview = useAdjust((s) => s.preview);
  const loading = useAdjust((s) => s.previewLoading);
  const error = useAdjust((s) => s.previewError);
  const chargeId = useAdjust((s) => s.chargeId);
  if (error && (!preview || preview.charge.id !== chargeId)) {
    return (
      <p className="form-error" role="alert" data-testid="adjust-preview-error" data-code={error.code}>
        {describeAdjustError(t, error, (m) => String(m))}
      </p>
    );
  }
  if (!preview || preview.charge.id !== chargeId) return <p className="muted">{loading ? t('common.loading') : ''}</p>;
  return <ChargeView preview={preview} />;
}

function ChargeView({ preview }: { preview: AdjustmentPreview }) {
  const { t } = useTranslation();
  const step = useAdjust((s) => s.step);
  const outcome = useAdjust((s) => s.outcome);
  const choice = adjustChoice(preview);
  const busy = step === 'sending' || step === 'waiting';
  const mine = outcome && outcome.adjustment.chargeId === preview.charge.id ? outcome : null;

  return (
    <div className="adjust__charge">
      <div className="adjust__facts-column">
        <OriginalCharge charge={preview.charge} preview={preview} />
        <AlreadyDone preview={preview} />
      </div>
      <div className="adjust__action-column">
        {(busy || mine) && <Progress outcome={mine} />}
        {mine && <Outcome outcome={mine} />}
        {offersRecharge(preview) && <RechargePanel preview={preview} />}
        {!busy &&
          (choice.kind === 'refused' ? (
            <p className="adjust__refused" role="status" data-testid="adjust-refused" data-code={choice.code}>
              <strong>{t('adjust.refused.title')}</strong> {t(refusalKey(choice.code))}
            </p>
          ) : (
            <AdjustForm key={`${preview.charge.id}:${preview.adjustments.length}`} preview={preview} choice={choice} />
          ))}
      </div>
    </div>
  );
}

function OriginalCharge({ charge, preview }: { charge: Charge; preview: AdjustmentPreview }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const money = useMoney(charge.currency);
  const recharges = useAdjust((s) => s.recharges);
  const linkedAs = preview.rechargeOf ?? Object.values(recharges).find((r) => r.state === 'linked' && r.chargeId === charge.id) ?? null;
  const incident = preview.incident;
  return (
    <section className="adjust__original" data-testid="adjust-original" data-charge-id={charge.id} data-status={charge.status}>
      <h3 className="adjust__subtitle">{t('adjust.original.title')}</h3>
      <p className="adjust__amount" data-testid="adjust-original-amount">
        {money(charge.amountMinor)}
      </p>
      <dl className="adjust__facts">
        <div>
          <dt>{t('adjust.original.card')}</dt>
          <dd>
            {charge.brand ?? t('counter.unknownBrand')} {charge.panMasked}
          </dd>
        </div>
        <div>
          <dt>{t('adjust.original.time')}</dt>
          <dd>{formatTerminalTime(charge.terminalTime, locale)}</dd>
        </div>
        <div>
          <dt>{t('adjust.original.trace')}</dt>
          <dd data-testid="adjust-original-trace">{charge.trace}</dd>
        </div>
        <div>
          <dt>{t('adjust.original.rrn')}</dt>
          <dd>{charge.rrn}</dd>
        </div>
        <div>
          <dt>{t('adjust.original.auth')}</dt>
          <dd>{charge.authCode}</dd>
        </div>
        <div>
          <dt>{t('adjust.original.batch')}</dt>
          <dd>{charge.batch}</dd>
        </div>
        <div>
          <dt>{t('adjust.original.status')}</dt>
          <dd>
            <StatusBadge status={charge.status} />
          </dd>
        </div>
      </dl>
      {incident && (
        <p className="adjust__incident" data-testid="adjust-incident" data-incident-id={incident.id} data-kind={incident.kind}>
          {t('adjust.incident.link', { id: incident.id, kind: t(`adjust.incident.kind.${incident.kind}`, { defaultValue: t('adjust.incident.kind.other') }) })}
          {incident.intendedMinor !== null && incident.intendedMinor > 0 && <> · {t('adjust.incident.intended', { amount: money(incident.intendedMinor) })}</>}
        </p>
      )}
      {linkedAs && <RechargeChip recharge={linkedAs} />}
    </section>
  );
}

function AlreadyDone({ preview }: { preview: AdjustmentPreview }) {
  const { t } = useTranslation();
  const money = useMoney(preview.charge.currency);
  const choice = adjustChoice(preview);
  const remaining = choice.kind === 'action' ? choice.remainingMinor : preview.remainingMinor;
  // "Left to refund" only means something once refunds are the way (not for a voided charge).
  const showRemaining = choice.kind === 'action' || choice.code === 'fully_refunded' || choice.code === 'refund_in_flight_covers_rest';
  return (
    <section className="adjust__done">
      <h3 className="adjust__subtitle">{t('adjust.done.title')}</h3>
      {preview.adjustments.length === 0 ? (
        <p className="muted">{t('adjust.done.none')}</p>
      ) : (
        <ul className="adjust__done-list">
          {preview.adjustments.map((a) => (
            <li key={a.id} data-testid="adjust-done-row" data-kind={a.kind} data-state={a.state} data-amount-minor={a.amountMinor}>
              {t('adjust.done.row', {
                kind: t(`adjust.kind.${a.kind}`),
                amount: money(a.amountMinor),
                state: t(`adjust.state.${a.state}`),
                who: a.requestedBy.includes(':') ? a.requestedBy.slice(a.requestedBy.indexOf(':') + 1) : a.requestedBy,
              })}
            </li>
          ))}
        </ul>
      )}
      <dl className="adjust__sums">
        {preview.refundedMinor > 0 && (
          <div>
            <dt>{t('adjust.done.refunded')}</dt>
            <dd data-testid="adjust-refunded">{money(preview.refundedMinor)}</dd>
          </div>
        )}
        {showRemaining && (
          <div>
            <dt>{choice.kind === 'action' && choice.mode === 'void' ? t('adjust.done.remainingVoid') : t('adjust.done.remaining')}</dt>
            <dd data-testid="adjust-remaining" data-minor={remaining}>
              {money(remaining)}
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}

function AdjustForm({ preview, choice }: { preview: AdjustmentPreview; choice: Extract<AdjustChoice, { kind: 'action' }> }) {
  const { t } = useTranslation();
  const execute = useAdjust((s) => s.execute);
  const executeError = useAdjust((s) => s.executeError);
  const currency = preview.charge.currency;
  const digits = currencyDigits(currency);
  const money = useMoney(currency);
  const [amountText, setAmountText] = useState(() => (choice.mode === 'void' ? minorToPlain(choice.maxMinor, digits) : ''));
  const [reason, setReason] = useState<Reason | ''>(() => defaultReason(preview));
  const [note, setNote] = useState('');
  const [tried, setTried] = useState(false);
  const ids = { amount: useId(), reason: useId(), note: useId(), errors: useId() };
  const amountRef = useRef<HTMLInputElement>(null);

  const amount = readAdjustAmount(amountText, digits, choice);
  const problems: string[] = [];
  if (tried && !amount.ok) problems.push(describeAmountProblem(t, amount.problem, money));
  if (tried && reason === '') problems.push(t('adjust.form.needReason'));
  if (tried && note.trim() === '') problems.push(t('adjust.form.needNote'));

  function submit(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (!amount.ok || reason === '' || note.trim() === '') return;
    void execute({ chargeId: preview.charge.id, mode: choice.mode, amountMinor: amount.minor, reason, note: note.trim() });
  }

  const submitText =
    choice.mode === 'void'
      ? t('adjust.form.submitVoid', { amount: money(choice.maxMinor) })
      : amount.ok
        ? t('adjust.form.submitRefund', { amount: money(amount.minor) })
        : t('adjust.form.submitRefundNoAmount');

  return (
    <form className={`adjust__form adjust__form--${choice.mode}`} onSubmit={submit} noValidate data-testid="adjust-form">
      <p className="adjust__mode" data-testid="adjust-mode" data-mode={choice.mode} data-partial={choice.partial}>
        {t(`adjust.mode.${choice.mode}`)}
        {choice.partial && <span className="adjust__mode-sub"> · {t('adjust.mode.partialRefund')}</span>}
      </p>
      <p className="adjust__why" data-testid="adjust-why" data-why={choice.why}>
        {t(`adjust.why.${choice.why}`)}
      </p>
      <div className="adjust__amount-row">
        <label className="field" htmlFor={ids.amount}>
          <span className="field__label">{t('adjust.form.amount', { currency: currencyInfo(currency)?.alpha ?? currency })}</span>
          <input
            id={ids.amount}
            ref={amountRef}
            className="input adjust__amount-input"
            data-testid="adjust-amount"
            inputMode="decimal"
            autoComplete="off"
            value={amountText}
            disabled={choice.mode === 'void'}
            aria-invalid={(tried && !amount.ok) || undefined}
            aria-describedby={problems.length ? ids.errors : undefined}
            onChange={(e) => setAmountText(e.target.value)}
          />
        </label>
        {choice.mode === 'refund' ? (
          <button
            type="button"
            className="button button--ghost"
            data-testid="adjust-rest"
            onClick={() => {
              setAmountText(minorToPlain(choice.remainingMinor, digits));
              amountRef.current?.focus();
            }}
          >
            {t('adjust.form.rest', { amount: money(choice.remainingMinor) })}
          </button>
        ) : (
          <p className="muted adjust__amount-note">{t('adjust.form.amountVoid')}</p>
        )}
      </div>
      <div className="adjust__fields">
        <label className="field" htmlFor={ids.reason}>
          <span className="field__label">{t('adjust.form.reason')}</span>
          <select
            id={ids.reason}
            className="input"
            data-testid="adjust-reason"
            value={reason}
            aria-invalid={(tried && reason === '') || undefined}
            onChange={(e) => setReason(e.target.value as Reason | '')}
          >
            <option value="">{t('adjust.form.reasonPick')}</option>
            {REASONS.map((r) => (
              <option key={r} value={r}>
                {t(`adjust.reason.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field adjust__note" htmlFor={ids.note}>
          <span className="field__label">{t('adjust.form.note')}</span>
          <input
            id={ids.note}
            className="input"
            data-testid="adjust-note"
            maxLength={500}
            value={note}
            placeholder={t('adjust.form.notePlaceholder')}
            aria-invalid={(tried && note.trim() === '') || undefined}
            onChange={(e) => setNote(e.target.value)}
          />
        </label>
      </div>
      {problems.length > 0 && (
        <ul id={ids.errors} className="form-error adjust__problems" role="alert" data-testid="adjust-form-error">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {executeError && (
        <p className="form-error" role="alert" data-testid="adjust-error" data-code={executeError.code}>
          {describeAdjustError(t, executeError, money)}
        </p>
      )}
      <button type="submit" className={`button ${choice.mode === 'void' ? 'button--danger' : 'button--secondary'} adjust__submit`} data-testid="adjust-submit">
        {submitText}
      </button>
    </form>
  );
}

const STEPS = ['sending', 'waiting', 'answered'] as const;

function Progress({ outcome }: { outcome: AdjustOutcomeView | null }) {
  const { t } = useTranslation();
  const step = useAdjust((s) => s.step);
  if (!step) return null;
  const at = STEPS.indexOf(step);
  // The last step says what came back: the answer, or that none came (yet).
  const unanswered = step === 'answered' && outcome !== null && outcomeState(outcome.adjustment) === 'unknown';
  return (
    <ol className="adjust__progress" data-testid="adjust-progress" data-step={step} data-answered={step === 'answered' ? !unanswered : undefined} aria-live="polite">
      {STEPS.map((s, i) => (
        <li
          key={s}
          className={`adjust__step${i < at ? ' adjust__step--done' : i === at ? ' adjust__step--now' : ''}${i === at && unanswered ? ' adjust__step--missing' : ''}`}
          aria-current={i === at ? 'step' : undefined}
        >
          {s === 'answered' && unanswered ? t('adjust.progress.noAnswer') : t(`adjust.progress.${s}`)}
        </li>
      ))}
    </ol>
  );
}

function Outcome({ outcome }: { outcome: AdjustOutcomeView }) {
  const { t } = useTranslation();
  const a: AdjustmentView = outcome.adjustment;
  const money = useMoney(a.currency);
  const state = outcomeState(a);
  return (
    <section className={`adjust__outcome adjust__outcome--${state}`} data-testid="adjust-outcome" data-state={state} data-rc={a.rc ?? ''} aria-live="polite">
      <p className="adjust__outcome-title">{t(`adjust.outcome.${state}`)}</p>
      <p className="adjust__outcome-text" data-testid="adjust-outcome-text">
        {describeOutcome(t, a)}
      </p>
      {a.rc !== null && <p className="muted">{t('adjust.outcome.rc', { rc: a.rc })}</p>}
      {state === 'approved' && (
        <>
          <p className="adjust__outcome-amount">{t(a.kind === 'void' ? 'adjust.outcome.voided' : 'adjust.outcome.refunded', { amount: money(a.amountMinor) })}</p>
          <p className="adjust__refs" data-testid="adjust-new-refs" data-trace={a.trace ?? ''}>
            {t('adjust.outcome.newRefs', { trace: a.trace ?? '—', rrn: a.rrn ?? '—', auth: a.authCode ?? '—' })}
          </p>
        </>
      )}
      {state === 'approved' && (
        <div className="adjust__receipts">
          <h4 className="adjust__label">{t('adjust.receipt.title')}</h4>
          {outcome.receipts.length === 0 ? (
            <p className="muted">{t('adjust.receipt.late')}</p>
          ) : (
            <ul>
              {outcome.receipts.map((r) => (
                <li
                  key={r.copy}
                  className={`adjust__receipt adjust__receipt--${r.state}`}
                  data-testid="adjust-receipt"
                  data-copy={r.copy}
                  data-state={r.state}
                  data-code={r.error?.code ?? ''}
                  title={r.output ?? undefined}
                >
                  <strong>{t(`adjust.receipt.copy.${r.copy}`)}</strong>: {describeReceipt(t, r)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {state === 'unknown' && <p className="muted">{t('adjust.receipt.late')}</p>}
    </section>
  );
}

function RechargePanel({ preview }: { preview: AdjustmentPreview }) {
  const { t } = useTranslation();
  const incident = preview.incident!;
  const money = useMoney(preview.charge.currency);
  const recharges = useAdjust((s) => s.recharges);
  const recharging = useAdjust((s) => s.recharging);
  const error = useAdjust((s) => s.rechargeError);
  const expect = useAdjust((s) => s.expectRecharge);
  // The newest request for this incident: pushed events first, else what the preview says.
  const pushed = Object.values(recharges)
    .filter((r) => r.incidentId === incident.id && r.state !== 'replaced')
    .sort((a, b) => b.id - a.id)[0];
  const recharge = pushed && (!preview.recharge || pushed.id >= preview.recharge.id) ? pushed : preview.recharge;
  const intended = incident.intendedMinor ?? 0;
  const state = recharge?.state === 'linked' ? 'linked' : recharge?.state === 'waiting' ? 'waiting' : 'offer';
  return (
    <section className={`adjust__recharge adjust__recharge--${state}`} data-testid="adjust-recharge" data-state={state} data-incident-id={incident.id}>
      <h3 className="adjust__subtitle">{t('adjust.recharge.title')}</h3>
      {state === 'offer' && (
        <>
          <p>
            {preview.charge.panMasked
              ? t('adjust.recharge.offer', { amount: money(intended), card: preview.charge.panMasked, incident: incident.id })
              : t('adjust.recharge.offerAnyCard', { amount: money(intended), incident: incident.id })}
          </p>
          <button
            type="button"
            className="button button--secondary"
            data-testid="adjust-recharge-start"
            disabled={recharging}
            onClick={() => void expect(incident.id, intended)}
          >
            {recharging ? t('adjust.recharge.starting') : t('adjust.recharge.start', { amount: money(intended) })}
          </button>
        </>
      )}
      {state === 'waiting' && recharge && (
        <p className="adjust__recharge-amount" role="status">
          {t('adjust.recharge.waiting', { amount: money(recharge.amountMinor) })}
        </p>
      )}
      {state === 'linked' && recharge && (
        <p role="status" data-testid="adjust-recharge-linked" data-charge-id={recharge.chargeId ?? ''}>
          {t('adjust.recharge.linked', { amount: money(recharge.amountMinor), trace: recharge.trace ?? '—', incident: recharge.incidentId })}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert" data-testid="adjust-recharge-error" data-code={error.code}>
          {describeAdjustError(t, error, money)}
        </p>
      )}
    </section>
  );
}
