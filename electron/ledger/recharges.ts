/**
 * "Charge the correct amount" (补刷) in the ledger: the manager's request that the next charge of the
 * intended amount be linked to the incident, and the link itself (`incidents.related_charge_id`).
 * Each is one transaction with its audit row. Built on the ledger's public seam.
 */
import type Database from 'better-sqlite3';
import { MAX_MINOR_UNITS } from '../domain/charge.js';
import { checkRechargeRequest, matchesRecharge } from '../domain/recharge.js';
import { checkActor } from './auditStore.js';
import { LedgerError } from './errors.js';
import type { Ledger } from './ledger.js';

export type RechargeState = 'waiting' | 'linked' | 'replaced';

export interface Recharge {
  id: number;
  incidentId: number;
  /** The wrong charge that was voided. */
  voidedChargeId: number;
  amountMinor: number;
  currency: string;
  /** The card expected (masked), or null for any card. */
  panMasked: string | null;
  state: RechargeState;
  /** The correct-amount charge, once it arrived. */
  chargeId: number | null;
  /** Its trace, for the screens. */
  trace: string | null;
  expectedBy: string;
  expectedAt: string;
  linkedAt: string | null;
}

interface RechargeRow {
  id: number;
  incident_id: number;
  voided_charge_id: number;
  amount_minor: number;
  currency: string;
  pan_masked: string | null;
  state: RechargeState;
  charge_id: number | null;
  trace: string | null;
  expected_by: string;
  expected_at: string;
  linked_at: string | null;
}

const SELECT = `
  SELECT r.id, r.incident_id, r.voided_charge_id, r.amount_minor, r.currency, r.pan_masked, r.state, r.charge_id,
         c.trace AS trace, r.expected_by, r.expected_at, r.linked_at
  FROM recharges r LEFT JOIN charges c ON c.id = r.charge_id`;

function toRecharge(r: RechargeRow): Recharge {
  return {
    id: r.id,
    incidentId: r.incident_id,
    voidedChargeId: r.voided_charge_id,
    amountMinor: r.amount_minor,
    currency: r.currency,
    panMasked: r.pan_masked,
    state: r.state,
    chargeId: r.charge_id,
    trace: r.trace,
    expectedBy: r.expected_by,
    expectedAt: r.expected_at,
    linkedAt: r.linked_at,
  };
}

function byId(db: Database.Database, id: number): Recharge {
  return toRecharge(db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as RechargeRow);
}

/**
 * The manager asks for the correct amount on `incidentId`: the next charge of `amountMinor` (same
 * currency, same card when the wrong charge's card is known) will be linked to it. A request still
 * waiting for the same incident is replaced. One transaction, audit `incident.recharge_expected`.
 */
export function expectRecharge(ledger: Ledger, input: { incidentId: number; amountMinor: number }, actor: string): Recharge {
  checkActor(actor);
  if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0 || input.amountMinor > MAX_MINOR_UNITS) {
    throw new LedgerError('adjust.amount_not_positive', 'the correct amount is a positive integer number of minor units');
  }
  return ledger.transact((tx) => {
    const incident = tx.db
      .prepare(
        `SELECT i.id, i.kind, i.charge_id, i.intended_minor, i.related_charge_id, c.status AS charge_status, c.currency AS currency,
                c.pan_masked AS pan_masked
         FROM incidents i LEFT JOIN charges c ON c.id = i.charge_id WHERE i.id = ?`,
      )
      .get(input.incidentId) as
      | {
          id: number;
          kind: string;
          charge_id: number | null;
          intended_minor: number | null;
          related_charge_id: number | null;
          charge_status: string | null;
          currency: string | null;
          pan_masked: string | null;
        }
      | undefined;
    if (!incident) throw new LedgerError('incident.not_found', `no incident ${input.incidentId}`, { incidentId: String(input.incidentId) });
    const check = checkRechargeRequest({
      kind: incident.kind,
      chargeId: incident.charge_id,
      intendedMinor: incident.intended_minor,
      relatedChargeId: incident.related_charge_id,
      chargeStatus: incident.charge_status,
    });
    if (!check.ok) {
      throw new LedgerError(`adjust.${check.code}`, `the correct amount cannot be asked for on incident ${incident.id} (${check.code})`, {
        incidentId: String(incident.id),
      });
    }
    const replaced = tx.db.prepare(`UPDATE recharges SET state = 'replaced' WHERE incident_id = ? AND state = 'waiting' RETURNING id`).all(incident.id) as {
      id: number;
    }[];
    const info = tx.db
      .prepare(
        `INSERT INTO recharges (incident_id, voided_charge_id, amount_minor, currency, pan_masked, state, expected_by, expected_at)
         VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?)`,
      )
      .run(incident.id, incident.charge_id, input.amountMinor, incident.currency, incident.pan_masked, actor, tx.at);
    const id = Number(info.lastInsertRowid);
    tx.audit(actor, 'incident.recharge_expected', 'incident', String(incident.id), {
      incidentId: incident.id,
      rechargeId: id,
      voidedChargeId: incident.charge_id,
      amountMinor: input.amountMinor,
      intendedMinor: incident.intended_minor,
      currency: incident.currency,
      panMasked: incident.pan_masked,
      replaced: replaced.map((r) => r.id),
    });
    return byId(tx.db, id);
  });
}

