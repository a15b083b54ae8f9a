/** The incident log's repository over the real ledger (schema v7): steps, timeline, audit, list, dashboard. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncidentDetail as IncidentDetailSchema } from '../../../electron/contract/commands/incidents.js';
import { applyTerminalAnswer, insertAdjustmentIn } from '../../../electron/ledger/adjustments.js';
import {
  addIncidentNote,
  applyIncidentStep,
  createIncident,
  getIncidentDetail,
  incidentDashboard,
  linkIncidentCharge,
  listIncidents,
  logContactAttempt,
  recordEvidence,
  setIncidentContact,
  weekStartOf,
} from '../../../electron/ledger/incidentCases.js';
import { connectionForTests, openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { settlementBlockers } from '../../../electron/ledger/settlements.js';
import { localDateOf } from '../../../electron/domain/localDate.js';
import { ledgerErrorOf, newCharge, tempLedgerFile, testClock } from '../ledger/helpers.js';
import { CASHIER, MANAGER, REVIEWER, TO_APPROVED, flagged, walk } from './helpers.js';

let ledger: Ledger;
beforeEach(async () => {
  ledger = await openLedger(tempLedgerFile(), { clock: testClock('2026-11-23T06:00:00.000Z', 60_000) });
});
afterEach(() => ledger.close());

const detail = (id: number, reveal = true) => getIncidentDetail(ledger, id, { revealContact: reveal });

/** A void/refund of `chargeId` answered by the terminal (rc 00 = approved). */
function adjustment(chargeId: number, kind: 'void' | 'refund', amountMinor: number, rc = '00', incidentId: number | null = null) {
  const charge = ledger.getCharge(chargeId)!;
  const request = ledger.createHostRequest({ type: kind === 'void' ? 'VD' : 'RF', fields: { AM: String(amountMinor).padStart(12, '0') }, chargeId }, MANAGER);
  const id = ledger.transact((tx) =>
    insertAdjustmentIn(tx, { chargeId, kind, amountMinor, currency: charge.currency, reason: 'wrong_amount', note: 'n', incidentId }, request, MANAGER),
  );
  applyTerminalAnswer(ledger, request.seq, { state: 'answered', rc, response: { TR: '000901', RF: '331822000901', AC: 'A1B2C3', DT: '20261123140000' } }, 'terminal');
  return id;
}

