import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncidentDetail } from '../../../electron/contract/commands/incidents.js';
import { ContactOutcome, type StepAction } from '../../../electron/contract/commands/incidents.js';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';
import { useAppStore } from '../../store/context.js';
import { useIncidents } from '../../store/incidentsContext.js';
import { StepForm } from './StepForm.js';
import { incidentErrorText, money, when } from './text.js';

function Row({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="incident-facts__row">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

/** One incident: its facts and money, the next steps, notes, contact, evidence, and the timeline. */
export function IncidentDetailPanel({ detail }: { detail: IncidentDetail }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const isManager = useAuth((s) => hasRole(s.status, 'manager'));
  const busy = useIncidents((s) => s.busy);
  const actionError = useIncidents((s) => s.actionError);
  const step = useIncidents((s) => s.step);
  const close = useIncidents((s) => s.open);
  const [action, setAction] = useState<StepAction | null>(null);
  const m = (minor: number | null) => money(minor, detail.currency, locale);

  async function submitStep(request: Parameters<typeof step>[0]) {
    if (await step(request)) setAction(null);
  }

  return (
    <section className="incident-detail" data-testid="incident-detail" data-incident-id={detail.id} data-status={detail.status} aria-label={t('incidents.detail.title', { id: detail.id })}>
      <header className="incident-detail__head">
        <h3 className="incident-detail__title">
          {t('incidents.detail.title', { id: detail.id })} · {t(`incidents.kind.${detail.kind}`)}
        </h3>
        <span className={`incident-status incident-status--${detail.status}`} data-testid="incident-status" data-status={detail.status}>
          {t(`incidents.status.${detail.status}`)}
        </span>
        <button type="button" className="button button--ghost incident-detail__close" onClick={() => void close(null)} aria-label={t('incidents.close')}>
          ✕
        </button>
      </header>
      <p className="muted">
        {t('incidents.detail.opened', { time: when(detail.createdAt, locale), actor: detail.createdBy })}
        {detail.reopenedCount > 0 && ` · ${t('incidents.detail.reopened', { n: detail.reopenedCount })}`}
      </p>

      {actionError && (
        <div className="banner banner--error" role="alert" data-testid="incident-error" data-code={actionError.code}>
          <span className="banner__text">{incidentErrorText(t, actionError)}</span>
        </div>
      )}

      <div className="incident-detail__grid">
        <dl className="incident-facts" aria-label={t('incidents.detail.amounts')}>
          <Row label={t('incidents.detail.charged')} value={m(detail.chargedMinor)} />
          <Row label={t('incidents.detail.intended')} value={m(detail.intendedMinor)} />
          <Row label={t('incidents.detail.owed')} value={m(detail.owedMinor)} testId="incident-owed" />
          <Row label={t('incidents.detail.returned')} value={m(detail.returnedMinor)} testId="incident-returned" />
          <Row label={t('incidents.detail.suspense')} value={m(detail.suspenseMinor)} testId="incident-suspense" />
          <Row label={t('incidents.detail.outstanding')} value={m(detail.outstandingMinor)} testId="incident-outstanding" />
        </dl>
        <dl className="incident-facts" aria-label={t('incidents.detail.facts')}>
          <Row label={t('incidents.detail.cause')} value={detail.cause ? t(`incidents.cause.${detail.cause}`) : '—'} />
          <Row label={t('incidents.detail.card')} value={detail.panMasked ?? '—'} />
          <Row label={`${t('incidents.detail.trace')} / ${t('incidents.detail.rrn')}`} value={`${detail.trace ?? '—'} / ${detail.rrn ?? '—'}`} />
          <Row label={t('incidents.detail.auth')} value={detail.authCode ?? '—'} />
          <Row label={`${t('incidents.detail.terminal')} / ${t('incidents.detail.batch')}`} value={`${detail.terminalId ?? '—'} / ${detail.batch ?? '—'}`} />
          <Row
            label={t('incidents.detail.contact')}
            testId="incident-contact"
            value={detail.contact ? `${detail.contact.name ? `${detail.contact.name} · ` : ''}${detail.contact.value}` : (detail.contactMasked ?? t('incidents.detail.noContact'))}
          />
          {detail.proposal && (
            <Row label={t('incidents.detail.proposal')} value={`${t(`incidents.resolution.${detail.proposal}`)} ${m(detail.proposalMinor)}${detail.proposalNote ? ` — ${detail.proposalNote}` : ''}`} />
          )}
          {detail.rejectionReason && <Row label={t('incidents.detail.rejected')} value={detail.rejectionReason} testId="incident-rejection" />}
          {detail.rootCause && <Row label={t('incidents.detail.rootCause')} value={detail.rootCause} />}
          {detail.prevention && <Row label={t('incidents.detail.prevention')} value={t(`incidents.prevention.${detail.prevention}`)} />}
        </dl>
      </div>
      {!detail.contact && detail.contactMasked && <p className="muted">{t('incidents.detail.contactMaskedHint')}</p>}

      <section className="incident-next" aria-label={t('incidents.detail.next')}>
        <h4>{t('incidents.detail.next')}</h4>
        {detail.steps.length === 0 && <p className="muted">{t('incidents.detail.noSteps')}</p>}
        <div className="incident-next__buttons">
          {detail.steps.map((s) => (
            <button
              key={s.action}
              type="button"
              className={`button ${action === s.action ? 'button--secondary' : 'button--ghost'}`}
              data-testid={`step-button-${s.action}`}
              disabled={busy || (s.managerOnly && !isManager)}
              title={s.managerOnly && !isManager ? t('incidents.managerHint') : undefined}
              onClick={() => setAction(s.action)}
            >
              {t(`incidents.action.${s.action}`)}
              {s.managerOnly && <span className="chip incident-next__manager">{t('incidents.managerOnly')}</span>}
            </button>
          ))}
        </div>
        {action && detail.steps.some((s) => s.action === action) && (
          <StepForm key={`${detail.id}-${action}`} detail={detail} action={action} busy={busy} onSubmit={(r) => void submitStep(r)} onCancel={() => setAction(null)} />
        )}
      </section>

      <SideActions detail={detail} isManager={isManager} />

      <section className="incident-section" aria-label={t('incidents.detail.charges')}>
        <h4>{t('incidents.detail.charges')}</h4>
        <ul className="incident-list-plain">
          {detail.charges.map((c) => (
            <li key={c.charge.id} data-testid="incident-charge" data-role={c.role}>
              {t(`incidents.detail.role.${c.role}`)}: {c.charge.trace} · {c.charge.rrn} · {money(c.charge.amountMinor, c.charge.currency, locale)} · {t(`status.${c.charge.status}`)}
            </li>
          ))}
        </ul>
        <h4>{t('incidents.detail.adjustments')}</h4>
        {detail.adjustments.length === 0 ? (
          <p className="muted">{t('incidents.detail.noAdjustments')}</p>
        ) : (
          <ul className="incident-list-plain">
            {detail.adjustments.map((a) => (
              <li key={a.id} data-testid="incident-adjustment" data-state={a.state} data-kind={a.kind}>
                {t('incidents.detail.adjustmentLine', { kind: a.kind.toUpperCase(), id: a.id, state: t(`incidents.adjustmentState.${a.state}`), amount: money(a.amountMinor, a.currency, locale) })}
                {a.rrn ? ` · RRN ${a.rrn}` : ''}
              </li>
            ))}
          </ul>
        )}
        <h4>{t('incidents.detail.evidence')}</h4>
        {detail.evidence.length === 0 ? (
          <p className="muted">{t('incidents.detail.noEvidence')}</p>
        ) : (
          <ul className="incident-list-plain">
            {detail.evidence.map((e) => (
              <li key={e.id} data-testid="evidence-row" data-sha256={e.sha256}>
                {e.originalName} · {e.sizeBytes} B · <span className="incident-mono">{t('incidents.evidence.sha', { sha: e.sha256.slice(0, 16) })}…</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="incident-section" aria-label={t('incidents.detail.timeline')}>
        <h4>{t('incidents.detail.timeline')}</h4>
        <ol className="incident-timeline" data-testid="incident-timeline">
          {detail.events.map((e) => (
            <li key={e.id} className="incident-timeline__entry" data-testid="timeline-entry" data-action={e.action}>
              <span className="incident-timeline__time">{when(e.at, locale)}</span>
              <span className="incident-timeline__actor">{e.actor}</span>
              <span className="incident-timeline__what">
                {t(`incidents.action.${e.action}`)}
                {e.amountMinor !== null && ` · ${m(e.amountMinor)}`}
                {typeof e.data.channel === 'string' && ` · ${t(`incidents.channel.${e.data.channel}`)}`}
                {typeof e.data.outcome === 'string' && ` · ${t(`incidents.outcome.${e.data.outcome}`)}`}
                {typeof e.data.reference === 'string' && e.data.reference && ` · ${e.data.reference}`}
                {e.note && ` — ${e.note}`}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </section>
  );
}

/** Notes, contact attempts, the customer's contact and evidence: possible at any time (until closed). */
function SideActions({ detail, isManager }: { detail: IncidentDetail; isManager: boolean }) {
  const { t } = useTranslation();
  const busy = useIncidents((s) => s.busy);
  const note = useIncidents((s) => s.note);
  const attempt = useIncidents((s) => s.contactAttempt);
  const setContact = useIncidents((s) => s.setContact);
  const addEvidence = useIncidents((s) => s.addEvidence);
  const choose = useIncidents((s) => s.choose);
  const [text, setText] = useState('');
  const [channel, setChannel] = useState<'phone' | 'email' | 'wechat' | 'other'>('phone');
  const [outcome, setOutcome] = useState<string>('no_answer');
  const [attemptNote, setAttemptNote] = useState('');
  const [contactValue, setContactValue] = useState('');
  const [path, setPath] = useState('');
  const [typedOnly, setTypedOnly] = useState(false);
  const closed = detail.status === 'closed';

  const submitNote = async (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() && (await note(text.trim()))) setText('');
  };
  const submitAttempt = async (e: FormEvent) => {
    e.preventDefault();
    if (await attempt({ channel, outcome: outcome as 'no_answer', ...(attemptNote.trim() ? { note: attemptNote.trim() } : {}) })) setAttemptNote('');
  };
  const submitContact = async (e: FormEvent) => {
    e.preventDefault();
    if (contactValue.trim() && (await setContact({ channel, value: contactValue.trim() }))) setContactValue('');
  };
  const submitEvidence = async (e: FormEvent) => {
    e.preventDefault();
    if (path.trim() && (await addEvidence(path.trim()))) setPath('');
  };
  // The desktop's native chooser; the browser host has none: the full path is typed instead.
  const pick = async () => {
    const chosen = await choose('file');
    if (!chosen.supported) setTypedOnly(true);
    else if (chosen.path) setPath(chosen.path);
  };

  return (
    <section className="incident-side" aria-label={t('incidents.detail.notes')}>
      <form className="incident-inline" onSubmit={(e) => void submitNote(e)}>
        <input className="input incident-inline__grow" data-testid="note-input" placeholder={t('incidents.detail.notes')} aria-label={t('incidents.detail.notes')} value={text} maxLength={1000} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="button button--ghost" data-testid="note-submit" disabled={busy || !text.trim()}>
          {t('incidents.detail.noteSubmit')}
        </button>
      </form>
      {!closed && detail.hasCustomer && (
        <form className="incident-inline" onSubmit={(e) => void submitAttempt(e)} aria-label={t('incidents.detail.attempts')}>
          <select className="input" data-testid="attempt-channel" aria-label={t('incidents.form.channel')} value={channel} onChange={(e) => setChannel(e.target.value as 'phone')}>
            {(['phone', 'email', 'wechat', 'other'] as const).map((c) => (
              <option key={c} value={c}>
                {t(`incidents.channel.${c}`)}
              </option>
            ))}
          </select>
          <select className="input" data-testid="attempt-outcome" aria-label={t('incidents.form.outcome')} value={outcome} onChange={(e) => setOutcome(e.target.value)}>
            {ContactOutcome.options.map((o) => (
              <option key={o} value={o}>
                {t(`incidents.outcome.${o}`)}
              </option>
            ))}
          </select>
          <input className="input incident-inline__grow" data-testid="attempt-note" aria-label={t('incidents.form.note')} placeholder={t('incidents.form.note')} value={attemptNote} maxLength={500} onChange={(e) => setAttemptNote(e.target.value)} />
          <button type="submit" className="button button--ghost" data-testid="attempt-submit" disabled={busy}>
            {t('incidents.detail.attemptSubmit')}
          </button>
        </form>
      )}
      {!closed && detail.hasCustomer && (
        <form className="incident-inline" onSubmit={(e) => void submitContact(e)} aria-label={t('incidents.detail.setContact')}>
          <input className="input incident-inline__grow" data-testid="contact-value" aria-label={t('incidents.form.contactValue')} placeholder={t('incidents.form.contactValue')} value={contactValue} maxLength={200} onChange={(e) => setContactValue(e.target.value)} />
          <button type="submit" className="button button--ghost" data-testid="contact-submit" disabled={busy || !contactValue.trim()}>
            {t('incidents.detail.contactSubmit')}
          </button>
        </form>
      )}
      {isManager && (
        <form className="incident-inline" onSubmit={(e) => void submitEvidence(e)} aria-label={t('incidents.detail.evidence')}>
          <input
            className="input incident-inline__grow"
            data-testid="evidence-path"
            aria-label={t('incidents.evidence.path')}
            placeholder={t('incidents.evidence.pathHint')}
            value={path}
            spellCheck={false}
            onChange={(e) => setPath(e.target.value)}
          />
          <button type="button" className="button button--ghost" data-testid="evidence-choose" onClick={() => void pick()}>
            {t('incidents.evidence.choose')}
          </button>
          <button type="submit" className="button button--ghost" data-testid="evidence-submit" disabled={busy || !path.trim()}>
            {t('incidents.evidence.add')}
          </button>
        </form>
      )}
      {isManager && typedOnly && (
        <p className="muted" data-testid="evidence-typed-hint">
          {t('incidents.evidence.pathHint')}
        </p>
      )}
    </section>
  );
}
