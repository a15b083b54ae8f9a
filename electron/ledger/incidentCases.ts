/**
 * The incident log's repository (schema v7): one incident with its timeline, the list, the
 * dashboard, and every change to an incident — each ONE transaction on the ledger's public seam,
 * with its timeline entry (`incident_events`) and exactly one audit row naming who did it.
 *
 * Which step may follow which is decided by the pure state machine (domain/incidentWorkflow.ts);
 * here it is loaded, applied and written back. Opening an incident (flagging a charge, a
 * settlement mismatch) stays in incidents.ts.
 */
import type Database from 'better-sqlite3';
import type { AdjustmentView } from '../contract/commands/adjustments.js';
import type {
  Contact,
  IncidentDashboard,
  IncidentDetail,
  IncidentEvent,
  IncidentEvidence,
  IncidentListFilter,
  IncidentSummary,
  StepInput,
} from '../contract/commands/incidents.js';
import { DASHBOARD_CAUSES } from '../contract/commands/incidents.js';
import type { FlagCause, IncidentKind, IncidentStatus } from '../contract/counterSchemas.js';
import type { Charge } from '../contract/schemas.js';
import { maskContact, maskedContactLine, type ContactChannel } from '../domain/contactMask.js';
import {
  STEP_ROLES,
  applyStep,
  isResolvedStatus,
  outstandingMinor,
  stepsFrom,
  type PreventionAction,
  type ResolutionType,
  type Step,
  type WorkflowState,
} from '../domain/incidentWorkflow.js';
import { localDateOf, localDateRange, localMidnight } from '../domain/localDate.js';
import { checkActor } from './auditStore.js';
import { reviewDecisionIn } from './approvalPolicy.js';
import { getAdjustment } from './adjustments.js';
import { LedgerError } from './errors.js';
import { insertIncident, type IncidentRow } from './incidents.js';
import type { Ledger, LedgerTx } from './ledger.js';
import { CHARGE_COLUMNS, rowToCharge, type ChargeRow } from './rows.js';
import { cachedStatement as stmt } from './statements.js';

/** Every column of an incident (schema v7). */
export const INCIDENT_FULL_COLUMNS =
  'id, kind, status, cause, note, charge_id, related_charge_id, settlement_id, currency, charged_minor, intended_minor, ' +
  'difference_minor, terminal_id, merchant_id, batch, trace, rrn, auth_code, pan_masked, details, created_by, created_at, ' +
  'updated_at, resolved_by, resolved_at, resolution, resolution_note, owed_minor, returned_minor, suspense_minor, proposal, ' +
  'proposal_minor, proposal_note, rejection_reason, contact_name, contact_channel, contact_value, root_cause, prevention_action, ' +
  'prevention_note, closed_at, reopened_count';

/** The v3 columns (status widened to the workflow's) and what schema v7 added. */
export interface IncidentFullRow extends Omit<IncidentRow, 'status'> {
  status: IncidentStatus;
  merchant_id: string | null;
  owed_minor: number;
  returned_minor: number;
  suspense_minor: number;
  proposal: ResolutionType | null;
  proposal_minor: number | null;
  proposal_note: string | null;
  rejection_reason: string | null;
  contact_name: string | null;
  contact_channel: ContactChannel | null;
  contact_value: string | null;
  root_cause: string | null;
  prevention_action: PreventionAction | null;
  prevention_note: string | null;
  closed_at: string | null;
  reopened_count: number;
}

export interface IncidentEventRow {
  id: number;
  incident_id: number;
  at: string;
  actor: string;
  action: IncidentEvent['action'];
  from_status: string | null;
  to_status: IncidentStatus | null;
  amount_minor: number | null;
  note: string | null;
  data: string;
}

export const EVENT_COLUMNS = 'id, incident_id, at, actor, action, from_status, to_status, amount_minor, note, data';

export interface EvidenceRow {
  id: number;
  incident_id: number;
  sha256: string;
  size_bytes: number;
  original_name: string;
  ext: IncidentEvidence['ext'];
  stored_path: string;
  note: string | null;
  added_by: string;
  added_at: string;
}

export const EVIDENCE_COLUMNS = 'id, incident_id, sha256, size_bytes, original_name, ext, stored_path, note, added_by, added_at';

