import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncidentDetail } from '../../../electron/contract/commands/incidents.js';
import { NotifyChannel, PreventionAction, ResolutionType, type StepAction } from '../../../electron/contract/commands/incidents.js';
import { currencyDigits, currencyInfo } from '../../format/currency.js';
import { minorToPlain, parseMajor } from '../../format/money.js';
import type { StepRequest } from '../../store/incidents.js';
import { useAppStore } from '../../store/context.js';
import { money } from './text.js';

/** Which actions take which fields. */
const NEEDS = {
  note: ['start_verification', 'contact_customer', 'propose_resolution', 'submit_for_review', 'approve', 'execute', 'mark_unreachable', 'pay_out', 'notify_customer'],
  amount: ['propose_resolution', 'execute', 'mark_unreachable', 'pay_out'],
} as const;

/** The adjustments approved by the terminal and not yet counted as money returned. */
function usableAdjustments(detail: IncidentDetail) {
  const used = new Set(detail.events.filter((e) => e.action === 'execute' || e.action === 'pay_out').map((e) => e.data.adjustmentId));
  return detail.adjustments.filter((a) => a.state === 'approved' && !used.has(a.id));
}

/** The form of one step: what it needs, checked here for form, by the core for meaning. */
export function StepForm({
  detail,
  action,
  busy,
  onSubmit,
  onCancel,
}: {
  detail: IncidentDetail;
  action: StepAction;
  busy: boolean;
  onSubmit: (request: StepRequest) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const id = useId();
  const digits = currencyDigits(detail.currency);
  const adjustments = usableAdjustments(detail);
  const defaultAmount =
    action === 'pay_out'
      ? detail.suspenseMinor
      : action === 'propose_resolution'
        ? Math.max(0, detail.owedMinor - detail.returnedMinor)
        : (detail.proposalMinor ?? Math.max(0, detail.owedMinor - detail.returnedMinor));
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [amount, setAmount] = useState(defaultAmount > 0 ? minorToPlain(defaultAmount, digits) : '');
  const [resolution, setResolution] = useState<string>(detail.proposal ?? (detail.kind === 'duplicate_charge' ? 'void' : 'partial_refund'));
  const [method, setMethod] = useState<string>(
    action === 'pay_out' ? 'cash' : adjustments.length > 0 ? 'adjustment' : detail.chargeId !== null ? 'terminal' : 'transfer',
  );
  const [adjustmentId, setAdjustmentId] = useState<string>(adjustments[0] ? String(adjustments[0].id) : '');
  const [reference, setReference] = useState('');
  const [channel, setChannel] = useState('phone');
  const [contactName, setContactName] = useState('');
  const [contactValue, setContactValue] = useState('');
  const [rootCause, setRootCause] = useState(detail.rootCause ?? '');
  const [prevention, setPrevention] = useState<string>(detail.prevention ?? 'training');
  const [preventionNote, setPreventionNote] = useState(detail.preventionNote ?? '');
  const [error, setError] = useState<string | null>(null);

  const withAmount = (NEEDS.amount as readonly string[]).includes(action) && !((action === 'execute' || action === 'pay_out') && (method === 'adjustment' || method === 'terminal'));
  const parsed = parseMajor(amount, digits);

  function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const n = note.trim() ? { note: note.trim() } : {};
    const amountMinor = withAmount ? (parsed.ok ? parsed.minor : null) : undefined;
    if (withAmount && (amountMinor === null || amountMinor === 0)) return setError(t('incidents.form.badAmount'));
    const required = (v: string) => v.trim() !== '';
    let request: StepRequest;
    switch (action) {
      case 'start_verification':
      case 'submit_for_review':
      case 'approve':
        request = { action, ...n };
        break;
      case 'contact_customer':
        request = {
          action,
          ...n,
          ...(required(contactValue) ? { contact: { channel: channel as 'phone', value: contactValue.trim(), ...(contactName.trim() ? { name: contactName.trim() } : {}) } } : {}),
        };
        break;
      case 'propose_resolution':
        if (!required(note)) return setError(t('incidents.form.required'));
        request = { action, resolution: resolution as 'void', amountMinor: amountMinor!, note: note.trim() };
        break;
      case 'reject':
      case 'reopen':
        if (!required(reason)) return setError(t('incidents.form.required'));
        request = { action, reason: reason.trim() };
        break;
      case 'execute':
      case 'pay_out':
        if (method === 'adjustment' && !adjustmentId) return setError(t('incidents.form.noAdjustment'));
        if (method === 'transfer' && !required(reference)) return setError(t('incidents.form.required'));
        request = {
          action,
          method: method as 'transfer',
          ...n,
          ...(method === 'adjustment' ? { adjustmentId: Number(adjustmentId) } : {}),
          ...(amountMinor ? { amountMinor } : {}),
          ...(reference.trim() ? { reference: reference.trim() } : {}),
        };
        break;
      case 'mark_unreachable':
        if (!required(note)) return setError(t('incidents.form.required'));
        request = { action, note: note.trim(), ...(amountMinor ? { amountMinor } : {}) };
        break;
      case 'notify_customer':
        request = { action, channel: channel as 'phone', ...n };
        break;
      case 'close':
        if (!required(rootCause)) return setError(t('incidents.form.required'));
        request = { action, rootCause: rootCause.trim(), prevention: prevention as 'training', ...(preventionNote.trim() ? { preventionNote: preventionNote.trim() } : {}) };
        break;
    }
    onSubmit(request);
  }

  const field = (label: string, control: React.ReactNode, key: string) => (
    <label className="field" key={key}>
      <span className="field__label">{label}</span>
      {control}
    </label>
  );
  const methods =
    action === 'pay_out' ? ['cash', 'transfer', 'adjustment'] : ['terminal', 'adjustment', 'transfer'].filter((m) => m !== 'terminal' || detail.chargeId !== null);

  return (
    <form className="step-form" data-testid="step-form" data-action={action} onSubmit={submit} noValidate aria-labelledby={`${id}-title`}>
      <h4 id={`${id}-title`} className="step-form__title">
        {t(`incidents.action.${action}`)}
      </h4>
      <div className="step-form__fields">
        {action === 'propose_resolution' &&
          field(
            t('incidents.form.resolution'),
            <select className="input" data-testid="step-resolution" value={resolution} onChange={(e) => setResolution(e.target.value)}>
              {ResolutionType.options.map((r) => (
                <option key={r} value={r}>
                  {t(`incidents.resolution.${r}`)}
                </option>
              ))}
            </select>,
            'resolution',
          )}
        {(action === 'execute' || action === 'pay_out') &&
          field(
            t('incidents.form.method'),
            <select className="input" data-testid="step-method" value={method} onChange={(e) => setMethod(e.target.value)}>
              {methods.map((m) => (
                <option key={m} value={m}>
                  {t(`incidents.method.${m}`)}
                </option>
              ))}
            </select>,
            'method',
          )}
        {(action === 'execute' || action === 'pay_out') && method === 'adjustment' &&
          field(
            t('incidents.form.adjustment'),
            adjustments.length === 0 ? (
              <span className="muted">{t('incidents.form.noAdjustment')}</span>
            ) : (
              <select className="input" data-testid="step-adjustment" value={adjustmentId} onChange={(e) => setAdjustmentId(e.target.value)}>
                {adjustments.map((a) => (
                  <option key={a.id} value={a.id}>
                    {t('incidents.detail.adjustmentLine', { kind: a.kind.toUpperCase(), id: a.id, state: t(`incidents.adjustmentState.${a.state}`), amount: money(a.amountMinor, a.currency, locale) })}
                  </option>
                ))}
              </select>
            ),
            'adjustment',
          )}
        {withAmount &&
          field(
            `${t('incidents.form.amount')} (${currencyInfo(detail.currency)?.alpha ?? detail.currency ?? ''})`,
            <input
              className="input input--amount"
              data-testid="step-amount"
              inputMode="decimal"
              value={amount}
              aria-invalid={!parsed.ok && amount !== '' ? true : undefined}
              onChange={(e) => setAmount(e.target.value)}
            />,
            'amount',
          )}
        {(action === 'execute' || action === 'pay_out') &&
          method === 'transfer' &&
          field(t('incidents.form.reference'), <input className="input" data-testid="step-reference" value={reference} maxLength={100} onChange={(e) => setReference(e.target.value)} />, 'reference')}
        {(action === 'notify_customer' || action === 'contact_customer') &&
          field(
            action === 'notify_customer' ? t('incidents.form.channel') : t('incidents.form.contactChannel'),
            <select className="input" data-testid="step-channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
              {(action === 'notify_customer' ? NotifyChannel.options : (['phone', 'email', 'wechat', 'other'] as const)).map((c) => (
                <option key={c} value={c}>
                  {t(`incidents.channel.${c}`)}
                </option>
              ))}
            </select>,
            'channel',
          )}
        {action === 'contact_customer' && (
          <>
            {field(t('incidents.form.contactValue'), <input className="input" data-testid="step-contact-value" value={contactValue} maxLength={200} onChange={(e) => setContactValue(e.target.value)} />, 'cv')}
            {field(t('incidents.form.contactName'), <input className="input" data-testid="step-contact-name" value={contactName} maxLength={100} onChange={(e) => setContactName(e.target.value)} />, 'cn')}
          </>
        )}
        {(action === 'reject' || action === 'reopen') &&
          field(t('incidents.form.reason'), <input className="input step-form__wide" data-testid="step-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />, 'reason')}
        {action === 'close' && (
          <>
            {field(t('incidents.form.rootCause'), <input className="input step-form__wide" data-testid="step-root-cause" value={rootCause} maxLength={1000} onChange={(e) => setRootCause(e.target.value)} />, 'rc')}
            {field(
              t('incidents.form.prevention'),
              <select className="input" data-testid="step-prevention" value={prevention} onChange={(e) => setPrevention(e.target.value)}>
                {PreventionAction.options.map((p) => (
                  <option key={p} value={p}>
                    {t(`incidents.prevention.${p}`)}
                  </option>
                ))}
              </select>,
              'prev',
            )}
            {field(t('incidents.form.preventionNote'), <input className="input step-form__wide" data-testid="step-prevention-note" value={preventionNote} maxLength={500} onChange={(e) => setPreventionNote(e.target.value)} />, 'pn')}
          </>
        )}
        {(NEEDS.note as readonly string[]).includes(action) &&
          field(t('incidents.form.note'), <input className="input step-form__wide" data-testid="step-note" value={note} maxLength={1000} onChange={(e) => setNote(e.target.value)} />, 'note')}
      </div>
      {error && (
        <p className="step-form__error" role="alert" data-testid="step-form-error">
          {error}
        </p>
      )}
      <div className="step-form__actions">
        <button type="submit" className="button button--secondary" data-testid="step-submit" disabled={busy}>
          {t('incidents.form.submit')}
        </button>
        <button type="button" className="button button--ghost" onClick={onCancel} disabled={busy}>
          {t('incidents.form.cancel')}
        </button>
      </div>
    </form>
  );
}
