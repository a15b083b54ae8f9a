/**
 * Incidents: what went wrong with a charge (the cashier flagged it) or with a settlement (the
 * terminal's totals differ from the ledger's).
 *
 * Built on the ledger's public seam (`transact` / `query`). Flagging a charge is ONE transaction:
 * the charge becomes 'flagged' (audit `charge.flagged`) and its incident opens (audit
 * `incident.opened`), or neither happens. Only 'open' is written here; the incident workflow
 * (its own issue) moves incidents on through the same table.
 */
import type Database from 'better-sqlite3';
import type { Charge } from '../contract/schemas.js';
import type { FlagCause, Incident, IncidentKind, SettlementDifference, SettlementTotals } from '../contract/counterSchemas.js';
import { FlagCause as FlagCauseSchema } from '../contract/counterSchemas.js';
import { MAX_MINOR_UNITS } from '../domain/charge.js';
import { incidentKindFor } from '../domain/incidentKind.js';
import { checkActor } from './auditStore.js';
import { LedgerError } from './errors.js';
import { cachedStatement } from './statements.js';
import type { Ledger, LedgerTx } from './ledger.js';
import { CHARGE_COLUMNS, rowToCharge, type ChargeRow } from './rows.js';

export const MAX_INCIDENT_NOTE = 500;

const INCIDENT_COLUMNS =
  'id, kind, status, cause, note, charge_id, related_charge_id, settlement_id, currency, charged_minor, intended_minor, ' +
  'difference_minor, terminal_id, batch, trace, rrn, auth_code, pan_masked, details, created_by, created_at, updated_at, ' +
  'resolved_by, resolved_at, resolution, resolution_note';

export interface IncidentRow {
  id: number;
  kind: IncidentKind;
  status: Incident['status'];
  cause: FlagCause | null;
  note: string | null;
  charge_id: number | null;
  related_charge_id: number | null;
  settlement_id: number | null;
  currency: string | null;
  charged_minor: number | null;
  intended_minor: number | null;
  difference_minor: number | null;
  terminal_id: string | null;
  batch: string | null;
  trace: string | null;
  rrn: string | null;
  auth_code: string | null;
  pan_masked: string | null;
  details: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution: string | null;
  resolution_note: string | null;
}

function rowToIncident(r: IncidentRow): Incident {
  let details: Incident['details'] = null;
  if (r.details !== null) {
    try {
      details = JSON.parse(r.details) as Incident['details'];
    } catch {
      throw new LedgerError('db.corrupt', `the ledger holds invalid JSON in incident ${r.id} details`, { what: `incident ${r.id}` });
    }
  }
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    cause: r.cause,
    note: r.note,
    chargeId: r.charge_id,
    relatedChargeId: r.related_charge_id,
    settlementId: r.settlement_id,
    currency: r.currency,
    chargedMinor: r.charged_minor,
    intendedMinor: r.intended_minor,
    differenceMinor: r.difference_minor,
    terminalId: r.terminal_id,
    batch: r.batch,
    trace: r.trace,
    rrn: r.rrn,
    authCode: r.auth_code,
    panMasked: r.pan_masked,
    details,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    resolvedBy: r.resolved_by,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
    resolutionNote: r.resolution_note,
  };
}

const SQL = {
  chargeById: `SELECT ${CHARGE_COLUMNS} FROM charges WHERE id = ?`,
  flag: `UPDATE charges SET status = 'flagged' WHERE id = ? AND status IN ('pending','confirmed') RETURNING ${CHARGE_COLUMNS}`,
  insert: `
    INSERT INTO incidents (kind, status, cause, note, charge_id, related_charge_id, settlement_id, currency, charged_minor,
      intended_minor, difference_minor, terminal_id, merchant_id, batch, trace, rrn, auth_code, pan_masked, details,
      created_by, created_at, updated_at, owed_minor)
    VALUES (@kind, 'open', @cause, @note, @chargeId, @relatedChargeId, @settlementId, @currency, @chargedMinor,
      @intendedMinor, @differenceMinor, @terminalId, @merchantId, @batch, @trace, @rrn, @authCode, @panMasked, @details,
      @createdBy, @at, @at, @owedMinor)
    RETURNING ${INCIDENT_COLUMNS}`,
  /** The first entry of the incident's timeline (schema v7). */
  openedEvent: `
    INSERT INTO incident_events (incident_id, at, actor, action, to_status, amount_minor, note, data)
    VALUES (?, ?, ?, 'opened', 'open', ?, ?, ?)`,
  byId: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`,
  unresolvedForCharge: `SELECT ${INCIDENT_COLUMNS} FROM incidents INDEXED BY incidents_open_charge WHERE charge_id = ? AND resolved_at IS NULL`,
  latestForCharge: `SELECT ${INCIDENT_COLUMNS} FROM incidents INDEXED BY incidents_charge WHERE charge_id = ? ORDER BY id DESC LIMIT 1`,
  forSettlement: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE settlement_id = ? ORDER BY id`,
  unresolved: `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE resolved_at IS NULL ORDER BY id LIMIT ?`,
} as const;

