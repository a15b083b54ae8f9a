/**
 * Voids and refunds in the ledger. Asking is one transaction (the adjustment row, its host request
 * with a fresh SEQ, their audit rows); the terminal's answer is another (the adjustment's state, the
 * charge's status, audit). Built on the ledger's public seam.
 */
import type Database from 'better-sqlite3';
import type { Charge } from '../contract/schemas.js';
import { statusAfter, type AdjustmentMode, type PriorAdjustments } from '../domain/adjustment.js';
import { LedgerError } from './errors.js';
import type { Ledger } from './ledger.js';
import { CHARGE_COLUMNS, rowToCharge, type ChargeRow } from './rows.js';

export type AdjustmentReason = 'wrong_amount' | 'duplicate' | 'customer_request' | 'suspected_fraud' | 'other';
export type AdjustmentState = 'sent' | 'approved' | 'declined' | 'unknown';

export interface Adjustment {
  id: number;
  chargeId: number;
  kind: AdjustmentMode;
  amountMinor: number;
  currency: string;
  reason: AdjustmentReason;
  note: string;
  incidentId: number | null;
  requestSeq: string;
  state: AdjustmentState;
  rc: string | null;
  trace: string | null;
  rrn: string | null;
  authCode: string | null;
  terminalTime: string | null;
  requestedBy: string;
  requestedAt: string;
  resolvedAt: string | null;
}

interface AdjustmentRow {
  id: number;
  charge_id: number;
  kind: AdjustmentMode;
  amount_minor: number;
  currency: string;
  reason: AdjustmentReason;
  note: string;
  incident_id: number | null;
  request_id: number;
  request_seq: string;
  state: AdjustmentState;
  rc: string | null;
  trace: string | null;
  rrn: string | null;
  auth_code: string | null;
  terminal_time: string | null;
  requested_by: string;
  requested_at: string;
  resolved_at: string | null;
}

const COLUMNS =
  'id, charge_id, kind, amount_minor, currency, reason, note, incident_id, request_id, request_seq, state, rc, trace, rrn, ' +
  'auth_code, terminal_time, requested_by, requested_at, resolved_at';

function toAdjustment(r: AdjustmentRow): Adjustment {
  return {
    id: r.id,
    chargeId: r.charge_id,
    kind: r.kind,
    amountMinor: r.amount_minor,
    currency: r.currency,
    reason: r.reason,
    note: r.note,
    incidentId: r.incident_id,
    requestSeq: r.request_seq,
    state: r.state,
    rc: r.rc,
    trace: r.trace,
    rrn: r.rrn,
    authCode: r.auth_code,
    terminalTime: r.terminal_time,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    resolvedAt: r.resolved_at,
  };
}

function chargeRow(db: Database.Database, chargeId: number): ChargeRow & { settled_at: string | null } {
  const row = db.prepare(`SELECT ${CHARGE_COLUMNS}, settled_at FROM charges WHERE id = ?`).get(chargeId) as
    | (ChargeRow & { settled_at: string | null })
    | undefined;
  if (!row) throw new LedgerError('charge.not_found', `charge ${chargeId} is not in the ledger`, { id: String(chargeId) });
  return row;
}

export function adjustmentsForCharge(ledger: Ledger, chargeId: number): Adjustment[] {
  return ledger.query((db) =>
    (db.prepare(`SELECT ${COLUMNS} FROM adjustments WHERE charge_id = ? ORDER BY id`).all(chargeId) as AdjustmentRow[]).map(toAdjustment),
  );
}

export function adjustmentByRequestSeq(ledger: Ledger, seq: string): Adjustment | null {
  return ledger.query((db) => {
    const row = db
      .prepare(`SELECT ${COLUMNS} FROM adjustments WHERE request_seq = ? AND state IN ('sent', 'unknown') ORDER BY id DESC LIMIT 1`)
      .get(seq) as AdjustmentRow | undefined;
    return row ? toAdjustment(row) : null;
  });
}

export function getAdjustment(ledger: Ledger, id: number): Adjustment | null {
  return ledger.query((db) => {
    const row = db.prepare(`SELECT ${COLUMNS} FROM adjustments WHERE id = ?`).get(id) as AdjustmentRow | undefined;
    return row ? toAdjustment(row) : null;
  });
}

/** What has already happened to a charge: the input of `planAdjustment`. */
export function priorAdjustments(ledger: Ledger, chargeId: number): { charge: Charge; settled: boolean; prior: PriorAdjustments } {
  return ledger.query((db) => {
    const row = chargeRow(db, chargeId);
    const list = (db.prepare(`SELECT ${COLUMNS} FROM adjustments WHERE charge_id = ?`).all(chargeId) as AdjustmentRow[]).map(toAdjustment);
    const sum = (kind: AdjustmentMode, states: AdjustmentState[]) =>
      list.filter((a) => a.kind === kind && states.includes(a.state)).reduce((s, a) => s + a.amountMinor, 0);
    return {
      charge: rowToCharge(row),
      settled: row.settled_at !== null,
      prior: {
        refundedMinor: sum('refund', ['approved']),
        inFlightRefundMinor: sum('refund', ['sent', 'unknown']),
        voided: list.some((a) => a.kind === 'void' && a.state === 'approved') || row.status === 'voided',
        voidInFlight: list.some((a) => a.kind === 'void' && (a.state === 'sent' || a.state === 'unknown')),
      },
    };
  });
}