const SQL = {
  byId: `SELECT ${INCIDENT_FULL_COLUMNS} FROM incidents WHERE id = ?`,
  events: `SELECT ${EVENT_COLUMNS} FROM incident_events WHERE incident_id = ? ORDER BY id`,
  evidence: `SELECT ${EVIDENCE_COLUMNS} FROM incident_evidence WHERE incident_id = ? ORDER BY id`,
  linkedCharges: 'SELECT charge_id, role FROM incident_charges WHERE incident_id = ? ORDER BY linked_at, charge_id',
  chargeById: `SELECT ${CHARGE_COLUMNS} FROM charges WHERE id = ?`,
  adjustmentIds: 'SELECT id FROM adjustments WHERE incident_id = ? ORDER BY id',
  adjustmentById: 'SELECT id, charge_id, kind, amount_minor, state, incident_id FROM adjustments WHERE id = ?',
  adjustmentUsed: `SELECT 1 FROM incident_events WHERE action IN ('execute', 'pay_out') AND json_extract(data, '$.adjustmentId') = ? LIMIT 1`,
  linkAdjustment: 'UPDATE adjustments SET incident_id = ? WHERE id = ? AND incident_id IS NULL',
  insertEvent: `
    INSERT INTO incident_events (incident_id, at, actor, action, from_status, to_status, amount_minor, note, data)
    VALUES (@incidentId, @at, @actor, @action, @fromStatus, @toStatus, @amountMinor, @note, @data)`,
  update: `
    UPDATE incidents SET status = @status, cause = @cause, returned_minor = @returnedMinor, suspense_minor = @suspenseMinor,
      proposal = @proposal, proposal_minor = @proposalMinor, proposal_note = @proposalNote, rejection_reason = @rejectionReason,
      contact_name = @contactName, contact_channel = @contactChannel, contact_value = @contactValue,
      root_cause = @rootCause, prevention_action = @prevention, prevention_note = @preventionNote,
      resolved_by = @resolvedBy, resolved_at = @resolvedAt, resolution = @resolution, resolution_note = @resolutionNote,
      closed_at = @closedAt, reopened_count = @reopenedCount, updated_at = @at
    WHERE id = @id`,
  insertEvidence: `
    INSERT INTO incident_evidence (incident_id, sha256, size_bytes, original_name, ext, stored_path, note, added_by, added_at)
    VALUES (@incidentId, @sha256, @sizeBytes, @originalName, @ext, @storedPath, @note, @addedBy, @at)
    RETURNING id`,
  linkCharge: 'INSERT INTO incident_charges (incident_id, charge_id, role, linked_by, linked_at) VALUES (?, ?, ?, ?, ?)',
  suspense: `SELECT ${INCIDENT_FULL_COLUMNS} FROM incidents INDEXED BY incidents_status WHERE status = 'held_in_suspense' ORDER BY id`,
  byStatus: 'SELECT status, count(*) AS n FROM incidents GROUP BY status',
  money: `
    SELECT currency,
      sum(CASE WHEN status <> 'closed' AND owed_minor > returned_minor + suspense_minor
               THEN owed_minor - returned_minor - suspense_minor ELSE 0 END) AS atRisk,
      sum(returned_minor) AS returned, sum(suspense_minor) AS suspense
    FROM incidents GROUP BY currency ORDER BY currency`,
  createdSince: 'SELECT created_at, cause FROM incidents INDEXED BY incidents_created WHERE created_at >= ?',
} as const;

function parseObject(text: string | null, what: string): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new LedgerError('db.corrupt', `the ledger holds invalid JSON in ${what}`, { what });
}

function contactOf(r: IncidentFullRow): Contact | null {
  return r.contact_channel && r.contact_value !== null ? { name: r.contact_name, channel: r.contact_channel, value: r.contact_value } : null;
}

export function rowToSummary(r: IncidentFullRow): IncidentSummary {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    cause: r.cause,
    chargeId: r.charge_id,
    currency: r.currency,
    chargedMinor: r.charged_minor,
    intendedMinor: r.intended_minor,
    differenceMinor: r.difference_minor,
    owedMinor: r.owed_minor,
    returnedMinor: r.returned_minor,
    suspenseMinor: r.suspense_minor,
    outstandingMinor: outstandingMinor({ status: r.status, owedMinor: r.owed_minor, returnedMinor: r.returned_minor, suspenseMinor: r.suspense_minor }),
    terminalId: r.terminal_id,
    batch: r.batch,
    trace: r.trace,
    rrn: r.rrn,
    panMasked: r.pan_masked,
    proposal: r.proposal,
    proposalMinor: r.proposal_minor,
    contactMasked: maskedContactLine(contactOf(r)),
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
  };
}

export function rowToEvent(r: IncidentEventRow): IncidentEvent {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    amountMinor: r.amount_minor,
    note: r.note,
    data: parseObject(r.data, `incident event ${r.id}`) ?? {},
  };
}

export function rowToEvidence(r: EvidenceRow): IncidentEvidence {
  return {
    id: r.id,
    sha256: r.sha256,
    sizeBytes: r.size_bytes,
    originalName: r.original_name,
    ext: r.ext,
    storedPath: r.stored_path,
    note: r.note,
    addedBy: r.added_by,
    addedAt: r.added_at,
  };
}

function hasCustomer(r: Pick<IncidentFullRow, 'kind'>): boolean {
  return r.kind !== 'settlement_mismatch';
}

