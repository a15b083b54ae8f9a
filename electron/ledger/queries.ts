/**
 * The ledger's SQL, kept in one place so tests can check each query plan (EXPLAIN QUERY PLAN).
 *
 * The history query picks ONE index to drive it (the most selective filter) and writes every other
 * filter as `+column`, which SQLite cannot use an index for. So the plan does not depend on the
 * planner's guesses or on ANALYZE statistics, and stays fast at a million charges.
 */
import type { ChargeStatus } from '../contract/schemas.js';
import { AUDIT_COLUMNS, CHARGE_COLUMNS, HOST_REQUEST_COLUMNS } from './rows.js';

export const SQL = {
  insertCharge: `
    INSERT INTO charges (terminal_id, merchant_id, batch, trace, rrn, auth_code, amount_minor, currency,
      pan_masked, entry_mode, brand, aid, tx_class, merchant_name, response_code, terminal_time, received_at)
    VALUES (@terminalId, @merchantId, @batch, @trace, @rrn, @authCode, @amountMinor, @currency,
      @panMasked, @entryMode, @brand, @aid, @txClass, @merchantName, @responseCode, @terminalTime, @receivedAt)
    ON CONFLICT (terminal_id, batch, trace) DO NOTHING
    RETURNING ${CHARGE_COLUMNS}`,
  chargeByKey: `SELECT ${CHARGE_COLUMNS} FROM charges WHERE terminal_id = ? AND batch = ? AND trace = ?`,
  chargeById: `SELECT ${CHARGE_COLUMNS} FROM charges WHERE id = ?`,
  /** A range of the (status, id) index, already in id order. */
  pendingQueue: `SELECT ${CHARGE_COLUMNS} FROM charges WHERE status = 'pending' ORDER BY id LIMIT ?`,
  confirmCharge: `
    UPDATE charges SET status = 'confirmed', confirmed_by = ?, confirmed_at = ?
    WHERE id = ? AND status = 'pending'
    RETURNING ${CHARGE_COLUMNS}`,
  insertConfirmation: 'INSERT INTO confirmations (charge_id, actor, at, rekeyed_minor) VALUES (?, ?, ?, ?)',
  setFlags: `UPDATE charges SET flags = ? WHERE id = ? RETURNING ${CHARGE_COLUMNS}`,
  setStatusFlagged: `UPDATE charges SET status = 'flagged' WHERE id = ? RETURNING ${CHARGE_COLUMNS}`,
  recentConfirmedAmounts: `SELECT amount_minor FROM charges WHERE status = 'confirmed' ORDER BY id DESC LIMIT ?`,
  /** An exact range of the (pan_masked, received_at) index. */
  chargesByCardSince: `
    SELECT ${CHARGE_COLUMNS} FROM charges INDEXED BY charges_card
    WHERE pan_masked = ? AND received_at >= ?
    ORDER BY id`,
  /** Sums the quarter-hour running totals (bounds are 'YYYY-MM-DDTHH:MM'). */
  totalsBetween: `
    SELECT status, currency, sum(count) AS n, sum(amount_minor) AS amount
    FROM charge_totals WHERE bucket >= ? AND bucket < ?
    GROUP BY status, currency`,
  /** The same from the charges themselves, for bounds that are not on a quarter hour. */
  totalsBetweenExact: `
    SELECT status, currency, count(*) AS n, sum(amount_minor) AS amount
    FROM charges INDEXED BY charges_received WHERE received_at >= ? AND received_at < ?
    GROUP BY status, currency`,

  hostSeqGet: 'SELECT last FROM host_seq WHERE id = 1',
  hostSeqSet: 'UPDATE host_seq SET last = ? WHERE id = 1',
  hostSeqOpen: "SELECT 1 FROM host_requests WHERE state IN ('pending','unknown') AND seq = ?",
  insertHostRequest: `
    INSERT INTO host_requests (seq, type, fields, charge_id, state, created_at, actor)
    VALUES (?, ?, ?, ?, 'pending', ?, ?)`,
  hostRequestOpenBySeq: `SELECT ${HOST_REQUEST_COLUMNS} FROM host_requests WHERE state IN ('pending','unknown') AND seq = ?`,
  hostRequestLatestBySeq: `SELECT ${HOST_REQUEST_COLUMNS} FROM host_requests WHERE seq = ? ORDER BY id DESC LIMIT 1`,
  hostRequestById: `SELECT ${HOST_REQUEST_COLUMNS} FROM host_requests WHERE id = ?`,
  hostRequestAnswer: "UPDATE host_requests SET state = 'answered', rc = ?, response = ?, resolved_at = ? WHERE id = ?",
  hostRequestUnknown: "UPDATE host_requests SET state = 'unknown', reason = ?, resolved_at = ? WHERE id = ?",
  hostRequestsUnresolved: `SELECT ${HOST_REQUEST_COLUMNS} FROM host_requests WHERE state IN ('pending','unknown') ORDER BY id`,
  hostRequestsPending: "SELECT id, seq FROM host_requests WHERE state = 'pending' ORDER BY id",

  auditRowsFrom: `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq LIMIT ?`,
  auditAll: `SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY seq`,

  settingGet: 'SELECT value FROM settings WHERE key = ?',
  settingSet: 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
} as const;

