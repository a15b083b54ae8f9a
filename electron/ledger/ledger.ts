/**
 * The ledger: every charge the terminal makes, its confirmation, the host requests, and a
 * hash-chained audit log, in one SQLite file.
 *
 * Every state change is one IMMEDIATE transaction that also appends exactly one audit row naming
 * its actor, so the log and the data cannot disagree. Reads need no transaction (WAL snapshot per
 * statement) except the audit verification, which reads the head and the rows in one snapshot.
 */
import type Database from 'better-sqlite3';
import {
  ChargeFlag as ChargeFlagSchema,
  HistoryFilter as HistoryFilterSchema,
  type AuditVerification,
  type Charge,
  type ChargeFlag,
  type HistoryFilter,
  type TodayTotals,
} from '../contract/schemas.js';
import type { StoredAuditRow } from '../domain/auditChain.js';
import { CanonicalJsonError, canonicalJson, type JsonValue } from '../domain/canonical.js';
import { MAX_MINOR_UNITS, checkNewCharge, type NewCharge } from '../domain/charge.js';
import { localDateRange } from '../domain/localDate.js';
import { checkMaskedPan } from '../domain/pan.js';
import { appendAuditRow, checkActor, prepareAuditStatements, verifyAuditIn, type AuditStatements } from './auditStore.js';
import { applyWritePragmas, openChecked } from './connection.js';
import { chooseStartupCheck, clearMarker, ledgerMarkers, writeInUseMarker, type StartupCheck } from './integrity.js';
import { LedgerError, toLedgerError } from './errors.js';
import { migrateDatabase, type Migration } from './migrations.js';
import { SQL, historyQueries } from './queries.js';
import { rowToCharge, rowToHostRequest, type ChargeRow, type HostRequestRow } from './rows.js';
import type {
  AuditHeadRecord,
  AuditRecord,
  Durability,
  HostRequestOutcome,
  HostRequestRecord,
  Ledger,
  LedgerDiagnostics,
  LedgerSettings,
  NewHostRequest,
  OpenLedgerOptions,
} from './types.js';

export { LedgerError } from './errors.js';

/** What a repository gets inside `Ledger.transact`. */
export interface LedgerTx {
  db: Database.Database;
  /** The transaction's timestamp (ISO 8601 UTC), the same for every row it writes. */
  at: string;
  audit(actor: string, action: string, entity: string, entityId: string, data: unknown): void;
}
export type * from './types.js';

const SEQ_MAX = 999_999;
const HOST_TYPES = new Set(['VD', 'RF', 'SE', 'QT']);
const MAX_NOTE = 500;

/** Opens (creating or migrating as needed) the ledger at `file`. */
export async function openLedger(
  file: string,
  opts: OpenLedgerOptions & {
    /** @internal Tests only: a different migration list. */
    migrations?: readonly Migration[];
  } = {},
): Promise<Ledger> {
  const clock = opts.clock ?? (() => new Date());
  const durability: Durability = opts.durability ?? 'full';
  const start = chooseStartupCheck(file, {
    ...(opts.startupCheck ? { mode: opts.startupCheck } : {}),
    ...(opts.fullCheckMaxBytes !== undefined ? { fullCheckMaxBytes: opts.fullCheckMaxBytes } : {}),
  });
  const db = openChecked(file, { readonly: false, check: start.check });
  try {
    applyWritePragmas(db, durability);
    const migrated = await migrateDatabase(db, {
      file,
      now: clock,
      ...(opts.migrations ? { migrations: opts.migrations } : {}),
    });
    const ledger = new SqliteLedger(db, file, clock, migrated.backup, start);
    ledger.recoverInterruptedRequests();
    connections.set(ledger, db);
    // Present while open; a start that finds it knows the last run did not close the ledger.
    writeInUseMarker(file, new Date()); // real time: an operational file, not ledger data (and test clocks stay untouched)
    if (start.check === 'full') clearMarker(ledgerMarkers(file).needsCheck); // checked in full just now
    return ledger;
  } catch (e) {
    if (db.open) db.close();
    throw toLedgerError(e, { file });
  }
}

const connections = new WeakMap<Ledger, Database.Database>();

/**
 * @internal Tests only: the ledger's own connection (e.g. to set `max_page_count` and provoke
 * SQLITE_FULL). Nothing in the app may use it.
 */