function requireRow(db: Database.Database, id: number): IncidentFullRow {
  if (!Number.isSafeInteger(id) || id <= 0) throw new LedgerError('argument.invalid', 'an incident id is a positive integer', { id: String(id) });
  const row = stmt<[number], IncidentFullRow>(db, SQL.byId).get(id);
  if (!row) throw new LedgerError('incident.not_found', `there is no incident #${id}`, { id: String(id) });
  return row;
}

export function getIncidentRow(ledger: Ledger, id: number): IncidentFullRow {
  return ledger.query((db) => requireRow(db, id));
}

/** The charges of an incident: its own, the other of a duplicate / the correct re-charge, and those linked by hand. */
function chargesOf(db: Database.Database, r: IncidentFullRow): IncidentDetail['charges'] {
  const out: IncidentDetail['charges'] = [];
  const seen = new Set<number>();
  const add = (chargeId: number | null, role: IncidentDetail['charges'][number]['role']) => {
    if (chargeId === null || seen.has(chargeId)) return;
    const row = stmt<[number], ChargeRow>(db, SQL.chargeById).get(chargeId);
    if (!row) return;
    seen.add(chargeId);
    out.push({ role, charge: rowToCharge(row) });
  };
  add(r.charge_id, 'original');
  add(r.related_charge_id, r.kind === 'duplicate_charge' ? 'duplicate_of' : 'recharge');
  for (const link of stmt<[number], { charge_id: number; role: 'recharge' | 'related' }>(db, SQL.linkedCharges).all(r.id)) add(link.charge_id, link.role);
  return out;
}

function chargeIdsOf(db: Database.Database, r: IncidentFullRow): Set<number> {
  return new Set(chargesOf(db, r).map((c) => c.charge.id));
}

/** One incident with its timeline, evidence, charges, voids/refunds and the steps open now. */
export function getIncidentDetail(ledger: Ledger, id: number, opts: { revealContact: boolean }): IncidentDetail {
  return ledger.query((db) => {
    const r = requireRow(db, id);
    const adjustments: AdjustmentView[] = stmt<[number], number>(db, SQL.adjustmentIds)
      .pluck()
      .all(id)
      .map((adjustmentId) => getAdjustment(ledger, adjustmentId))
      .filter((a): a is AdjustmentView => a !== null);
    const contact = contactOf(r);
    return {
      ...rowToSummary(r),
      note: r.note,
      relatedChargeId: r.related_charge_id,
      settlementId: r.settlement_id,
      merchantId: r.merchant_id,
      authCode: r.auth_code,
      details: parseObject(r.details, `incident ${r.id} details`),
      resolvedBy: r.resolved_by,
      resolvedAt: r.resolved_at,
      resolution: r.resolution,
      proposalNote: r.proposal_note,
      rejectionReason: r.rejection_reason,
      contact: contact && opts.revealContact ? contact : null,
      rootCause: r.root_cause,
      prevention: r.prevention_action,
      preventionNote: r.prevention_note,
      reopenedCount: r.reopened_count,
      hasCustomer: hasCustomer(r),
      events: stmt<[number], IncidentEventRow>(db, SQL.events).all(id).map(rowToEvent),
      evidence: stmt<[number], EvidenceRow>(db, SQL.evidence).all(id).map(rowToEvidence),
      charges: chargesOf(db, r),
      adjustments,
      steps: stepsFrom(r.status, hasCustomer(r)).map((action) => ({ action, managerOnly: STEP_ROLES[action] === 'manager' })),
    };
  });
}

// ------------------------------------------------------------------ list