describe('the workflow, step by step', () => {
  it('a 10× slip: open → … → closed, every step one audit row naming who, the timeline in order, resolved once executed', () => {
    const { incident, charge } = flagged(ledger, 128000, 12800);
    expect(detail(incident.id)).toMatchObject({ status: 'open', owedMinor: 115200, outstandingMinor: 115200, hasCustomer: true });
    expect(settlementBlockers(ledger).map((b) => b.charge.id)).toEqual([charge.id]);
    const head = ledger.auditHead()!.seq;

    walk(ledger, incident.id, TO_APPROVED);
    const executed = applyIncidentStep(ledger, incident.id, { action: 'execute', method: 'transfer', amountMinor: 115200, reference: 'WX-20261123-01' }, MANAGER);
    expect(executed).toMatchObject({ status: 'executed', returnedMinor: 115200, outstandingMinor: 0 });
    // The money is back: the flagged charge no longer holds up the batch.
    expect(settlementBlockers(ledger)).toEqual([]);
    walk(ledger, incident.id, [
      { action: 'notify_customer', channel: 'phone', note: 'told him' },
      { action: 'close', rootCause: 'an extra zero was keyed', prevention: 'training', preventionNote: 'blind re-key on' },
    ]);

    const d = detail(incident.id);
    expect(IncidentDetailSchema.parse(d)).toBeTruthy();
    expect(d).toMatchObject({
      status: 'closed',
      rootCause: 'an extra zero was keyed',
      prevention: 'training',
      preventionNote: 'blind re-key on',
      resolvedBy: MANAGER,
      resolution: 'transfer',
      contact: { name: '王小明', channel: 'phone', value: '13812345678' },
      contactMasked: '王** · 138****5678',
      steps: [{ action: 'reopen', managerOnly: true }],
    });
    expect(d.closedAt).not.toBeNull();
    expect(d.events.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ['opened', null, 'open'],
      ['start_verification', 'open', 'verifying'],
      ['contact_customer', 'verifying', 'contacting_customer'],
      ['propose_resolution', 'contacting_customer', 'resolution_proposed'],
      ['submit_for_review', 'resolution_proposed', 'manager_review'],
      ['approve', 'manager_review', 'approved'],
      ['execute', 'approved', 'executed'],
      ['notify_customer', 'executed', 'customer_notified'],
      ['close', 'customer_notified', 'closed'],
    ]);
    expect(d.events.find((e) => e.action === 'execute')).toMatchObject({ amountMinor: 115200, data: { method: 'transfer', reference: 'WX-20261123-01' } });
    const rows = ledger.auditRows(head + 1, 100);
    expect(rows.map((r) => r.action)).toEqual([
      'incident.start_verification',
      'incident.contact_customer',
      'incident.propose_resolution',
      'incident.submit_for_review',
      'incident.approve',
      'incident.execute',
      'incident.notify_customer',
      'incident.close',
    ]);
    // Four-eyes: the proposal's review is by a second person; everything else by the manager.
    expect(rows.map((r) => r.actor)).toEqual([MANAGER, MANAGER, MANAGER, MANAGER, REVIEWER, MANAGER, MANAGER, MANAGER]);
    expect(rows.every((r) => r.entity === 'incident' && r.entityId === String(incident.id))).toBe(true);
    // The phone number is in the incident (erasable), never in the append-only audit log.
    expect(JSON.stringify(rows)).not.toContain('13812345678');
    expect(rows[1]!.data).toMatchObject({ contact: '王** · 138****5678' });
    expect(ledger.verifyAudit().ok).toBe(true);
  });

  it('refuses a step from the wrong status with a specific code; nothing changes, no audit row', () => {
    const { incident } = flagged(ledger, 5000, 0, {}, 'duplicate');
    const head = ledger.auditHead();
    const err = ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'approve' }, MANAGER));
    expect(err.code).toBe('incident.not_allowed_from_status');
    expect(err.params).toMatchObject({ status: 'open', action: 'approve', allowed: 'manager_review' });
    expect(err.message).toMatch(/cannot be taken while the incident is open/);
    expect(ledgerErrorOf(() => applyIncidentStep(ledger, 999, { action: 'start_verification' }, MANAGER)).code).toBe('incident.not_found');
    expect(ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'start_verification' }, ' ')).code).toBe('actor.invalid');
    expect(ledger.auditHead()).toEqual(head);
    expect(detail(incident.id).status).toBe('open');
  });

  it('all or nothing: when the timeline entry cannot be written, the step is not taken and no audit row remains', () => {
    const { incident } = flagged(ledger, 5000, 0, {}, 'duplicate');
    const head = ledger.auditHead();
    connectionForTests(ledger).exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON incident_events BEGIN SELECT RAISE(ABORT, 'disk trouble'); END");
    expect(ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'start_verification' }, CASHIER)).code).toBe('db.error');
    connectionForTests(ledger).exec('DROP TRIGGER temp.boom');
    expect(detail(incident.id).status).toBe('open');
    expect(ledger.auditHead()).toEqual(head);
  });

  it('executed by a void the terminal approved: linked, counted once; a declined one, another charge\'s or a used one is refused', () => {
    const { incident, charge } = flagged(ledger, 128000, 12800);
    const other = ledger.recordCharge(newCharge({ amountMinor: 900 }), 'terminal:1').charge;
    walk(ledger, incident.id, TO_APPROVED);
    const declined = adjustment(charge.id, 'void', 128000, '51', incident.id);
    expect(ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'execute', method: 'adjustment', adjustmentId: declined }, MANAGER)).code).toBe(
      'incident.adjustment_not_approved',
    );
    const foreign = adjustment(other.id, 'void', 900);
    expect(ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'execute', method: 'adjustment', adjustmentId: foreign }, MANAGER)).code).toBe(
      'incident.adjustment_other_charge',
    );
    expect(ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'execute', method: 'transfer', amountMinor: 1 }, MANAGER)).code).toBe(
      'incident.reference_required',
    );
    const voided = adjustment(charge.id, 'void', 128000); // made on the void screen, not yet linked
    const summary = applyIncidentStep(ledger, incident.id, { action: 'execute', method: 'adjustment', adjustmentId: voided }, MANAGER);
    expect(summary).toMatchObject({ status: 'executed', returnedMinor: 128000, outstandingMinor: 0 });
    const d = detail(incident.id);
    expect(d.adjustments.map((a) => [a.id, a.state])).toEqual([
      [declined, 'declined'],
      [voided, 'approved'],
    ]);
    expect(d.resolution).toBe('void');
    expect(ledger.getCharge(charge.id)!.status).toBe('voided');
    // Reopened and executed again: the same void cannot be counted twice.
    walk(ledger, incident.id, [{ action: 'notify_customer', channel: 'in_person' }, { action: 'close', rootCause: 'x', prevention: 'none' }, { action: 'reopen', reason: 'bank says no credit' }]);
    walk(ledger, incident.id, TO_APPROVED.slice(0, 1).concat(TO_APPROVED.slice(2)));
    expect(ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'execute', method: 'adjustment', adjustmentId: voided }, MANAGER)).code).toBe(
      'incident.adjustment_already_used',
    );
  });

  it('customer unreachable: held in suspense with the amount owed, shown until paid out (in parts), then executed', () => {
    const { incident } = flagged(ledger, 128000, 12800);
    walk(ledger, incident.id, TO_APPROVED.slice(0, 2));
    logContactAttempt(ledger, incident.id, { channel: 'phone', outcome: 'no_answer' }, CASHIER);
    logContactAttempt(ledger, incident.id, { channel: 'phone', outcome: 'wrong_number', note: 'number on the slip is wrong' }, CASHIER);
    const held = applyIncidentStep(ledger, incident.id, { action: 'mark_unreachable', note: 'two calls, wrong number' }, MANAGER);
    expect(held).toMatchObject({ status: 'held_in_suspense', suspenseMinor: 115200, outstandingMinor: 0 });
    expect(settlementBlockers(ledger)).toEqual([]);
    let dash = incidentDashboard(ledger, 4, new Date('2026-11-23T08:00:00.000Z'));
    expect(dash.suspense.map((s) => [s.id, s.suspenseMinor])).toEqual([[incident.id, 115200]]);
    expect(dash.money).toEqual([{ currency: '156', atRiskMinor: 0, returnedMinor: 0, suspenseMinor: 115200 }]);

    expect(ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'pay_out', method: 'cash', amountMinor: 115201 }, MANAGER)).code).toBe(
      'incident.amount_exceeds_suspense',
    );
    expect(applyIncidentStep(ledger, incident.id, { action: 'pay_out', method: 'cash', amountMinor: 15200, note: 'he came back' }, MANAGER)).toMatchObject({
      status: 'held_in_suspense',
      suspenseMinor: 100000,
      returnedMinor: 15200,
    });
    expect(applyIncidentStep(ledger, incident.id, { action: 'pay_out', method: 'transfer', reference: 'BANK-77' }, MANAGER)).toMatchObject({
      status: 'executed',
      suspenseMinor: 0,
      returnedMinor: 115200,
    });
    dash = incidentDashboard(ledger, 4, new Date('2026-11-23T08:00:00.000Z'));
    expect(dash.suspense).toEqual([]);
    expect(dash.money).toEqual([{ currency: '156', atRiskMinor: 0, returnedMinor: 115200, suspenseMinor: 0 }]);
    const d = detail(incident.id);
    expect(d.events.filter((e) => e.action === 'contact_attempt').map((e) => e.data)).toEqual([
      { channel: 'phone', outcome: 'no_answer' },
      { channel: 'phone', outcome: 'wrong_number' },
    ]);
  });

  it('rejected with a reason, then reopened (audited, counted); a reopen that would give a charge two open incidents is refused', () => {
    const { incident, charge } = flagged(ledger, 3000, 3000, {}, 'other');
    walk(ledger, incident.id, [
      { action: 'start_verification' },
      { action: 'propose_resolution', resolution: 'refund', amountMinor: 3000, note: 'customer says wrong' },
      { action: 'submit_for_review' },
      { action: 'reject', reason: 'the amount was right' },
    ]);
    expect(detail(incident.id)).toMatchObject({ status: 'rejected', rejectionReason: 'the amount was right' });
    walk(ledger, incident.id, [{ action: 'reopen', reason: 'customer brought the till slip' }]);
    expect(detail(incident.id)).toMatchObject({ status: 'open', reopenedCount: 1, resolvedAt: null });
    walk(ledger, incident.id, [
      { action: 'start_verification' },
      { action: 'propose_resolution', resolution: 'refund', amountMinor: 3000, note: 'x' },
      { action: 'submit_for_review' },
      { action: 'reject', reason: 'still right' },
      { action: 'close', rootCause: 'no error', prevention: 'none' },
    ]);
    expect(ledger.auditRows(1, 1000).filter((r) => r.action === 'incident.reopen').map((r) => r.data)).toEqual([
      expect.objectContaining({ from: 'rejected', to: 'open', note: 'customer brought the till slip' }),
    ]);
    // A manager opens a second incident for the same charge; the first cannot be reopened beside it.
    createIncident(ledger, { kind: 'wrong_amount', cause: 'other', chargeId: charge.id, intendedMinor: 2000, note: 'second look' }, MANAGER);
    expect(ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, { action: 'reopen', reason: 'again' }, MANAGER)).code).toBe('incident.already_open');
  });
});

