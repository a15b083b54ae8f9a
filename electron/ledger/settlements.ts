/**
 * Settlements: the open batch as the ledger sees it, what blocks settling it, and the record of
 * each batch the terminal settled (its SE answer against the ledger's own totals).
 *
 * Built on the ledger's public seam (`transact` / `query`). Recording a settlement is ONE
 * transaction: the settlement row, its charges marked settled (`settled_batch_id`/`settled_at`),
 * audit `settlement.recorded`, and — when the figures differ — a settlement_mismatch incident
 * with its own audit row.
 *
 * The ledger counts the way the terminal does (native/sim/terminal.ts, spec SE): every charge of
 * the batch is a sale whatever became of it since (voided ones included), voided charges are also
 * voids, and refunds are the RF requests the terminal approved between the previous settlement's
 * SE and this one (a refund belongs to the batch open when it was made).
 */
import type Database from 'better-sqlite3';
import type { Blocker, SettlementReport, SettlementTotals } from '../contract/counterSchemas.js';
import type { Charge } from '../contract/schemas.js';
import { compareSettlement, ledgerTotals, parseSettlementFields, type StatusGroup } from '../domain/settlement.js';
import { buildSettlementReport } from '../domain/settlementReport.js';
import { checkActor } from './auditStore.js';
import { LedgerError } from './errors.js';
import { cachedStatement } from './statements.js';
import { incidentForChargeIn, openSettlementMismatch } from './incidents.js';
import type { Ledger } from './ledger.js';
import { CHARGE_COLUMNS, rowToCharge, type ChargeRow } from './rows.js';

const SETTLEMENT_COLUMNS =
  'id, terminal_id, batch, next_batch, currency, request_id, request_seq, ' +
  'terminal_sale_count, terminal_sale_minor, terminal_void_count, terminal_void_minor, terminal_refund_count, terminal_refund_minor, ' +
  'ledger_sale_count, ledger_sale_minor, ledger_void_count, ledger_void_minor, ledger_refund_count, ledger_refund_minor, ' +
  'matched, settled_by, settled_at';

interface SettlementRow {
  id: number;
  terminal_id: string | null;
  batch: string;
  next_batch: string | null;
  currency: string | null;
  request_id: number;
  request_seq: string;
  terminal_sale_count: number;
  terminal_sale_minor: number;
  terminal_void_count: number;
  terminal_void_minor: number;
  terminal_refund_count: number;
  terminal_refund_minor: number;
  ledger_sale_count: number;
  ledger_sale_minor: number;
  ledger_void_count: number;
  ledger_void_minor: number;
  ledger_refund_count: number;
  ledger_refund_minor: number;
  matched: 0 | 1;
  settled_by: string;
  settled_at: string;
}