/** Newest first, keyset by `beforeId`; the contact only masked. */
export function listIncidents(ledger: Ledger, filter: IncidentListFilter): { items: IncidentSummary[]; nextBeforeId: number | null } {
  const limit = filter.limit ?? 100;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) throw new LedgerError('argument.invalid', 'a limit is an integer 1..500');
  const where: string[] = [];
  const params: (string | number)[] = [];
  let index = '';
  if (filter.status === 'active') where.push("status <> 'closed'");
  else if (filter.status) {
    where.push('status = ?');
    params.push(filter.status);
    index = 'INDEXED BY incidents_status';
  }
  if (filter.kind) {
    where.push('kind = ?');
    params.push(filter.kind);
    if (!index) index = 'INDEXED BY incidents_kind';
  }
  if (filter.fromDate !== undefined || filter.toDate !== undefined) {
    const range = localDateRange(filter.fromDate, filter.toDate);
    if (!range) throw new LedgerError('incident.invalid_filter', 'a date is not a calendar date (YYYY-MM-DD)');
    if (filter.fromDate && filter.toDate && filter.fromDate > filter.toDate) {
      throw new LedgerError('incident.invalid_filter', 'the first date is after the last one', { from: filter.fromDate, to: filter.toDate });
    }
    if (range.fromIso) {
      where.push('created_at >= ?');
      params.push(range.fromIso);
    }
    if (range.toIsoExclusive) {
      where.push('created_at < ?');
      params.push(range.toIsoExclusive);
    }
  }
  if (filter.minAmountMinor !== undefined) {
    where.push('owed_minor >= ?');
    params.push(filter.minAmountMinor);
  }
  if (filter.maxAmountMinor !== undefined) {
    where.push('owed_minor <= ?');
    params.push(filter.maxAmountMinor);
  }
  if (filter.minAmountMinor !== undefined && filter.maxAmountMinor !== undefined && filter.minAmountMinor > filter.maxAmountMinor) {
    throw new LedgerError('incident.invalid_filter', 'the smallest amount is above the largest');
  }
  if (filter.beforeId !== undefined) {
    where.push('id < ?');
    params.push(filter.beforeId);
  }
  const sql = `SELECT ${INCIDENT_FULL_COLUMNS} FROM incidents ${index} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return ledger.query((db) => {
    const rows = stmt<(string | number)[], IncidentFullRow>(db, sql).all(...params, limit + 1);
    const items = rows.slice(0, limit).map(rowToSummary);
    return { items, nextBeforeId: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
  });
}

export function incidentSummary(ledger: Ledger, id: number): IncidentSummary {
  return rowToSummary(getIncidentRow(ledger, id));
}

// ------------------------------------------------------------------ writes

type JsonData = Record<string, string | number | boolean | null>;

function insertEvent(
  tx: LedgerTx,
  e: { incidentId: number; actor: string; action: IncidentEvent['action']; fromStatus?: string | null; toStatus?: string | null; amountMinor?: number | null; note?: string | null; data?: JsonData },
): void {
  stmt(tx.db, SQL.insertEvent).run({
    incidentId: e.incidentId,
    at: tx.at,
    actor: e.actor,
    action: e.action,
    fromStatus: e.fromStatus ?? null,
    toStatus: e.toStatus ?? null,
    amountMinor: e.amountMinor ?? null,
    note: e.note ?? null,
    data: JSON.stringify(e.data ?? {}),
  });
}

function touch(tx: LedgerTx, id: number): void {
  tx.db.prepare('UPDATE incidents SET updated_at = ? WHERE id = ?').run(tx.at, id);
}

function cleanNote(note: string | undefined | null): string | null {
  const t = note?.trim();
  return t ? t : null;
}

function stateOf(r: IncidentFullRow): WorkflowState {
  return {
    status: r.status,
    owedMinor: r.owed_minor,
    returnedMinor: r.returned_minor,
    suspenseMinor: r.suspense_minor,
    proposal: r.proposal && r.proposal_minor !== null ? { type: r.proposal, amountMinor: r.proposal_minor } : null,
    hasCustomer: hasCustomer(r),
    rootCause: r.root_cause,
    prevention: r.prevention_action,
  };
}

/** The step as the repository takes it: `execute` by terminal is turned into `adjustment` by the service first. */
export type StepData = StepInput extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

const REFUSALS: Record<string, string> = {
  not_allowed_from_status: 'this step cannot be taken while the incident is {status}',
  amount_invalid: 'the amount must be a whole number of minor units above zero',
  amount_exceeds_suspense: 'more than is held in suspense',
  reason_required: 'a reason is required',
  root_cause_required: 'the root cause is required',
  notify_first: 'the customer must be notified before the incident is closed',
};

const SAME_APPROVER = {
  same_approver: 'you proposed this resolution, so another manager or the owner must approve or reject it (four-eyes)',
  same_approver_only_one:
    'you proposed this resolution and nobody else can approve it: add a second manager, or the owner may allow self-approval for a shop with a single manager',
} as const;

/** A void/refund that may carry money back for this incident: approved, on one of its charges, not used before. */
function usableAdjustment(db: Database.Database, r: IncidentFullRow, adjustmentId: number): { id: number; amountMinor: number; kind: string } {
  const a = stmt<[number], { id: number; charge_id: number; kind: string; amount_minor: number; state: string; incident_id: number | null }>(
    db,
    SQL.adjustmentById,
  ).get(adjustmentId);
  const params = { id: String(r.id), adjustmentId: String(adjustmentId) };
  if (!a) throw new LedgerError('incident.adjustment_not_found', `there is no void/refund #${adjustmentId}`, params);
  if (a.state !== 'approved') {
    throw new LedgerError('incident.adjustment_not_approved', `void/refund #${adjustmentId} is ${a.state}, not approved by the terminal`, { ...params, state: a.state });
  }
  if (a.incident_id !== null && a.incident_id !== r.id) {
    throw new LedgerError('incident.adjustment_other_incident', `void/refund #${adjustmentId} belongs to incident #${a.incident_id}`, { ...params, other: String(a.incident_id) });
  }
  if (!chargeIdsOf(db, r).has(a.charge_id)) {
    throw new LedgerError('incident.adjustment_other_charge', `void/refund #${adjustmentId} is for a charge this incident does not name`, params);
  }
  if (stmt<[number], number>(db, SQL.adjustmentUsed).get(adjustmentId) !== undefined) {
    throw new LedgerError('incident.adjustment_already_used', `void/refund #${adjustmentId} was already recorded as money returned`, params);
  }
  return { id: a.id, amountMinor: a.amount_minor, kind: a.kind };
}