describe('facts, contact, evidence, links', () => {
  it('the contact is masked in lists and for anyone but a manager; notes and links go on the timeline', () => {
    const { incident } = flagged(ledger, 5600, 0, {}, 'duplicate');
    setIncidentContact(ledger, incident.id, { channel: 'email', value: 'li.na@example.com', name: 'Li Na' }, CASHIER);
    addIncidentNote(ledger, incident.id, '  =cmd|calc  ', CASHIER);
    const related = ledger.recordCharge(newCharge({ amountMinor: 5600 }), 'terminal:1').charge;
    linkIncidentCharge(ledger, incident.id, related.id, 'related', MANAGER);
    expect(ledgerErrorOf(() => linkIncidentCharge(ledger, incident.id, related.id, 'related', MANAGER)).code).toBe('incident.charge_already_linked');
    const [item] = listIncidents(ledger, {}).items;
    expect(item).toMatchObject({ id: incident.id, contactMasked: 'L***a · l***@example.com' });
    expect(JSON.stringify(item)).not.toContain('li.na@');
    expect(detail(incident.id, false).contact).toBeNull();
    expect(detail(incident.id, true).contact).toEqual({ name: 'Li Na', channel: 'email', value: 'li.na@example.com' });
    const d = detail(incident.id);
    expect(d.events.map((e) => e.action)).toEqual(['opened', 'contact_set', 'note', 'charge_linked']);
    expect(d.events[2]!.note).toBe('=cmd|calc');
    expect(d.charges.map((c) => [c.role, c.charge.id])).toEqual([
      ['original', incident.chargeId],
      ['related', related.id],
    ]);
  });

  it('evidence is recorded once per file (by SHA-256), with its stored path', () => {
    const { incident } = flagged(ledger, 5600, 0, {}, 'duplicate');
    const sha = 'a'.repeat(64);
    recordEvidence(ledger, incident.id, { sha256: sha, sizeBytes: 12, originalName: '小票.jpg', ext: 'jpg' }, MANAGER);
    expect(detail(incident.id).evidence).toEqual([
      expect.objectContaining({ sha256: sha, sizeBytes: 12, originalName: '小票.jpg', storedPath: `evidence/${incident.id}/${sha}.jpg`, addedBy: MANAGER }),
    ]);
    expect(ledgerErrorOf(() => recordEvidence(ledger, incident.id, { sha256: sha, sizeBytes: 12, originalName: 'again.jpg', ext: 'jpg' }, MANAGER)).code).toBe(
      'incident.evidence_duplicate',
    );
  });

  it('a manual incident (transfer error) without a charge: the amount owed is given', () => {
    const s = createIncident(ledger, { kind: 'transfer_error', cause: 'network', owedMinor: 2500, currency: '156', note: 'paid twice by WeChat' }, MANAGER);
    expect(s).toMatchObject({ kind: 'transfer_error', chargeId: null, owedMinor: 2500, outstandingMinor: 2500, status: 'open' });
    expect(ledgerErrorOf(() => createIncident(ledger, { kind: 'over_charge', cause: 'network', note: 'x' }, MANAGER)).code).toBe('incident.charge_required');
  });
});