const SQL = {
  /** The newest charge not settled yet: a walk of the (small) partial index. */
  newestUnsettled: `
    SELECT batch FROM charges INDEXED BY charges_unsettled
    WHERE settled_batch_id IS NULL ORDER BY id DESC LIMIT 1`,
  /** Covered by charges_unsettled (batch, status, amount_minor). */
  groups: `
    SELECT status, count(*) AS count, coalesce(sum(amount_minor), 0) AS amountMinor
    FROM charges INDEXED BY charges_unsettled
    WHERE settled_batch_id IS NULL AND batch = ? GROUP BY status`,
  /** Terminal and currency of a batch: those of its newest unsettled charge. */
  batchIdentity: `
    SELECT terminal_id, currency FROM charges WHERE id = (
      SELECT max(id) FROM charges INDEXED BY charges_unsettled WHERE settled_batch_id IS NULL AND batch = ?)`,
  /** Pending and flagged charges are few: read them by the (status, id) index. */
  blockers: `
    SELECT ${CHARGE_COLUMNS} FROM charges INDEXED BY charges_status
    WHERE status IN ('pending', 'flagged') AND +settled_batch_id IS NULL ORDER BY id`,
  /** A flood leaves tens of thousands pending: counted on the index, listed only in part. */
  pendingBlockersCount: `SELECT count(*) FROM charges INDEXED BY charges_status WHERE status = 'pending' AND +settled_batch_id IS NULL`,
  pendingBlockersFirst: `
    SELECT ${CHARGE_COLUMNS} FROM charges INDEXED BY charges_status
    WHERE status = 'pending' AND +settled_batch_id IS NULL ORDER BY id LIMIT ?`,
  flaggedBlockers: `
    SELECT ${CHARGE_COLUMNS} FROM charges INDEXED BY charges_status
    WHERE status = 'flagged' AND +settled_batch_id IS NULL ORDER BY id`,
  lastRequestId: 'SELECT coalesce(max(request_id), 0) FROM settlements',
  refundsBetween: `
    SELECT fields FROM host_requests
    WHERE type = 'RF' AND state = 'answered' AND rc = '00' AND id > ? AND id < ? ORDER BY id`,
  inDoubt: "SELECT seq FROM host_requests WHERE type = 'SE' AND state IN ('pending', 'unknown') ORDER BY id LIMIT 1",
  unrecorded: `
    SELECT h.id, h.seq, h.actor, h.response FROM host_requests h
    WHERE h.type = 'SE' AND h.state = 'answered' AND h.rc = '00'
      AND NOT EXISTS (SELECT 1 FROM settlements s WHERE s.request_id = h.id)
    ORDER BY h.id`,
  byRequest: `SELECT ${SETTLEMENT_COLUMNS} FROM settlements WHERE request_id = ?`,
  byId: `SELECT ${SETTLEMENT_COLUMNS} FROM settlements WHERE id = ?`,
  last: `SELECT ${SETTLEMENT_COLUMNS} FROM settlements ORDER BY id DESC LIMIT 1`,
  incidentOf: "SELECT id FROM incidents WHERE settlement_id = ? AND kind = 'settlement_mismatch' ORDER BY id LIMIT 1",
  requestById: "SELECT id, seq, type, state, rc, actor, response FROM host_requests WHERE id = ?",
  insert: `
    INSERT INTO settlements (terminal_id, batch, next_batch, currency, request_id, request_seq,
      terminal_sale_count, terminal_sale_minor, terminal_void_count, terminal_void_minor, terminal_refund_count, terminal_refund_minor,
      ledger_sale_count, ledger_sale_minor, ledger_void_count, ledger_void_minor, ledger_refund_count, ledger_refund_minor,
      matched, settled_by, settled_at)
    VALUES (@terminalId, @batch, @nextBatch, @currency, @requestId, @requestSeq,
      @tSaleCount, @tSaleMinor, @tVoidCount, @tVoidMinor, @tRefundCount, @tRefundMinor,
      @lSaleCount, @lSaleMinor, @lVoidCount, @lVoidMinor, @lRefundCount, @lRefundMinor,
      @matched, @settledBy, @at)
    RETURNING ${SETTLEMENT_COLUMNS}`,
  settleCharges: 'UPDATE charges SET settled_batch_id = ?, settled_at = ? WHERE settled_batch_id IS NULL AND batch = ?',
} as const;

const stmt = cachedStatement;

function refundAmounts(db: Database.Database, afterRequestId: number, beforeRequestId: number): number[] {
  const rows = stmt<[number, number], { fields: string }>(db, SQL.refundsBetween).all(afterRequestId, beforeRequestId);
  return rows.map((r) => {
    const am = (JSON.parse(r.fields) as Record<string, string>).AM ?? '';
    if (!/^\d{12}$/.test(am)) throw new LedgerError('db.corrupt', 'a refund request without a valid amount');
    return Number.parseInt(am, 10);
  });
}

/** The ledger's totals of `batch` (its unsettled charges) with the refunds made since `afterRequestId`. */
function totalsIn(db: Database.Database, batch: string, afterRequestId: number, beforeRequestId: number): SettlementTotals {
  const groups = stmt<[string], StatusGroup>(db, SQL.groups).all(batch);
  return ledgerTotals(groups, refundAmounts(db, afterRequestId, beforeRequestId));
}

/** The batch's terminal and currency (one terminal, one currency per till); nulls for an empty batch. */
function identityOf(db: Database.Database, batch: string): { terminalId: string | null; currency: string | null } {
  const row = stmt<[string], { terminal_id: string; currency: string }>(db, SQL.batchIdentity).get(batch);
  return { terminalId: row?.terminal_id ?? null, currency: row?.currency ?? null };
}

export interface OpenBatch {
  /** null: no charge since the last settlement. */
  batch: string | null;
  terminalId: string | null;
  currency: string | null;
  totals: SettlementTotals;
  pending: number;
  confirmed: number;
  flagged: number;
}