/**
 * One workflow step: the state machine decides, then the incident, its timeline entry and the
 * audit row `incident.<action>` are written in one transaction.
 */
export function applyIncidentStep(ledger: Ledger, id: number, input: StepData, actor: string): IncidentSummary {
  checkActor(actor);
  return ledger.transact((tx) => {
    const r = requireRow(tx.db, id);
    const state = stateOf(r);
    const data: JsonData = {};
    let note: string | null = null;
    let amountMinor: number | null = null;
    let step: Step;
    const next: Partial<IncidentFullRow> = {};
    switch (input.action) {
      case 'start_verification':
      case 'submit_for_review':
      case 'approve':
        note = cleanNote(input.note);
        step = { action: input.action };
        break;
      case 'contact_customer':
        note = cleanNote(input.note);
        if (input.contact) {
          next.contact_name = cleanNote(input.contact.name);
          next.contact_channel = input.contact.channel;
          next.contact_value = input.contact.value.trim();
          data.contact = maskedContactLine({ name: next.contact_name, channel: input.contact.channel, value: next.contact_value });
        }
        step = { action: 'contact_customer' };
        break;
      case 'propose_resolution':
        note = cleanNote(input.note);
        amountMinor = input.amountMinor;
        data.resolution = input.resolution;
        next.proposal = input.resolution;
        next.proposal_minor = input.amountMinor;
        next.proposal_note = note;
        next.rejection_reason = null;
        step = { action: 'propose_resolution', resolution: input.resolution, amountMinor: input.amountMinor };
        break;
      case 'reject':
        note = input.reason.trim();
        next.rejection_reason = note;
        step = { action: 'reject', reason: input.reason };
        break;
      case 'execute':
      case 'pay_out': {
        note = cleanNote(input.note);
        data.method = input.method;
        if (input.method === 'terminal') {
          throw new LedgerError('argument.invalid', 'a void/refund on the terminal is made by the incident service first');
        }
        if (input.method === 'adjustment') {
          if (input.adjustmentId === undefined) throw new LedgerError('incident.adjustment_required', 'choose the void/refund that returned the money');
          const a = usableAdjustment(tx.db, r, input.adjustmentId);
          data.adjustmentId = a.id;
          data.adjustmentKind = a.kind;
          amountMinor = a.amountMinor;
          stmt(tx.db, SQL.linkAdjustment).run(r.id, a.id);
        } else {
          const reference = cleanNote(input.reference);
          if (input.method === 'transfer' && !reference) {
            throw new LedgerError('incident.reference_required', 'an off-terminal transfer needs its reference (bank or wallet transaction number)');
          }
          data.reference = reference;
          amountMinor =
            input.amountMinor ?? (input.action === 'pay_out' ? r.suspense_minor : (r.proposal_minor ?? Math.max(0, r.owed_minor - r.returned_minor)));
        }
        step = { action: input.action, amountMinor };
        if (input.action === 'execute') next.resolution = input.method === 'adjustment' ? String(data.adjustmentKind) : input.method;
        break;
      }
      case 'mark_unreachable':
        note = input.note.trim();
        amountMinor = input.amountMinor ?? (r.proposal_minor ?? Math.max(0, r.owed_minor - r.returned_minor));
        step = { action: 'mark_unreachable', amountMinor };
        break;
      case 'notify_customer':
        note = cleanNote(input.note);
        data.channel = input.channel;
        step = { action: 'notify_customer' };
        break;
      case 'close':
        note = cleanNote(input.preventionNote);
        data.prevention = input.prevention;
        data.rootCause = input.rootCause.trim();
        next.prevention_note = note;
        step = { action: 'close', rootCause: input.rootCause, prevention: input.prevention };
        break;
      case 'reopen':
        note = input.reason.trim();
        step = { action: 'reopen', reason: input.reason };
        break;
    }
    const result = applyStep(state, step);
    if (!result.ok) {
      const message = (REFUSALS[result.code] ?? result.code).replace('{status}', r.status);
      throw new LedgerError(`incident.${result.code}`, `incident #${id}: ${message}`, {
        id: String(id),
        status: r.status,
        action: input.action,
        allowed: result.allowedFrom.join(', '),
      });
    }
    if (input.action === 'approve' || input.action === 'reject') {
      const review = reviewDecisionIn(tx.db, id, actor);
      if (!review.ok) throw new LedgerError(`incident.${review.code}`, `incident #${id}: ${SAME_APPROVER[review.code]}`, { id: String(id), approvers: String(review.approvers) });
      if (review.selfApproved) data.selfApproved = true;
    }
    const s = result.state;
    const row: IncidentFullRow = {
      ...r,
      ...next,
      status: s.status,
      returned_minor: s.returnedMinor,
      suspense_minor: s.suspenseMinor,
      root_cause: s.rootCause,
      prevention_action: s.prevention,
    };
    if (isResolvedStatus(s.status) && row.resolved_at === null) {
      row.resolved_at = tx.at;
      row.resolved_by = actor;
      row.resolution = row.resolution ?? row.proposal ?? 'closed';
      row.resolution_note = note;
    }
    if (s.status === 'closed') {
      row.closed_at = tx.at;
      if (!row.resolution) row.resolution = 'closed';
    }
    if (input.action === 'reopen') {
      row.resolved_at = null;
      row.resolved_by = null;
      row.closed_at = null;
      row.reopened_count = r.reopened_count + 1;
    }
    try {
      stmt(tx.db, SQL.update).run({
        id,
        at: tx.at,
        status: row.status,
        cause: row.cause,
        returnedMinor: row.returned_minor,
        suspenseMinor: row.suspense_minor,
        proposal: row.proposal,
        proposalMinor: row.proposal_minor,
        proposalNote: row.proposal_note,
        rejectionReason: row.rejection_reason,
        contactName: row.contact_name,
        contactChannel: row.contact_channel,
        contactValue: row.contact_value,
        rootCause: row.root_cause,
        prevention: row.prevention_action,
        preventionNote: row.prevention_note,
        resolvedBy: row.resolved_by,
        resolvedAt: row.resolved_at,
        resolution: row.resolution,
        resolutionNote: row.resolution_note,
        closedAt: row.closed_at,
        reopenedCount: row.reopened_count,
      });
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && r.charge_id !== null) {
        throw new LedgerError('incident.already_open', `charge ${r.charge_id} already has another open incident`, { chargeId: String(r.charge_id) });
      }
      throw e;
    }
    insertEvent(tx, { incidentId: id, actor, action: input.action, fromStatus: result.from, toStatus: result.to, amountMinor, note, data });
    tx.audit(actor, `incident.${input.action}`, 'incident', String(id), {
      incidentId: id,
      from: result.from,
      to: result.to,
      amountMinor,
      returnedMinor: s.returnedMinor,
      suspenseMinor: s.suspenseMinor,
      note,
      ...data,
    });
    return rowToSummary(row);
  });
}