export function connectionForTests(ledger: Ledger): Database.Database {
  const db = connections.get(ledger);
  if (!db) throw new Error('not a ledger opened by openLedger');
  return db;
}

type Stmt<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

class SqliteLedger implements Ledger {
  private readonly audit: AuditStatements;
  private readonly s: {
    insertCharge: Stmt<[Record<string, unknown>], ChargeRow>;
    chargeByKey: Stmt<[string, string, string], ChargeRow>;
    chargeById: Stmt<[number], ChargeRow>;
    pendingQueue: Stmt<[number], ChargeRow>;
    confirmCharge: Stmt<[string, string, number], ChargeRow>;
    insertConfirmation: Stmt<[number, string, string, number | null]>;
    setFlags: Stmt<[string, number], ChargeRow>;
    setStatusFlagged: Stmt<[number], ChargeRow>;
    recentConfirmedAmounts: Stmt<[number], number>;
    chargesByCardSince: Stmt<[string, string], ChargeRow>;
    totalsBetween: Stmt<[string, string], TotalsRow>;
    totalsBetweenExact: Stmt<[string, string], TotalsRow>;
    hostSeqGet: Stmt<[], number>;
    hostSeqSet: Stmt<[number]>;
    hostSeqOpen: Stmt<[string], number>;
    insertHostRequest: Stmt<[string, string, string, number | null, string, string]>;
    hostRequestOpenBySeq: Stmt<[string], HostRequestRow>;
    hostRequestLatestBySeq: Stmt<[string], HostRequestRow>;
    hostRequestById: Stmt<[number], HostRequestRow>;
    hostRequestAnswer: Stmt<[string, string, string, number]>;
    hostRequestUnknown: Stmt<[string, string, number]>;
    hostRequestsUnresolved: Stmt<[], HostRequestRow>;
    hostRequestsPending: Stmt<[], { id: number; seq: string }>;
    auditRowsFrom: Stmt<[number, number], StoredAuditRow>;
    auditAll: Stmt<[], StoredAuditRow>;
    settingGet: Stmt<[string], string>;
    settingSet: Stmt<[string, string]>;
  };
  private readonly historyStatements = new Map<string, Stmt<(string | number)[], ChargeRow>>();
  private readonly inTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private interrupted: string[] = [];
  /** Set once the data moved to another folder: every write is refused with it (see freezeWrites). */
  private frozen: LedgerError | null = null;
  readonly settings: LedgerSettings;

  constructor(
    private readonly db: Database.Database,
    readonly file: string,
    private readonly clock: () => Date,
    private readonly migrationBackup: string | null,
    private readonly start: { check: StartupCheck; uncleanShutdown: boolean },
  ) {
    this.audit = prepareAuditStatements(db);
    const p = <P extends unknown[], R = unknown>(sql: string) => db.prepare<P, R>(sql);
    this.s = {
      insertCharge: p(SQL.insertCharge),
      chargeByKey: p(SQL.chargeByKey),
      chargeById: p(SQL.chargeById),
      pendingQueue: p(SQL.pendingQueue),
      confirmCharge: p(SQL.confirmCharge),
      insertConfirmation: p(SQL.insertConfirmation),
      setFlags: p(SQL.setFlags),
      setStatusFlagged: p(SQL.setStatusFlagged),
      recentConfirmedAmounts: p<[number], number>(SQL.recentConfirmedAmounts).pluck(),
      chargesByCardSince: p(SQL.chargesByCardSince),
      totalsBetween: p(SQL.totalsBetween),
      totalsBetweenExact: p(SQL.totalsBetweenExact),
      hostSeqGet: p<[], number>(SQL.hostSeqGet).pluck(),
      hostSeqSet: p(SQL.hostSeqSet),
      hostSeqOpen: p<[string], number>(SQL.hostSeqOpen).pluck(),
      insertHostRequest: p(SQL.insertHostRequest),
      hostRequestOpenBySeq: p(SQL.hostRequestOpenBySeq),
      hostRequestLatestBySeq: p(SQL.hostRequestLatestBySeq),
      hostRequestById: p(SQL.hostRequestById),
      hostRequestAnswer: p(SQL.hostRequestAnswer),
      hostRequestUnknown: p(SQL.hostRequestUnknown),
      hostRequestsUnresolved: p(SQL.hostRequestsUnresolved),
      hostRequestsPending: p(SQL.hostRequestsPending),
      auditRowsFrom: p(SQL.auditRowsFrom),
      auditAll: p(SQL.auditAll),
      settingGet: p<[string], string>(SQL.settingGet).pluck(),
      settingSet: p(SQL.settingSet),
    };
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    this.settings = {
      get: <T>(key: string, schema?: { parse(value: unknown): T }) => this.getSetting(key, schema),
      set: (key: string, value: unknown, actor: string) => this.setSetting(key, value, actor),
    };
  }