describe('the list and the dashboard', () => {
  it('filters by status (or active), kind, date and amount owed; newest first with keyset pages', () => {
    const a = flagged(ledger, 128000, 12800).incident; // owed 115200
    const b = flagged(ledger, 5600, 0, {}, 'duplicate').incident; // owed 5600
    const c = flagged(ledger, 900, 1000).incident; // owed 0
    walk(ledger, c.id, [
      { action: 'start_verification' },
      { action: 'propose_resolution', resolution: 'compensation', amountMinor: 100, note: 'x' },
      { action: 'submit_for_review' },
      { action: 'reject', reason: 'n' },
      { action: 'close', rootCause: 'n', prevention: 'none' },
    ]);
    const ids = (f: Parameters<typeof listIncidents>[1]) => listIncidents(ledger, f).items.map((i) => i.id);
    expect(ids({})).toEqual([c.id, b.id, a.id]);
    expect(ids({ status: 'active' })).toEqual([b.id, a.id]);
    expect(ids({ status: 'closed' })).toEqual([c.id]);
    expect(ids({ kind: 'duplicate_charge' })).toEqual([b.id]);
    expect(ids({ minAmountMinor: 5600 })).toEqual([b.id, a.id]);
    expect(ids({ minAmountMinor: 1, maxAmountMinor: 6000 })).toEqual([b.id]);
    const day = localDateOf(new Date(a.createdAt));
    expect(ids({ fromDate: day, toDate: day })).toEqual([c.id, b.id, a.id]);
    expect(ids({ fromDate: day, toDate: day, kind: 'over_charge' })).toEqual([a.id]);
    expect(ids({ toDate: '2026-01-01' })).toEqual([]);
    expect(ids({ fromDate: '2030-01-01' })).toEqual([]);
    const page1 = listIncidents(ledger, { limit: 2 });
    expect(page1.items.map((i) => i.id)).toEqual([c.id, b.id]);
    expect(listIncidents(ledger, { limit: 2, beforeId: page1.nextBeforeId! }).items.map((i) => i.id)).toEqual([a.id]);
    expect(ledgerErrorOf(() => listIncidents(ledger, { fromDate: '2026-02-30' })).code).toBe('incident.invalid_filter');
    expect(ledgerErrorOf(() => listIncidents(ledger, { minAmountMinor: 5, maxAmountMinor: 1 })).code).toBe('incident.invalid_filter');
  });

  it('counts incidents by cause per week (Monday first) and the money at risk', () => {
    flagged(ledger, 128000, 12800); // operator_error, at risk 115200
    flagged(ledger, 5600, 0, {}, 'duplicate'); // duplicate, at risk 5600
    const dash = incidentDashboard(ledger, 3, new Date('2026-11-25T12:00:00.000Z'));
    expect(dash.weeks.map((w) => w.weekStart)).toEqual([weekStartOf(new Date('2026-11-11T12:00:00Z')), weekStartOf(new Date('2026-11-18T12:00:00Z')), weekStartOf(new Date('2026-11-25T12:00:00Z'))]);
    const thisWeek = dash.weeks.find((w) => w.weekStart === weekStartOf(new Date('2026-11-23T06:00:00.000Z')))!;
    expect(thisWeek.counts).toMatchObject({ operator_error: 1, duplicate: 1, network: 0, unspecified: 0 });
    expect(dash.money).toEqual([{ currency: '156', atRiskMinor: 120800, returnedMinor: 0, suspenseMinor: 0 }]);
    expect(dash.byStatus).toEqual({ open: 2 });
    expect(new Date(`${weekStartOf(new Date('2026-11-25T12:00:00'))}T12:00:00`).getDay()).toBe(1);
  });
});