/** A HistoryFilter after zod parsing, with local dates already turned into UTC bounds. */
export interface HistoryQueryInput {
  status?: ChargeStatus | undefined;
  flagged?: boolean | undefined;
  last4?: string | undefined;
  fromIso?: string | undefined;
  toIsoExclusive?: string | undefined;
  minAmountMinor?: number | undefined;
  maxAmountMinor?: number | undefined;
  beforeId?: number | undefined;
  limit: number;
}

export type HistoryDriver = 'last4' | 'attention' | 'status' | 'received' | 'amount' | 'id';

/** Date ranges up to this long are read through the received_at index (then sorted by id). */
const MAX_INDEXED_RANGE_MS = 62 * 24 * 3600 * 1000;

const ATTENTION = "(status = 'flagged' OR flags <> '[]')";
const ATTENTION_UNINDEXED = "(+status = 'flagged' OR +flags <> '[]')";

const DRIVER_INDEX: Record<HistoryDriver, string> = {
  last4: 'INDEXED BY charges_last4',
  attention: 'INDEXED BY charges_attention',
  status: 'INDEXED BY charges_status',
  received: 'INDEXED BY charges_received',
  amount: 'INDEXED BY charges_amount',
  id: 'NOT INDEXED',
};

export function chooseHistoryDriver(q: HistoryQueryInput): HistoryDriver {
  if (q.last4 !== undefined && q.last4.length === 4) return 'last4';
  if (q.flagged === true) return 'attention';
  // 'confirmed' is most of the ledger: walking ids newest-first finds a page at once.
  if (q.status !== undefined && q.status !== 'confirmed') return 'status';
  if (q.fromIso !== undefined && q.toIsoExclusive !== undefined) {
    const span = Date.parse(q.toIsoExclusive) - Date.parse(q.fromIso);
    if (span <= MAX_INDEXED_RANGE_MS) return 'received';
  }
  if (q.minAmountMinor !== undefined && q.minAmountMinor === q.maxAmountMinor) return 'amount';
  return 'id';
}

/**
 * The queries that together answer a history filter, each newest first with the filter's limit.
 * One query, except for a 3-digit last-4 suffix: then one per possible last 4 (`0xyz`..`9xyz`),
 * each an ordered index walk; the caller merges them by id and keeps the first `limit`.
 * (One `IN (…)` query would have to sort every match: slow when one card dominates.)
 */
export function historyQueries(q: HistoryQueryInput): { sql: string; params: (string | number)[]; driver: HistoryDriver }[] {
  if (q.last4 !== undefined && q.last4.length === 3) {
    const suffix = q.last4;
    return Array.from({ length: 10 }, (_, d) => buildHistoryQuery({ ...q, last4: `${d}${suffix}` }));
  }
  return [buildHistoryQuery(q)];
}

/** Builds one history query. The SQL text depends only on which filters are present (cacheable). */
export function buildHistoryQuery(q: HistoryQueryInput): { sql: string; params: (string | number)[]; driver: HistoryDriver } {
  const driver = chooseHistoryDriver(q);
  const where: string[] = [];
  const params: (string | number)[] = [];
  const col = (name: string, indexed: boolean): string => (indexed ? name : `+${name}`);

  if (q.beforeId !== undefined) {
    where.push('id < ?');
    params.push(q.beforeId);
  }
  if (q.status !== undefined) {
    where.push(`${col('status', driver === 'status')} = ?`);
    params.push(q.status);
  }
  if (q.flagged === true) where.push(driver === 'attention' ? ATTENTION : ATTENTION_UNINDEXED);
  if (q.flagged === false) where.push(`NOT ${ATTENTION_UNINDEXED}`);
  if (q.last4 !== undefined) {
    const k = q.last4.length;
    if (k === 4) {
      where.push(`${col('pan_last4', driver === 'last4')} = ?`);
      params.push(q.last4);
    } else {
      // 1 or 2 digits match about 10% / 1% of charges: walking ids newest-first fills a page quickly.
      where.push(`substr(pan_last4, ${-k}) = ?`);
      params.push(q.last4);
    }
  }
  if (q.fromIso !== undefined) {
    where.push(`${col('received_at', driver === 'received')} >= ?`);
    params.push(q.fromIso);
  }
  if (q.toIsoExclusive !== undefined) {
    where.push(`${col('received_at', driver === 'received')} < ?`);
    params.push(q.toIsoExclusive);
  }
  if (driver === 'amount') {
    where.push('amount_minor = ?');
    params.push(q.minAmountMinor as number);
  } else {
    if (q.minAmountMinor !== undefined) {
      where.push('+amount_minor >= ?');
      params.push(q.minAmountMinor);
    }
    if (q.maxAmountMinor !== undefined) {
      where.push('+amount_minor <= ?');
      params.push(q.maxAmountMinor);
    }
  }
  const sql =
    `SELECT ${CHARGE_COLUMNS} FROM charges ${DRIVER_INDEX[driver]}` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY id DESC LIMIT ?';
  params.push(q.limit);
  return { sql, params, driver };
}