  // ---------------------------------------------------------------- plumbing

  private assertOpen(): void {
    if (!this.db.open) throw new LedgerError('db.closed', 'the ledger is closed');
  }

  /**
   * From now on every write is refused with `error` (null: writes again). A data-folder move sets it
   * before copying, so the copy is the whole ledger: what arrives later (the terminal sends unACKed
   * charges again) is recorded in the new folder after the restart, not lost in the old one.
   */
  freezeWrites(error: LedgerError | null): void {
    this.frozen = error;
  }

  /** One IMMEDIATE transaction; any failure rolls it back and surfaces as a LedgerError. */
  private write<T>(fn: (at: string) => T): T {
    this.assertOpen();
    if (this.frozen) throw this.frozen;
    try {
      return this.inTransaction.immediate(() => fn(this.clock().toISOString())) as T;
    } catch (e) {
      throw toLedgerError(e, { file: this.file });
    }
  }

  /**
   * The seam for the ledger's other repositories (accounts, incidents, settlements…): `fn` runs in
   * one IMMEDIATE transaction with the connection and an audit appender, so a state change and its
   * audit row commit together or not at all.
   */
  transact<T>(fn: (tx: LedgerTx) => T): T {
    return this.write((at) =>
      fn({
        db: this.db,
        at,
        audit: (actor, action, entity, entityId, data) => {
          this.appendAuditIn(at, actor, action, entity, entityId, data);
        },
      }),
    );
  }

  /** Read-only access for the other repositories, with the same error mapping. */
  query<T>(fn: (db: Database.Database) => T): T {
    return this.read(() => fn(this.db));
  }

  private read<T>(fn: () => T): T {
    this.assertOpen();
    try {
      return fn();
    } catch (e) {
      throw toLedgerError(e, { file: this.file });
    }
  }

  private appendAuditIn(at: string, actor: string, action: string, entity: string, entityId: string, data: unknown) {
    return appendAuditRow(this.audit, { at, actor, action, entity, entityId, data });
  }

  private requireCharge(id: number): ChargeRow {
    if (!Number.isSafeInteger(id) || id <= 0) {
      throw new LedgerError('argument.invalid', 'a charge id is a positive integer', { chargeId: String(id) });
    }
    const row = this.s.chargeById.get(id);
    if (!row) throw new LedgerError('charge.not_found', `no charge ${id}`, { chargeId: String(id) });
    return row;
  }

  // ---------------------------------------------------------------- charges

  recordCharge(c: NewCharge, actor: string): { charge: Charge; inserted: boolean } {
    checkActor(actor);
    const problem = checkNewCharge(c);
    if (problem?.kind === 'pan_unmasked') {
      // Never echo the PAN: not in the message, not in params.
      throw new LedgerError('charge.pan_unmasked', 'refused a card number that is not masked (more than the first 6 and last 4 digits visible)', {
        detail: problem.detail,
      });
    }
    if (problem) {
      throw new LedgerError('charge.invalid', `invalid charge: ${problem.field} ${problem.detail}`, { field: problem.field });
    }
    return this.write((at) => {
      const row = this.s.insertCharge.get({
        terminalId: c.terminalId,
        merchantId: c.merchantId,
        batch: c.batch,
        trace: c.trace,
        rrn: c.rrn,
        authCode: c.authCode,
        amountMinor: c.amountMinor,
        currency: c.currency,
        panMasked: c.panMasked,
        entryMode: c.entryMode,
        brand: c.brand,
        aid: c.aid,
        txClass: c.txClass,
        merchantName: c.merchantName,
        responseCode: c.responseCode,
        terminalTime: c.terminalTime,
        receivedAt: at,
      });
      if (!row) {
        const existing = this.s.chargeByKey.get(c.terminalId, c.batch, c.trace);
        if (!existing) throw new LedgerError('db.error', 'a duplicate charge vanished inside its transaction');
        return { charge: rowToCharge(existing), inserted: false };
      }
      this.appendAuditIn(at, actor, 'charge.recorded', 'charge', String(row.id), {
        chargeId: row.id,
        terminalId: row.terminal_id,
        merchantId: row.merchant_id,
        batch: row.batch,
        trace: row.trace,
        rrn: row.rrn,
        amountMinor: row.amount_minor,
        currency: row.currency,
        panMasked: row.pan_masked,
      });
      return { charge: rowToCharge(row), inserted: true };
    });
  }