/** A note on the timeline (any time, by anyone). */
export function addIncidentNote(ledger: Ledger, id: number, text: string, actor: string): IncidentSummary {
  checkActor(actor);
  const note = text.trim();
  if (note === '' || note.length > 1000) throw new LedgerError('argument.invalid', 'a note is 1..1000 characters');
  return ledger.transact((tx) => {
    const r = requireRow(tx.db, id);
    touch(tx, id);
    insertEvent(tx, { incidentId: id, actor, action: 'note', note });
    tx.audit(actor, 'incident.note_added', 'incident', String(id), { incidentId: id, note });
    return rowToSummary({ ...r, updated_at: tx.at });
  });
}

/** One try to reach the customer: when, how, and what came of it. */
export function logContactAttempt(
  ledger: Ledger,
  id: number,
  attempt: { channel: ContactChannel; outcome: string; note?: string },
  actor: string,
): IncidentSummary {
  checkActor(actor);
  return ledger.transact((tx) => {
    const r = requireRow(tx.db, id);
    if (r.status === 'closed') throw new LedgerError('incident.closed', `incident #${id} is closed: reopen it first`, { id: String(id) });
    const note = cleanNote(attempt.note);
    touch(tx, id);
    insertEvent(tx, { incidentId: id, actor, action: 'contact_attempt', note, data: { channel: attempt.channel, outcome: attempt.outcome } });
    tx.audit(actor, 'incident.contact_attempt', 'incident', String(id), { incidentId: id, channel: attempt.channel, outcome: attempt.outcome, note });
    return rowToSummary({ ...r, updated_at: tx.at });
  });
}

/** The customer's contact (only what is needed to reach them); audited masked. */
export function setIncidentContact(ledger: Ledger, id: number, contact: { name?: string; channel: ContactChannel; value: string }, actor: string): IncidentSummary {
  checkActor(actor);
  const value = contact.value.trim();
  if (value === '' || value.length > 200) throw new LedgerError('argument.invalid', 'a contact is 1..200 characters');
  const name = cleanNote(contact.name);
  return ledger.transact((tx) => {
    const r = requireRow(tx.db, id);
    tx.db.prepare('UPDATE incidents SET contact_name = ?, contact_channel = ?, contact_value = ?, updated_at = ? WHERE id = ?').run(name, contact.channel, value, tx.at, id);
    const masked = maskedContactLine({ name, channel: contact.channel, value });
    insertEvent(tx, { incidentId: id, actor, action: 'contact_set', data: { channel: contact.channel, contact: masked } });
    tx.audit(actor, 'incident.contact_set', 'incident', String(id), { incidentId: id, channel: contact.channel, contact: masked });
    return rowToSummary({ ...r, contact_name: name, contact_channel: contact.channel, contact_value: value, updated_at: tx.at });
  });
}