/** The open batch: the batch of the newest charge not settled yet, with the ledger's totals. */
export function openBatch(ledger: Ledger): OpenBatch {
  return ledger.query((db) => {
    const newest = stmt<[], { batch: string }>(db, SQL.newestUnsettled).get();
    const lastRequest = stmt<[], number>(db, SQL.lastRequestId).pluck().get() ?? 0;
    if (!newest) {
      return {
        batch: null,
        terminalId: null,
        currency: null,
        totals: ledgerTotals([], refundAmounts(db, lastRequest, Number.MAX_SAFE_INTEGER)),
        pending: 0,
        confirmed: 0,
        flagged: 0,
      };
    }
    const groups = stmt<[string], StatusGroup>(db, SQL.groups).all(newest.batch);
    const count = (status: string) => groups.filter((g) => g.status === status).reduce((n, g) => n + g.count, 0);
    return {
      batch: newest.batch,
      ...identityOf(db, newest.batch),
      totals: ledgerTotals(groups, refundAmounts(db, lastRequest, Number.MAX_SAFE_INTEGER)),
      pending: count('pending'),
      confirmed: count('confirmed'),
      flagged: count('flagged'),
    };
  });
}

/**
 * What stops the batch from being settled: every charge not settled yet that is unconfirmed, or
 * flagged while its incident is unresolved. Oldest first.
 */
export function settlementBlockers(ledger: Ledger): Blocker[] {
  return ledger.query((db) => {
    const out: Blocker[] = [];
    for (const row of stmt<[], ChargeRow>(db, SQL.blockers).all()) {
      const charge: Charge = rowToCharge(row);
      if (charge.status === 'pending') {
        out.push({ kind: 'unconfirmed', charge });
        continue;
      }
      const incident = incidentForChargeIn(db, charge.id);
      if (incident && incident.resolvedAt !== null) continue; // resolved: no longer blocks
      out.push({ kind: 'flagged', charge, incident });
    }
    return out;
  });
}

/**
 * How many charges block the settlement, and the oldest `limit` of them (as `settlementBlockers`
 * lists them): bounded work however many charges wait.
 */
export function settlementBlockersSummary(ledger: Ledger, limit: number): { blockers: Blocker[]; count: number } {
  return ledger.query((db) => {
    const pendingCount = stmt<[], number>(db, SQL.pendingBlockersCount).pluck().get() ?? 0;
    const pending = stmt<[number], ChargeRow>(db, SQL.pendingBlockersFirst)
      .all(limit)
      .map((row): Blocker => ({ kind: 'unconfirmed', charge: rowToCharge(row) }));
    const flagged: Blocker[] = [];
    for (const row of stmt<[], ChargeRow>(db, SQL.flaggedBlockers).all()) {
      const charge = rowToCharge(row);
      const incident = incidentForChargeIn(db, charge.id);
      if (incident && incident.resolvedAt !== null) continue; // resolved: no longer blocks
      flagged.push({ kind: 'flagged', charge, incident });
    }
    const blockers = [...pending, ...flagged].sort((a, b) => a.charge.id - b.charge.id).slice(0, limit);
    return { blockers, count: pendingCount + flagged.length };
  });
}

/** The SEQ of an SE whose answer is not known (pending or lost), else null. */
export function settlementInDoubt(ledger: Ledger): string | null {
  return ledger.query((db) => stmt<[], string>(db, SQL.inDoubt).pluck().get() ?? null);
}

export interface UnrecordedSettlement {
  requestId: number;
  seq: string;
  actor: string;
  response: Record<string, string>;
}

/** SE requests the terminal approved (00) with no settlement recorded yet: e.g. answered by QT after a restart. */
export function unrecordedSettlements(ledger: Ledger): UnrecordedSettlement[] {
  return ledger.query((db) =>
    stmt<[], { id: number; seq: string; actor: string; response: string }>(db, SQL.unrecorded)
      .all()
      .map((r) => ({ requestId: r.id, seq: r.seq, actor: r.actor, response: JSON.parse(r.response) as Record<string, string> })),
  );
}

function reportOf(db: Database.Database, row: SettlementRow): SettlementReport {
  const incidentId = stmt<[number], number>(db, SQL.incidentOf).pluck().get(row.id) ?? null;
  return buildSettlementReport({
    settlementId: row.id,
    batch: row.batch,
    nextBatch: row.next_batch,
    terminalId: row.terminal_id,
    currency: row.currency,
    settledBy: row.settled_by,
    settledAt: row.settled_at,
    requestSeq: row.request_seq,
    terminal: {
      sales: { count: row.terminal_sale_count, amountMinor: row.terminal_sale_minor },
      voids: { count: row.terminal_void_count, amountMinor: row.terminal_void_minor },
      refunds: { count: row.terminal_refund_count, amountMinor: row.terminal_refund_minor },
    },
    ledger: {
      sales: { count: row.ledger_sale_count, amountMinor: row.ledger_sale_minor },
      voids: { count: row.ledger_void_count, amountMinor: row.ledger_void_minor },
      refunds: { count: row.ledger_refund_count, amountMinor: row.ledger_refund_minor },
    },
    incidentId,
  });
}