  setFlags(chargeId: number, flags: ChargeFlag[], actor: string): Charge {
    checkActor(actor);
    const parsed = ChargeFlagSchema.array().safeParse(flags);
    if (!parsed.success) {
      throw new LedgerError('charge.invalid_flags', `invalid flags: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    }
    const text = JSON.stringify(parsed.data);
    return this.write((at) => {
      const current = this.requireCharge(chargeId);
      if (current.flags === text) return rowToCharge(current);
      const row = this.s.setFlags.get(text, chargeId);
      if (!row) throw new LedgerError('charge.not_found', `no charge ${chargeId}`, { chargeId: String(chargeId) });
      this.appendAuditIn(at, actor, 'charge.flags_set', 'charge', String(chargeId), {
        chargeId,
        flags: parsed.data.map(auditableFlag),
      });
      return rowToCharge(row);
    });
  }

  flagCharge(chargeId: number, actor: string, note: string): Charge {
    checkActor(actor);
    if (typeof note !== 'string' || note.length > MAX_NOTE) {
      throw new LedgerError('argument.invalid', `a note is a string of at most ${MAX_NOTE} characters`);
    }
    return this.write((at) => {
      const current = this.requireCharge(chargeId);
      if (current.status !== 'pending' && current.status !== 'confirmed') {
        throw new LedgerError('charge.not_flaggable', `charge ${chargeId} is ${current.status} and cannot be flagged`, {
          chargeId: String(chargeId),
          status: current.status,
        });
      }
      const row = this.s.setStatusFlagged.get(chargeId) as ChargeRow;
      this.appendAuditIn(at, actor, 'charge.flagged', 'charge', String(chargeId), {
        chargeId,
        from: current.status,
        note,
      });
      return rowToCharge(row);
    });
  }

  confirmCharge(chargeId: number, actor: string, opts: { rekeyedMinor?: number } = {}): Charge {
    checkActor(actor);
    const rekeyed = opts.rekeyedMinor;
    if (rekeyed !== undefined && (!Number.isSafeInteger(rekeyed) || rekeyed < 0 || rekeyed > MAX_MINOR_UNITS)) {
      throw new LedgerError('argument.invalid', 'a re-keyed amount is an integer number of minor units');
    }
    return this.write((at) => {
      const current = this.requireCharge(chargeId);
      if (current.status !== 'pending') {
        throw new LedgerError('charge.not_pending', `charge ${chargeId} is ${current.status}, not pending`, {
          chargeId: String(chargeId),
          status: current.status,
        });
      }
      if (rekeyed !== undefined && rekeyed !== current.amount_minor) {
        throw new LedgerError('charge.rekey_mismatch', `the re-keyed amount does not match charge ${chargeId}`, {
          chargeId: String(chargeId),
        });
      }
      const row = this.s.confirmCharge.get(actor, at, chargeId) as ChargeRow;
      this.s.insertConfirmation.run(chargeId, actor, at, rekeyed ?? null);
      this.appendAuditIn(at, actor, 'charge.confirmed', 'charge', String(chargeId), {
        chargeId,
        amountMinor: row.amount_minor,
        currency: row.currency,
        rekeyedMinor: rekeyed ?? null,
      });
      return rowToCharge(row);
    });
  }

  getCharge(id: number): Charge | null {
    return this.read(() => {
      const row = this.s.chargeById.get(id);
      return row ? rowToCharge(row) : null;
    });
  }

  pendingQueue(limit = 500): Charge[] {
    checkLimit(limit);
    return this.read(() => this.s.pendingQueue.all(limit).map(rowToCharge));
  }

  history(filter: HistoryFilter): Charge[] {
    const parsed = HistoryFilterSchema.safeParse(filter);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LedgerError('history.invalid_filter', `invalid history filter: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
    }
    const f = parsed.data;
    const range = localDateRange(f.fromDate, f.toDate);
    if (!range) throw new LedgerError('history.invalid_filter', 'invalid history filter: not a calendar date');
    const queries = historyQueries({
      status: f.status,
      flagged: f.flagged,
      last4: f.last4,
      fromIso: range.fromIso,
      toIsoExclusive: range.toIsoExclusive,
      minAmountMinor: f.minAmountMinor,
      maxAmountMinor: f.maxAmountMinor,
      beforeId: f.beforeId,
      limit: f.limit,
    });
    return this.read(() => {
      const rows: ChargeRow[] = [];
      for (const q of queries) {
        let stmt = this.historyStatements.get(q.sql);
        if (!stmt) {
          stmt = this.db.prepare<(string | number)[], ChargeRow>(q.sql);
          this.historyStatements.set(q.sql, stmt);
        }
        rows.push(...stmt.all(...q.params));
      }
      if (queries.length > 1) rows.sort((a, b) => b.id - a.id).splice(f.limit);
      return rows.map(rowToCharge);
    });
  }

  recentConfirmedAmounts(n = 200): number[] {
    checkLimit(n);
    return this.read(() => this.s.recentConfirmedAmounts.all(n));
  }

  chargesByCardSince(panMasked: string, sinceIso: string): Charge[] {
    const pan = checkMaskedPan(panMasked);
    if (!pan.ok) throw new LedgerError('argument.invalid', 'a masked card number is expected');
    const since = new Date(sinceIso);
    if (Number.isNaN(since.getTime())) throw new LedgerError('argument.invalid', 'since must be an ISO 8601 time');
    // Normalised to the stored form (toISOString), so the text comparison is a time comparison.
    return this.read(() => this.s.chargesByCardSince.all(panMasked, since.toISOString()).map(rowToCharge));
  }

  today(date: string): TodayTotals {
    const range = localDateRange(date, date);
    if (!range?.fromIso || !range.toIsoExclusive) {
      throw new LedgerError('argument.invalid', 'a date is YYYY-MM-DD', { date: String(date) });
    }
    const from = range.fromIso;
    const to = range.toIsoExclusive;
    // Local midnights fall on UTC quarter hours in every current time zone: then the running
    // totals answer exactly. Otherwise (historic offsets) count the charges themselves.
    const rows = this.read(() =>
      onQuarterHour(from) && onQuarterHour(to)
        ? this.s.totalsBetween.all(from.slice(0, 16), to.slice(0, 16))
        : this.s.totalsBetweenExact.all(from, to),
    );
    const zero = () => ({ count: 0, amountMinor: 0 });
    const totals: TodayTotals = {
      date,
      charges: zero(),
      pending: zero(),
      confirmed: zero(),
      flagged: zero(),
      voided: zero(),
      refunded: zero(),
      currency: null,
    };
    const currencies = new Set<string>();
    for (const r of rows) {
      currencies.add(r.currency);
      totals.charges.count += r.n;
      totals.charges.amountMinor += r.amount;
      const row = r.status === 'partially_refunded' ? 'refunded' : r.status; // every status has its row
      totals[row].count += r.n;
      totals[row].amountMinor += r.amount;
    }
    // Amounts of different currencies do not add up to anything: currency is null then.
    totals.currency = currencies.size === 1 ? ([...currencies][0] as string) : null;
    return totals;
  }

  // ---------------------------------------------------------------- host requests

  createHostRequest(req: NewHostRequest, actor: string): { seq: string; id: number } {
    checkActor(actor);
    if (!req || !HOST_TYPES.has(req.type)) {
      throw new LedgerError('request.invalid', 'a host request type is VD, RF, SE or QT');
    }
    checkWireFields(req.fields, 'fields');
    const chargeId = req.chargeId ?? null;
    return this.write((at) => {
      if (chargeId !== null) this.requireCharge(chargeId);
      const seq = this.allocateSeq();
      // Plain JSON keeps the fields in wire order; the audit row has them canonical.
      const info = this.s.insertHostRequest.run(seq, req.type, JSON.stringify(req.fields), chargeId, at, actor);
      const id = Number(info.lastInsertRowid);
      this.appendAuditIn(at, actor, 'request.created', 'request', String(id), {
        requestId: id,
        seq,
        type: req.type,
        fields: req.fields,
        chargeId,
      });
      return { seq, id };
    });
  }

  /** Next SEQ after the last used, 000001..999999 then 000001, skipping SEQs of open requests. */
  private allocateSeq(): string {
    let n = this.s.hostSeqGet.get() ?? 0;
    for (let tries = 0; tries < SEQ_MAX; tries++) {
      n = (n % SEQ_MAX) + 1;
      const seq = String(n).padStart(6, '0');
      if (this.s.hostSeqOpen.get(seq) === undefined) {
        this.s.hostSeqSet.run(n);
        return seq;
      }
    }
    throw new LedgerError('request.seq_exhausted', 'every SEQ is held by an unresolved host request');
  }

  resolveHostRequest(seq: string, outcome: HostRequestOutcome, actor: string): HostRequestRecord {
    checkActor(actor);
    checkSeq(seq);
    if (outcome?.state === 'answered') {
      // Recorded as the terminal sent it (the codec checked its form); only bounded here.
      if (typeof outcome.rc !== 'string' || outcome.rc.length > 8) {
        throw new LedgerError('request.invalid', 'a response code is a short string');
      }
      checkWireFields(outcome.response, 'response');
    } else if (outcome?.state === 'unknown') {
      if (typeof outcome.reason !== 'string' || outcome.reason.length === 0 || outcome.reason.length > MAX_NOTE) {
        throw new LedgerError('request.invalid', `a reason is 1..${MAX_NOTE} characters`);
      }
    } else {
      throw new LedgerError('request.invalid', "an outcome's state is 'answered' or 'unknown'");
    }
    return this.write((at) => {
      const open = this.s.hostRequestOpenBySeq.get(seq);
      if (!open) {
        const latest = this.s.hostRequestLatestBySeq.get(seq);
        if (!latest) throw new LedgerError('request.not_found', `no host request with SEQ ${seq}`, { seq });
        throw new LedgerError('request.already_resolved', `the host request with SEQ ${seq} is already ${latest.state}`, { seq, state: latest.state });
      }
      if (outcome.state === 'answered') {
        this.s.hostRequestAnswer.run(outcome.rc, JSON.stringify(outcome.response), at, open.id);
        this.appendAuditIn(at, actor, 'request.answered', 'request', String(open.id), {
          requestId: open.id,
          seq,
          rc: outcome.rc,
          response: outcome.response,
        });
      } else {
        // unknown → unknown is allowed (a newer reason, e.g. a query that went unanswered too).
        this.s.hostRequestUnknown.run(outcome.reason, at, open.id);
        this.appendAuditIn(at, actor, 'request.unknown', 'request', String(open.id), {
          requestId: open.id,
          seq,
          reason: outcome.reason,
        });
      }
      return rowToHostRequest(this.s.hostRequestById.get(open.id) as HostRequestRow);
    });
  }

  /** At open: a request still 'pending' was cut off by a crash or a stop; its fate is unknown. */
  recoverInterruptedRequests(): void {
    const pending = this.read(() => this.s.hostRequestsPending.all());
    for (const { id, seq } of pending) {
      this.write((at) => {
        this.s.hostRequestUnknown.run('interrupted: Countersign stopped before the answer was recorded', at, id);
        this.appendAuditIn(at, 'system', 'request.unknown', 'request', String(id), {
          requestId: id,
          seq,
          reason: 'interrupted',
        });
      });
      this.interrupted.push(seq);
    }
  }

  unresolvedHostRequests(): HostRequestRecord[] {
    return this.read(() => this.s.hostRequestsUnresolved.all().map(rowToHostRequest));
  }

  getHostRequest(seq: string): HostRequestRecord | null {
    checkSeq(seq);
    return this.read(() => {
      const row = this.s.hostRequestOpenBySeq.get(seq) ?? this.s.hostRequestLatestBySeq.get(seq);
      return row ? rowToHostRequest(row) : null;
    });
  }

  // ---------------------------------------------------------------- audit

  appendAudit(actor: string, action: string, entity: string, entityId: string, data: unknown): AuditHeadRecord {
    checkActor(actor);
    const row = this.write((at) => this.appendAuditIn(at, actor, action, entity, entityId, data));
    return { seq: row.seq, hash: row.hash };
  }

  auditHead(): AuditHeadRecord | null {
    const head = this.read(() => this.audit.head.get());
    return head && head.seq > 0 ? { seq: head.seq, hash: head.hash } : null;
  }

  auditRows(fromSeq: number, limit: number): AuditRecord[] {
    if (!Number.isSafeInteger(fromSeq)) throw new LedgerError('argument.invalid', 'fromSeq is an integer');
    checkLimit(limit, 10_000);
    return this.read(() =>
      this.s.auditRowsFrom.all(fromSeq, limit).map((r) => ({ ...r, data: JSON.parse(r.data) as JsonValue })),
    );
  }

  verifyAudit(): AuditVerification {
    this.assertOpen();
    return verifyAuditIn(this.db, this.audit.head, this.s.auditAll);
  }

  // ---------------------------------------------------------------- settings

  private getSetting<T>(key: string, schema?: { parse(value: unknown): T }): T | undefined {
    checkSettingKey(key);
    const text = this.read(() => this.s.settingGet.get(key));
    if (text === undefined) return undefined;
    const value = JSON.parse(text) as unknown;
    if (!schema) return value as T;
    try {
      return schema.parse(value);
    } catch (e) {
      throw new LedgerError('settings.invalid', `the stored setting ${key} is not valid: ${(e as Error).message}`, { key });
    }
  }

  private setSetting(key: string, value: unknown, actor: string): void {
    checkActor(actor);
    checkSettingKey(key);
    let text: string;
    try {
      text = canonicalJson(value);
    } catch (e) {
      if (e instanceof CanonicalJsonError) {
        throw new LedgerError('settings.invalid', `setting ${key}: ${e.message} (integers, strings, booleans, null, arrays, objects)`, { key });
      }
      throw e;
    }
    this.write((at) => {
      if (this.s.settingGet.get(key) === text) return;
      this.s.settingSet.run(key, text);
      this.appendAuditIn(at, actor, 'settings.changed', 'settings', key, { key, value: JSON.parse(text) as JsonValue });
    });
  }

  // ---------------------------------------------------------------- lifecycle

  diagnostics(): LedgerDiagnostics {
    return this.read(() => ({
      file: this.file,
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      foreignKeys: Number(this.db.pragma('foreign_keys', { simple: true })) === 1,
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
      schemaVersion: Number(this.db.pragma('user_version', { simple: true })),
      migrationBackup: this.migrationBackup,
      interruptedRequests: [...this.interrupted],
      startupCheck: this.start.check,
      uncleanShutdown: this.start.uncleanShutdown,
    }));
  }

  close(): void {
    if (!this.db.open) return;
    this.db.close();
    clearMarker(ledgerMarkers(this.file).inUse);
  }
}

interface TotalsRow {
  status: Charge['status'];
  currency: string;
  n: number;
  amount: number;
}

/** `YYYY-MM-DDTHH:MM:00.000Z` with MM a multiple of 15. */
function onQuarterHour(iso: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:(00|15|30|45):00\.000Z$/.test(iso);
}

function checkLimit(limit: number, max = 100_000): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max) {
    throw new LedgerError('argument.invalid', `a limit is an integer 1..${max}`, { limit: String(limit) });
  }
}

function checkSeq(seq: string): void {
  if (typeof seq !== 'string' || !/^\d{6}$/.test(seq) || seq === '000000') {
    throw new LedgerError('request.invalid', 'a SEQ is 6 digits, 000001..999999', { seq: String(seq) });
  }
}

function checkWireFields(fields: unknown, what: string): void {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new LedgerError('request.invalid', `${what} must be an object of tag → string`);
  }
  for (const [tag, value] of Object.entries(fields)) {
    if (!/^[A-Z]{2}$/.test(tag) || typeof value !== 'string' || value.length > 1024) {
      throw new LedgerError('request.invalid', `${what}: each tag is 2 uppercase letters with a string value`, { tag });
    }
  }
}

function checkSettingKey(key: string): void {
  if (typeof key !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(key)) {
    throw new LedgerError('settings.invalid', 'a setting key is 1..100 of letters, digits, _ . -', { key: String(key) });
  }
}

/** Flags may carry fractional numbers (e.g. a ratio); the audit log takes integers only, so those are written as text. */
function auditableFlag(flag: ChargeFlag): JsonValue {
  const params: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(flag.params)) params[k] = typeof v === 'number' && !Number.isSafeInteger(v) ? String(v) : v;
  return { kind: flag.kind, params };
}