/** Cause, root cause and prevention, before closing. */
export function updateIncidentFacts(
  ledger: Ledger,
  id: number,
  facts: { cause?: FlagCause; rootCause?: string; prevention?: PreventionAction; preventionNote?: string },
  actor: string,
): IncidentSummary {
  checkActor(actor);
  return ledger.transact((tx) => {
    const r = requireRow(tx.db, id);
    if (r.status === 'closed') throw new LedgerError('incident.closed', `incident #${id} is closed: reopen it first`, { id: String(id) });
    const row = {
      ...r,
      cause: facts.cause ?? r.cause,
      root_cause: facts.rootCause !== undefined ? cleanNote(facts.rootCause) : r.root_cause,
      prevention_action: facts.prevention ?? r.prevention_action,
      prevention_note: facts.preventionNote !== undefined ? cleanNote(facts.preventionNote) : r.prevention_note,
      updated_at: tx.at,
    };
    tx.db
      .prepare('UPDATE incidents SET cause = ?, root_cause = ?, prevention_action = ?, prevention_note = ?, updated_at = ? WHERE id = ?')
      .run(row.cause, row.root_cause, row.prevention_action, row.prevention_note, tx.at, id);
    const data: JsonData = { cause: row.cause, rootCause: row.root_cause, prevention: row.prevention_action, preventionNote: row.prevention_note };
    insertEvent(tx, { incidentId: id, actor, action: 'facts_updated', data });
    tx.audit(actor, 'incident.facts_updated', 'incident', String(id), { incidentId: id, ...data });
    return rowToSummary(row);
  });
}

export interface EvidenceMeta {
  sha256: string;
  sizeBytes: number;
  originalName: string;
  ext: IncidentEvidence['ext'];
  note?: string;
}

export function evidenceStoredPath(incidentId: number, sha256: string, ext: string): string {
  return `evidence/${incidentId}/${sha256}.${ext}`;
}

/** An evidence file already copied into the data folder: its record, timeline entry and audit row. */
export function recordEvidence(ledger: Ledger, id: number, meta: EvidenceMeta, actor: string): IncidentSummary {
  checkActor(actor);
  return ledger.transact((tx) => {
    const r = requireRow(tx.db, id);
    const note = cleanNote(meta.note);
    const storedPath = evidenceStoredPath(id, meta.sha256, meta.ext);
    let evidenceId: number;
    try {
      evidenceId = stmt<[Record<string, unknown>], number>(tx.db, SQL.insertEvidence)
        .pluck()
        .get({ incidentId: id, sha256: meta.sha256, sizeBytes: meta.sizeBytes, originalName: meta.originalName, ext: meta.ext, storedPath, note, addedBy: actor, at: tx.at }) as number;
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new LedgerError('incident.evidence_duplicate', `this file is already attached to incident #${id}`, { id: String(id), sha256: meta.sha256 });
      }
      throw e;
    }
    touch(tx, id);
    const data: JsonData = { evidenceId, sha256: meta.sha256, sizeBytes: meta.sizeBytes, originalName: meta.originalName, storedPath };
    insertEvent(tx, { incidentId: id, actor, action: 'evidence_added', note, data });
    tx.audit(actor, 'incident.evidence_added', 'incident', String(id), { incidentId: id, note, ...data });
    return rowToSummary({ ...r, updated_at: tx.at });
  });
}

/** Links another charge (the correct re-charge, a related charge) to the incident. */
export function linkIncidentCharge(ledger: Ledger, id: number, chargeId: number, role: 'recharge' | 'related', actor: string): IncidentSummary {
  checkActor(actor);
  return ledger.transact((tx) => {
    const r = requireRow(tx.db, id);
    const charge = stmt<[number], ChargeRow>(tx.db, SQL.chargeById).get(chargeId);
    if (!charge) throw new LedgerError('charge.not_found', `no charge ${chargeId}`, { chargeId: String(chargeId) });
    if (chargeIdsOf(tx.db, r).has(chargeId)) {
      throw new LedgerError('incident.charge_already_linked', `charge ${chargeId} is already part of incident #${id}`, { id: String(id), chargeId: String(chargeId) });
    }
    stmt(tx.db, SQL.linkCharge).run(id, chargeId, role, actor, tx.at);
    touch(tx, id);
    const data: JsonData = { chargeId, role, trace: charge.trace, amountMinor: charge.amount_minor };
    insertEvent(tx, { incidentId: id, actor, action: 'charge_linked', amountMinor: charge.amount_minor, data });
    tx.audit(actor, 'incident.charge_linked', 'incident', String(id), { incidentId: id, ...data });
    return rowToSummary({ ...r, updated_at: tx.at });
  });
}