export function lastSettlementReport(ledger: Ledger): SettlementReport | null {
  return ledger.query((db) => {
    const row = stmt<[], SettlementRow>(db, SQL.last).get();
    return row ? reportOf(db, row) : null;
  });
}

export function settlementReport(ledger: Ledger, settlementId: number): SettlementReport | null {
  return ledger.query((db) => {
    const row = stmt<[number], SettlementRow>(db, SQL.byId).get(settlementId);
    return row ? reportOf(db, row) : null;
  });
}

/**
 * Records the batch an answered SE settled (idempotent per request: a second call returns the
 * same report). `requestId` must be an SE the terminal answered 00; its fields are the answer.
 * The settlement is attributed to `actor` (who sent the SE).
 */
export function recordSettlement(ledger: Ledger, requestId: number, actor: string): { report: SettlementReport; created: boolean } {
  checkActor(actor);
  if (!Number.isSafeInteger(requestId) || requestId <= 0) throw new LedgerError('argument.invalid', 'a request id is a positive integer');
  return ledger.transact((tx) => {
    const existing = stmt<[number], SettlementRow>(tx.db, SQL.byRequest).get(requestId);
    if (existing) return { report: reportOf(tx.db, existing), created: false };
    const request = stmt<[number], { id: number; seq: string; type: string; state: string; rc: string | null; response: string | null }>(
      tx.db,
      SQL.requestById,
    ).get(requestId);
    if (!request) throw new LedgerError('request.not_found', `no host request ${requestId}`, { requestId: String(requestId) });
    if (request.type !== 'SE' || request.state !== 'answered' || request.rc !== '00' || request.response === null) {
      throw new LedgerError('settlement.not_settled', `host request ${request.seq} is not a settlement the terminal approved`, { seq: request.seq });
    }
    const parsed = parseSettlementFields(JSON.parse(request.response) as Record<string, string>);
    if (!parsed.ok) {
      throw new LedgerError('settlement.bad_response', `the terminal's settlement answer has no valid ${parsed.field}`, {
        seq: request.seq,
        field: parsed.field,
      });
    }
    const { batch, nextBatch, totals: terminal } = parsed.value;
    const previous = stmt<[], number>(tx.db, SQL.lastRequestId).pluck().get() ?? 0;
    const ledgerSide = totalsIn(tx.db, batch, previous, requestId);
    const { terminalId, currency } = identityOf(tx.db, batch);
    const { matched, differences } = compareSettlement(terminal, ledgerSide);
    const row = stmt<[Record<string, unknown>], SettlementRow>(tx.db, SQL.insert).get({
      terminalId,
      batch,
      nextBatch,
      currency,
      requestId,
      requestSeq: request.seq,
      tSaleCount: terminal.sales.count,
      tSaleMinor: terminal.sales.amountMinor,
      tVoidCount: terminal.voids.count,
      tVoidMinor: terminal.voids.amountMinor,
      tRefundCount: terminal.refunds.count,
      tRefundMinor: terminal.refunds.amountMinor,
      lSaleCount: ledgerSide.sales.count,
      lSaleMinor: ledgerSide.sales.amountMinor,
      lVoidCount: ledgerSide.voids.count,
      lVoidMinor: ledgerSide.voids.amountMinor,
      lRefundCount: ledgerSide.refunds.count,
      lRefundMinor: ledgerSide.refunds.amountMinor,
      matched: matched ? 1 : 0,
      settledBy: actor,
      at: tx.at,
    }) as SettlementRow;
    const settled = stmt<[number, string, string]>(tx.db, SQL.settleCharges).run(row.id, tx.at, batch).changes;
    tx.audit(actor, 'settlement.recorded', 'settlement', String(row.id), {
      settlementId: row.id,
      requestId,
      seq: request.seq,
      terminalId,
      batch,
      nextBatch,
      currency,
      terminal,
      ledger: ledgerSide,
      matched,
      chargesSettled: settled,
    });
    if (!matched) {
      openSettlementMismatch(tx, { settlementId: row.id, terminalId, batch, currency, terminal, ledger: ledgerSide, differences }, actor);
    }
    return { report: reportOf(tx.db, row), created: true };
  });
}
