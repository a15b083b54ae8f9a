/**
 * The ledger's public types. API shapes (Charge, ChargeFlag, HistoryFilter, TodayTotals,
 * AuditVerification) come from the contract; these are the ledger's own.
 */
import type { AuditVerification, Charge, ChargeFlag, HistoryFilter, TodayTotals } from '../contract/schemas.js';
import type { JsonValue } from '../domain/canonical.js';
import type { NewCharge } from '../domain/charge.js';
import type Database from 'better-sqlite3';
import type { LedgerTx } from './ledger.js';
import type { LedgerError } from './errors.js';

export type { NewCharge } from '../domain/charge.js';
export type { JsonValue } from '../domain/canonical.js';

export type Durability = 'full' | 'demo';

export interface OpenLedgerOptions {
  /** Time source for received_at, audit rows, backups. Default: `() => new Date()`. */
  clock?: () => Date;
  /** 'full' (default): synchronous=FULL. 'demo': synchronous=OFF, only for building demo/bench ledgers. */
  durability?: Durability;
  /**
   * The integrity check at open (integrity.ts): 'auto' (default) = `PRAGMA quick_check` when the file
   * is small, after an unclean shutdown or when a background check found damage, else a structural
   * check (the caller runs the full one in the background: `diagnostics().startupCheck`).
   */
  startupCheck?: 'auto' | 'full' | 'structural';
  /** 'auto' checks files up to this size in full (default FULL_CHECK_MAX_BYTES). */
  fullCheckMaxBytes?: number;
}

export type HostRequestType = 'VD' | 'RF' | 'SE' | 'QT';
export type HostRequestState = 'pending' | 'answered' | 'unknown';

export interface NewHostRequest {
  type: HostRequestType;
  /** The request's wire fields (tag → value), e.g. `{ TR: '000318', AM: '000000128000' }`. */
  fields: Record<string, string>;
  chargeId?: number | null;
}

export type HostRequestOutcome =
  | { state: 'answered'; rc: string; response: Record<string, string> }
  | { state: 'unknown'; reason: string };

export interface HostRequestRecord {
  id: number;
  seq: string;
  type: HostRequestType;
  fields: Record<string, string>;
  chargeId: number | null;
  state: HostRequestState;
  rc: string | null;
  response: Record<string, string> | null;
  /** Why it is unknown (no answer, restart), when it is or was. */
  reason: string | null;
  createdAt: string;
  resolvedAt: string | null;
  /** Who created it. */
  actor: string;
}

export interface AuditHeadRecord {
  seq: number;
  hash: string;
}

export interface AuditRecord {
  seq: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  data: JsonValue;
  prevHash: string;
  hash: string;
}

export interface LedgerSettings {
  /** The stored value, or undefined. With a zod-like schema the value is validated (throws settings.invalid). */
  get<T = unknown>(key: string, schema?: { parse(value: unknown): T }): T | undefined;
  /** Stores a canonical-JSON-able value (integers only); audit `settings.changed`. No-op if unchanged. */
  set(key: string, value: unknown, actor: string): void;
}

export interface LedgerDiagnostics {
  file: string;
  journalMode: string;
  /** 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. */
  synchronous: number;
  foreignKeys: boolean;
  busyTimeoutMs: number;
  schemaVersion: number;
  /** The backup taken before this open's migration, if any. */
  migrationBackup: string | null;
  /** SEQs of requests that were 'pending' at open (interrupted by a crash) and are now 'unknown'. */
  interruptedRequests: string[];
  /** The check this open ran: 'full' (quick_check) or 'structural' (the full one is left to the background). */
  startupCheck: 'full' | 'structural';
  /** The previous run did not close the ledger (crash, kill, power cut). */
  uncleanShutdown: boolean;
}

export interface Ledger {
  readonly file: string;

  /** Stores a charge once per (terminalId, batch, trace); a repeat delivery returns the stored one. */
  recordCharge(c: NewCharge, actor: string): { charge: Charge; inserted: boolean };
  /** Replaces the detector flags. No-op (no audit row) if unchanged. */
  setFlags(chargeId: number, flags: ChargeFlag[], actor: string): Charge;
  /** The cashier flags a pending or confirmed charge. */
  flagCharge(chargeId: number, actor: string, note: string): Charge;
  /** Only a pending charge; a re-keyed amount must equal the charge's amount. */
  confirmCharge(chargeId: number, actor: string, opts?: { rekeyedMinor?: number }): Charge;

  getCharge(id: number): Charge | null;
  /** Pending charges, oldest first. */
  pendingQueue(limit?: number): Charge[];
  /** Newest first; keyset by `beforeId`. */
  history(filter: HistoryFilter): Charge[];
  /** Amounts of the newest `n` confirmed charges, newest first. */
  recentConfirmedAmounts(n?: number): number[];
  /** Charges with exactly this masked PAN received at or after `sinceIso`, oldest first. */
  chargesByCardSince(panMasked: string, sinceIso: string): Charge[];
  /** Totals of the charges received on a local date. */
  today(date: string): TodayTotals;

  /** Allocates the next SEQ and persists the request, before anything is sent. */
  createHostRequest(req: NewHostRequest, actor: string): { seq: string; id: number };
  /** Records the outcome of the open request holding `seq`. */
  resolveHostRequest(seq: string, outcome: HostRequestOutcome, actor: string): HostRequestRecord;
  /** Requests in state pending or unknown, oldest first. */
  unresolvedHostRequests(): HostRequestRecord[];
  /** The open request holding `seq`, else the newest one that used it. */
  getHostRequest(seq: string): HostRequestRecord | null;

  appendAudit(actor: string, action: string, entity: string, entityId: string, data: unknown): AuditHeadRecord;
  /** null while the log is empty. */
  auditHead(): AuditHeadRecord | null;
  auditRows(fromSeq: number, limit: number): AuditRecord[];
  verifyAudit(): AuditVerification;

  /**
   * The seam for the ledger's other repositories (accounts, incidents…): `fn` runs in one IMMEDIATE
   * transaction; every write it makes appends exactly one audit row through `tx.audit`.
   */
  transact<T>(fn: (tx: LedgerTx) => T): T;
  /** Read-only access for the other repositories, with the ledger's error mapping. */
  query<T>(fn: (db: Database.Database) => T): T;

  readonly settings: LedgerSettings;
  diagnostics(): LedgerDiagnostics;
  /** Every write refused with `error` from now on (null: writes again); reads go on (a data move). */
  freezeWrites(error: LedgerError | null): void;
  close(): void;
}