const stmt = cachedStatement;

export interface FlagChargeInput {
  chargeId: number;
  /** What the customer should have paid, integer minor units (0 for a duplicate swipe). */
  intendedMinor: number;
  cause: FlagCause;
  note?: string | null;
}

function checkFlagInput(input: FlagChargeInput): void {
  if (!Number.isSafeInteger(input.chargeId) || input.chargeId <= 0) {
    throw new LedgerError('argument.invalid', 'a charge id is a positive integer', { chargeId: String(input.chargeId) });
  }
  if (!Number.isSafeInteger(input.intendedMinor) || input.intendedMinor < 0 || input.intendedMinor > MAX_MINOR_UNITS) {
    throw new LedgerError('argument.invalid', 'the intended amount is an integer number of minor units (0 or more)');
  }
  if (!FlagCauseSchema.safeParse(input.cause).success) {
    throw new LedgerError('argument.invalid', `a cause is one of ${FlagCauseSchema.options.join(', ')}`);
  }
  const note = input.note ?? null;
  if (note !== null && (typeof note !== 'string' || note.length > MAX_INCIDENT_NOTE)) {
    throw new LedgerError('argument.invalid', `a note is at most ${MAX_INCIDENT_NOTE} characters`);
  }
}

/** The other charge named by a possible-duplicate flag, if it exists. */
function duplicateOf(db: Database.Database, charge: Charge): number | null {
  const flag = charge.flags.find((f) => f.kind === 'possible_duplicate');
  const other = flag?.params.otherId;
  if (typeof other !== 'number' || !Number.isSafeInteger(other) || other <= 0 || other === charge.id) return null;
  return stmt<[number], ChargeRow>(db, SQL.chargeById).get(other) ? other : null;
}

/**
 * The cashier flags a pending or confirmed charge: it becomes 'flagged' and an incident opens with
 * the charged and intended amounts, their difference and the charge's identifiers, in one
 * transaction with both audit rows.
 */
export function flagChargeWithIncident(ledger: Ledger, input: FlagChargeInput, actor: string): { charge: Charge; incident: Incident } {
  checkActor(actor);
  checkFlagInput(input);
  const note = input.note?.trim() ? input.note.trim() : null;
  return ledger.transact((tx) => {
    const current = stmt<[number], ChargeRow>(tx.db, SQL.chargeById).get(input.chargeId);
    if (!current) throw new LedgerError('charge.not_found', `no charge ${input.chargeId}`, { chargeId: String(input.chargeId) });
    if (current.status !== 'pending' && current.status !== 'confirmed') {
      throw new LedgerError('charge.not_flaggable', `charge ${input.chargeId} is ${current.status} and cannot be flagged`, {
        chargeId: String(input.chargeId),
        status: current.status,
      });
    }
    const row = stmt<[number], ChargeRow>(tx.db, SQL.flag).get(input.chargeId) as ChargeRow;
    const charge = rowToCharge(row);
    tx.audit(actor, 'charge.flagged', 'charge', String(charge.id), {
      chargeId: charge.id,
      from: current.status,
      note: note ?? '',
    });
    const kind = incidentKindFor(input.cause, charge.amountMinor, input.intendedMinor);
    const incident = insertIncident(tx, {
      kind,
      cause: input.cause,
      note,
      chargeId: charge.id,
      relatedChargeId: kind === 'duplicate_charge' ? duplicateOf(tx.db, charge) : null,
      settlementId: null,
      currency: charge.currency,
      chargedMinor: charge.amountMinor,
      intendedMinor: input.intendedMinor,
      terminalId: charge.terminalId,
      merchantId: charge.merchantId,
      batch: charge.batch,
      trace: charge.trace,
      rrn: charge.rrn,
      authCode: charge.authCode,
      panMasked: charge.panMasked,
      details: null,
      createdBy: actor,
    });
    return { charge, incident };
  });
}

export interface NewIncident {
  kind: IncidentKind;
  cause: FlagCause | null;
  note: string | null;
  chargeId: number | null;
  relatedChargeId: number | null;
  settlementId: number | null;
  currency: string | null;
  chargedMinor: number | null;
  intendedMinor: number | null;
  terminalId: string | null;
  merchantId: string | null;
  batch: string | null;
  trace: string | null;
  rrn: string | null;
  authCode: string | null;
  panMasked: string | null;
  details: Incident['details'];
  createdBy: string;
  /** What the customer should get back; default: the positive difference (charged − intended). */
  owedMinor?: number;
}