export interface NewAdjustment {
  chargeId: number;
  kind: AdjustmentMode;
  amountMinor: number;
  currency: string;
  reason: AdjustmentReason;
  note: string;
  incidentId: number | null;
}

/** Inside the transaction that created host request `requestId`/`seq`: the adjustment row and its audit row. */
export function insertAdjustmentIn(
  tx: { db: Database.Database; at: string; audit(actor: string, action: string, entity: string, entityId: string, data: unknown): void },
  input: NewAdjustment,
  request: { id: number; seq: string },
  actor: string,
): number {
  const info = tx.db
    .prepare(
      `INSERT INTO adjustments (charge_id, kind, amount_minor, currency, reason, note, incident_id, request_id, request_seq, state, requested_by, requested_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?)`,
    )
    .run(input.chargeId, input.kind, input.amountMinor, input.currency, input.reason, input.note, input.incidentId, request.id, request.seq, actor, tx.at);
  const id = Number(info.lastInsertRowid);
  tx.audit(actor, `${input.kind}.requested`, 'adjustment', String(id), {
    adjustmentId: id,
    chargeId: input.chargeId,
    amountMinor: input.amountMinor,
    currency: input.currency,
    reason: input.reason,
    requestSeq: request.seq,
    incidentId: input.incidentId,
  });
  return id;
}

/**
 * The terminal answered (directly or through QT): record it once. RC 00 approves; anything else
 * declines (25 after a QT means the terminal never received the request: nothing happened).
 */
export function applyTerminalAnswer(
  ledger: Ledger,
  seq: string,
  answer: { state: 'answered'; rc: string; response: Record<string, string> } | { state: 'unknown'; reason: string },
  actor: string,
): { adjustment: Adjustment; charge: Charge } | null {
  return ledger.transact((tx) => {
    const row = tx.db
      .prepare(`SELECT ${COLUMNS} FROM adjustments WHERE request_seq = ? AND state IN ('sent', 'unknown') ORDER BY id DESC LIMIT 1`)
      .get(seq) as AdjustmentRow | undefined;
    if (!row) return null;
    if (answer.state === 'unknown') {
      if (row.state !== 'unknown') {
        tx.db.prepare(`UPDATE adjustments SET state = 'unknown' WHERE id = ?`).run(row.id);
        tx.audit(actor, `${row.kind}.unknown`, 'adjustment', String(row.id), { adjustmentId: row.id, reason: answer.reason.slice(0, 200) });
      }
      const charge = rowToCharge(chargeRow(tx.db, row.charge_id));
      return { adjustment: toAdjustment({ ...row, state: 'unknown' }), charge };
    }
    const approved = answer.rc === '00';
    const r = answer.response;
    tx.db
      .prepare(
        `UPDATE adjustments SET state = ?, rc = ?, trace = ?, rrn = ?, auth_code = ?, terminal_time = ?, resolved_at = ? WHERE id = ?`,
      )
      .run(approved ? 'approved' : 'declined', answer.rc, r.TR ?? null, r.RF ?? null, r.AC ?? null, r.DT ?? null, tx.at, row.id);
    const charge = chargeRow(tx.db, row.charge_id);
    if (approved) {
      const refunded = (
        tx.db
          .prepare(`SELECT COALESCE(SUM(amount_minor), 0) AS total FROM adjustments WHERE charge_id = ? AND kind = 'refund' AND state = 'approved'`)
          .get(row.charge_id) as { total: number }
      ).total;
      const status = statusAfter(charge.amount_minor, refunded, row.kind === 'void', charge.status);
      if (status !== charge.status) {
        tx.db.prepare('UPDATE charges SET status = ? WHERE id = ?').run(status, row.charge_id);
        tx.audit(actor, 'charge.status_changed', 'charge', String(row.charge_id), { chargeId: row.charge_id, from: charge.status, to: status });
      }
    }
    tx.audit(actor, `${row.kind}.${approved ? 'approved' : 'declined'}`, 'adjustment', String(row.id), {
      adjustmentId: row.id,
      rc: answer.rc,
      trace: r.TR ?? null,
      rrn: r.RF ?? null,
    });
    const updated = tx.db.prepare(`SELECT ${COLUMNS} FROM adjustments WHERE id = ?`).get(row.id) as AdjustmentRow;
    return { adjustment: toAdjustment(updated), charge: rowToCharge(chargeRow(tx.db, row.charge_id)) };
  });
}

/** Charges a manager can find by card last 4, trace or RRN (newest first). */
export function findCharges(ledger: Ledger, query: string, limit = 20): Charge[] {
  const q = query.trim();
  return ledger.query((db) => {
    let rows: ChargeRow[] = [];
    if (/^\d{4}$/.test(q)) {
      rows = db.prepare(`SELECT ${CHARGE_COLUMNS} FROM charges WHERE pan_last4 = ? OR trace = ? ORDER BY id DESC LIMIT ?`).all(q, q.padStart(6, '0'), limit) as ChargeRow[];
    } else if (/^\d{6}$/.test(q)) {
      rows = db.prepare(`SELECT ${CHARGE_COLUMNS} FROM charges WHERE trace = ? ORDER BY id DESC LIMIT ?`).all(q, limit) as ChargeRow[];
    } else if (/^[A-Za-z0-9]{12}$/.test(q)) {
      rows = db.prepare(`SELECT ${CHARGE_COLUMNS} FROM charges WHERE rrn = ? ORDER BY id DESC LIMIT ?`).all(q, limit) as ChargeRow[];
    }
    return rows.map(rowToCharge);
  });
}