export interface ManualIncident {
  kind: Exclude<IncidentKind, 'settlement_mismatch'>;
  cause: FlagCause;
  chargeId?: number;
  intendedMinor?: number;
  owedMinor?: number;
  currency?: string;
  note: string;
}

const CHARGE_KINDS = new Set<IncidentKind>(['wrong_amount', 'over_charge', 'duplicate_charge']);

/** An incident opened by a manager (not by flagging a charge): a transfer error, or one about a charge already confirmed. */
export function createIncident(ledger: Ledger, input: ManualIncident, actor: string): IncidentSummary {
  checkActor(actor);
  const note = input.note.trim();
  if (note === '' || note.length > 500) throw new LedgerError('argument.invalid', 'a note is 1..500 characters');
  if (CHARGE_KINDS.has(input.kind) && (input.chargeId === undefined || input.intendedMinor === undefined)) {
    throw new LedgerError('incident.charge_required', `an incident of kind ${input.kind} names its charge and the amount intended`, { kind: input.kind });
  }
  return ledger.transact((tx) => {
    let charge: Charge | null = null;
    if (input.chargeId !== undefined) {
      const row = stmt<[number], ChargeRow>(tx.db, SQL.chargeById).get(input.chargeId);
      if (!row) throw new LedgerError('charge.not_found', `no charge ${input.chargeId}`, { chargeId: String(input.chargeId) });
      charge = rowToCharge(row);
    }
    const withAmounts = charge !== null && input.intendedMinor !== undefined;
    const incident = insertIncident(tx, {
      kind: input.kind,
      cause: input.cause,
      note,
      chargeId: charge?.id ?? null,
      relatedChargeId: null,
      settlementId: null,
      currency: charge?.currency ?? input.currency ?? null,
      chargedMinor: withAmounts ? charge!.amountMinor : null,
      intendedMinor: withAmounts ? input.intendedMinor! : null,
      terminalId: charge?.terminalId ?? null,
      merchantId: charge?.merchantId ?? null,
      batch: charge?.batch ?? null,
      trace: charge?.trace ?? null,
      rrn: charge?.rrn ?? null,
      authCode: charge?.authCode ?? null,
      panMasked: charge?.panMasked ?? null,
      details: null,
      createdBy: actor,
      ...(input.owedMinor !== undefined ? { owedMinor: input.owedMinor } : {}),
    });
    return rowToSummary(requireRow(tx.db, incident.id));
  });
}

// ------------------------------------------------------------------ dashboard

/** Monday (local) of the week holding `at`, as YYYY-MM-DD. */
export function weekStartOf(at: Date): string {
  const d = new Date(at.getFullYear(), at.getMonth(), at.getDate());
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return localDateOf(d);
}

/** Incidents by cause per week (the last `weeks`, this one included), money at risk / returned / held, and what is held. */
export function incidentDashboard(ledger: Ledger, weeks: number, now: Date): IncidentDashboard {
  const starts: string[] = [];
  const first = localMidnight(weekStartOf(now)) as Date;
  first.setDate(first.getDate() - 7 * (weeks - 1));
  for (let i = 0; i < weeks; i++) {
    const d = new Date(first.getFullYear(), first.getMonth(), first.getDate() + 7 * i);
    starts.push(localDateOf(d));
  }
  const counts = new Map(starts.map((w) => [w, Object.fromEntries(DASHBOARD_CAUSES.map((c) => [c, 0])) as Record<string, number>]));
  return ledger.query((db) => {
    for (const row of stmt<[string], { created_at: string; cause: FlagCause | null }>(db, SQL.createdSince).iterate(first.toISOString())) {
      const week = counts.get(weekStartOf(new Date(row.created_at)));
      if (week) week[row.cause ?? 'unspecified'] = (week[row.cause ?? 'unspecified'] ?? 0) + 1;
    }
    const byStatus: Record<string, number> = {};
    for (const r of stmt<[], { status: string; n: number }>(db, SQL.byStatus).all()) byStatus[r.status] = r.n;
    return {
      weeks: starts.map((weekStart) => ({ weekStart, counts: counts.get(weekStart)! })),
      causes: [...DASHBOARD_CAUSES],
      money: stmt<[], { currency: string | null; atRisk: number; returned: number; suspense: number }>(db, SQL.money)
        .all()
        .map((m) => ({ currency: m.currency, atRiskMinor: m.atRisk, returnedMinor: m.returned, suspenseMinor: m.suspense })),
      byStatus,
      suspense: stmt<[], IncidentFullRow>(db, SQL.suspense).all().map(rowToSummary),
    };
  });
}

export { maskContact };