// Asked for every charge the terminal reports: prepared once per connection, not per charge.
const waitingAmount = new WeakMap<Database.Database, Database.Statement<[number], unknown>>();
function waitingAmountStatement(db: Database.Database): Database.Statement<[number], unknown> {
  let stmt = waitingAmount.get(db);
  if (!stmt) {
    stmt = db.prepare<[number], unknown>(`SELECT 1 FROM recharges WHERE state = 'waiting' AND amount_minor = ? LIMIT 1`);
    waitingAmount.set(db, stmt);
  }
  return stmt;
}

/**
 * A charge just arrived: if it is the correct amount a manager is waiting for, link it to that
 * incident (the oldest matching request) — the request, the incident's `related_charge_id` and the
 * audit row `incident.recharge_linked` in one transaction. Returns the link, or null.
 */
export function linkRecharge(
  ledger: Ledger,
  charge: { id: number; amountMinor: number; currency: string; panMasked: string; receivedAt: string },
  actor: string,
): Recharge | null {
  checkActor(actor);
  // Most charges are nobody's correct amount: a read on the partial index, no write transaction.
  const candidate = ledger.query((db) => waitingAmountStatement(db).get(charge.amountMinor));
  if (!candidate) return null;
  return ledger.transact((tx) => {
    const already = tx.db.prepare('SELECT 1 FROM recharges WHERE charge_id = ?').get(charge.id);
    if (already) return null;
    const waiting = (
      tx.db.prepare(`${SELECT} WHERE r.state = 'waiting' AND r.amount_minor = ? ORDER BY r.id`).all(charge.amountMinor) as RechargeRow[]
    ).map(toRecharge);
    const match = waiting.find((r) => r.voidedChargeId !== charge.id && matchesRecharge(r, charge));
    if (!match) return null;
    const linked = tx.db
      .prepare('UPDATE incidents SET related_charge_id = ?, updated_at = ? WHERE id = ? AND related_charge_id IS NULL')
      .run(charge.id, tx.at, match.incidentId);
    if (linked.changes !== 1) {
      // Linked some other way meanwhile: this request has nothing left to wait for.
      tx.db.prepare(`UPDATE recharges SET state = 'replaced' WHERE id = ?`).run(match.id);
      tx.audit(actor, 'incident.recharge_dropped', 'incident', String(match.incidentId), { incidentId: match.incidentId, rechargeId: match.id });
      return null;
    }
    tx.db.prepare(`UPDATE recharges SET state = 'linked', charge_id = ?, linked_at = ? WHERE id = ?`).run(charge.id, tx.at, match.id);
    tx.audit(actor, 'incident.recharge_linked', 'incident', String(match.incidentId), {
      incidentId: match.incidentId,
      rechargeId: match.id,
      chargeId: charge.id,
      voidedChargeId: match.voidedChargeId,
      amountMinor: charge.amountMinor,
      currency: charge.currency,
      expectedBy: match.expectedBy,
    });
    return byId(tx.db, match.id);
  });
}

/** The incident's latest correct-amount request (waiting or linked), or null. */
export function rechargeForIncident(ledger: Ledger, incidentId: number): Recharge | null {
  return ledger.query((db) => {
    const row = db.prepare(`${SELECT} WHERE r.incident_id = ? AND r.state <> 'replaced' ORDER BY r.id DESC LIMIT 1`).get(incidentId) as
      | RechargeRow
      | undefined;
    return row ? toRecharge(row) : null;
  });
}

/** The link that made `chargeId` the correct-amount charge of an incident, or null. */
export function rechargeOfCharge(ledger: Ledger, chargeId: number): Recharge | null {
  return ledger.query((db) => {
    const row = db.prepare(`${SELECT} WHERE r.charge_id = ?`).get(chargeId) as RechargeRow | undefined;
    return row ? toRecharge(row) : null;
  });
}

/** The latest requests and links (newest first), for the screens. */
export function recentRecharges(ledger: Ledger, limit = 100): Recharge[] {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000) throw new LedgerError('argument.invalid', 'a limit is an integer 1..1000');
  return ledger.query((db) => (db.prepare(`${SELECT} WHERE r.state <> 'replaced' ORDER BY r.id DESC LIMIT ?`).all(limit) as RechargeRow[]).map(toRecharge));
}