/** Inside the caller's transaction: inserts an open incident (with its first timeline entry) and appends `incident.opened`. */
export function insertIncident(tx: LedgerTx, n: NewIncident): Incident {
  const differenceMinor = n.chargedMinor !== null && n.intendedMinor !== null ? n.chargedMinor - n.intendedMinor : null;
  let row: IncidentRow | undefined;
  try {
    row = stmt<[Record<string, unknown>], IncidentRow>(tx.db, SQL.insert).get({
      ...n,
      differenceMinor,
      details: n.details === null ? null : JSON.stringify(n.details),
      at: tx.at,
      // What the customer should get back: the difference when they paid too much (the whole
      // charge for a duplicate, whose intended amount is 0); set by hand for other kinds.
      owedMinor: n.owedMinor ?? (differenceMinor !== null && differenceMinor > 0 ? differenceMinor : 0),
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && n.chargeId !== null) {
      throw new LedgerError('incident.already_open', `charge ${n.chargeId} already has an open incident`, { chargeId: String(n.chargeId) });
    }
    throw e;
  }
  const incident = rowToIncident(row as IncidentRow);
  stmt(tx.db, SQL.openedEvent).run(
    incident.id,
    tx.at,
    n.createdBy,
    incident.chargedMinor,
    incident.note,
    JSON.stringify({ kind: incident.kind, cause: incident.cause }),
  );
  tx.audit(n.createdBy, 'incident.opened', 'incident', String(incident.id), {
    incidentId: incident.id,
    kind: incident.kind,
    cause: incident.cause,
    chargeId: incident.chargeId,
    relatedChargeId: incident.relatedChargeId,
    settlementId: incident.settlementId,
    currency: incident.currency,
    chargedMinor: incident.chargedMinor,
    intendedMinor: incident.intendedMinor,
    differenceMinor: incident.differenceMinor,
    terminalId: incident.terminalId,
    batch: incident.batch,
    trace: incident.trace,
    rrn: incident.rrn,
    authCode: incident.authCode,
    panMasked: incident.panMasked,
    details: incident.details,
    note: incident.note,
  });
  return incident;
}

/**
 * Inside the caller's (settlement's) transaction: the terminal's totals differ from the ledger's.
 * Both sets of figures and their differences are kept on the incident.
 */
export function openSettlementMismatch(
  tx: LedgerTx,
  s: {
    settlementId: number;
    terminalId: string | null;
    batch: string;
    currency: string | null;
    terminal: SettlementTotals;
    ledger: SettlementTotals;
    differences: SettlementDifference[];
  },
  actor: string,
): Incident {
  return insertIncident(tx, {
    kind: 'settlement_mismatch',
    cause: null,
    note: null,
    chargeId: null,
    relatedChargeId: null,
    settlementId: s.settlementId,
    currency: s.currency,
    chargedMinor: null,
    intendedMinor: null,
    terminalId: s.terminalId,
    merchantId: null,
    batch: s.batch,
    trace: null,
    rrn: null,
    authCode: null,
    panMasked: null,
    details: { terminal: s.terminal, ledger: s.ledger, differences: s.differences },
    createdBy: actor,
  });
}

export function getIncident(ledger: Ledger, id: number): Incident | null {
  return ledger.query((db) => {
    const row = stmt<[number], IncidentRow>(db, SQL.byId).get(id);
    return row ? rowToIncident(row) : null;
  });
}

/** The charge's unresolved incident, else its latest one, else null. */
export function incidentForCharge(ledger: Ledger, chargeId: number): Incident | null {
  return ledger.query((db) => incidentForChargeIn(db, chargeId));
}

export function incidentForChargeIn(db: Database.Database, chargeId: number): Incident | null {
  const row =
    stmt<[number], IncidentRow>(db, SQL.unresolvedForCharge).get(chargeId) ?? stmt<[number], IncidentRow>(db, SQL.latestForCharge).get(chargeId);
  return row ? rowToIncident(row) : null;
}

export function incidentsForSettlement(ledger: Ledger, settlementId: number): Incident[] {
  return ledger.query((db) => stmt<[number], IncidentRow>(db, SQL.forSettlement).all(settlementId).map(rowToIncident));
}

/** Incidents not yet resolved, oldest first. */
export function unresolvedIncidents(ledger: Ledger, limit = 500): Incident[] {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) throw new LedgerError('argument.invalid', 'a limit is an integer 1..10000');
  return ledger.query((db) => stmt<[number], IncidentRow>(db, SQL.unresolved).all(limit).map(rowToIncident));
}
