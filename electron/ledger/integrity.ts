/**
 * How the ledger file is checked without making the till wait.
 *
 * `PRAGMA quick_check` reads every page: ~4 s on a 1,000,000-charge ledger. At start the ledger
 * runs it only when it is cheap or called for:
 * - the file is small (≤ FULL_CHECK_MAX_BYTES, tens of milliseconds), or
 * - the last run did not close the ledger (the `<file>.in-use` marker is still there: a crash, a
 *   power cut, a kill), or
 * - a background check found damage last time (the `<file>.needs-check` marker).
 * Otherwise the start path does a structural check (the header: magic, page size, not shorter than
 * the header says; then the schema and the small bookkeeping tables are read) and the full
 * quick_check runs in a worker thread on its own read-only connection while the till works. Damage
 * found there leaves `<file>.needs-check`, so the next start checks in full and restores the newest
 * good backup (backups.ts).
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { AuditVerification } from '../contract/schemas.js';
import { ChainVerifier, type AuditHead, type StoredAuditRow } from '../domain/auditChain.js';
import { AUDIT_HEAD_SQL } from './auditStore.js';
import { AUDIT_COLUMNS } from './rows.js';

/** Files up to this size get the full quick_check at start. */
export const FULL_CHECK_MAX_BYTES = 32 * 1024 * 1024;

export type StartupCheck = 'full' | 'structural';

export interface LedgerMarkers {
  /** Present while a process has the ledger open for writing; left behind by a crash. */
  inUse: string;
  /** A background check found damage: the next start checks in full. */
  needsCheck: string;
}

export function ledgerMarkers(file: string): LedgerMarkers {
  return { inUse: `${file}.in-use`, needsCheck: `${file}.needs-check` };
}

/** Which check the start path runs, and why. */
export function chooseStartupCheck(
  file: string,
  options: { mode?: 'auto' | StartupCheck; fullCheckMaxBytes?: number } = {},
): { check: StartupCheck; uncleanShutdown: boolean; reason: 'small' | 'unclean' | 'flagged' | 'large' | 'requested' } {
  const markers = ledgerMarkers(file);
  const uncleanShutdown = existsSync(markers.inUse);
  if (options.mode === 'full' || options.mode === 'structural') return { check: options.mode, uncleanShutdown, reason: 'requested' };
  if (existsSync(markers.needsCheck)) return { check: 'full', uncleanShutdown, reason: 'flagged' };
  if (uncleanShutdown) return { check: 'full', uncleanShutdown, reason: 'unclean' };
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }
  return size <= (options.fullCheckMaxBytes ?? FULL_CHECK_MAX_BYTES)
    ? { check: 'full', uncleanShutdown, reason: 'small' }
    : { check: 'structural', uncleanShutdown, reason: 'large' };
}

export function writeInUseMarker(file: string, at: Date): void {
  try {
    writeFileSync(ledgerMarkers(file).inUse, JSON.stringify({ pid: process.pid, at: at.toISOString() }), { mode: 0o600 });
  } catch {
    // a read-only folder or a full disk: the next start just cannot tell it was unclean
  }
}

export function clearMarker(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // nothing to do
  }
}

/** The pid in an in-use marker, if it is a live process other than this one. */
export function liveLedgerOwner(file: string): number | null {
  try {
    const { pid } = JSON.parse(readFileSyncSafe(ledgerMarkers(file).inUse)) as { pid?: unknown };
    if (typeof pid !== 'number' || pid === process.pid) return null;
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

function readFileSyncSafe(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The header of an SQLite file, checked without SQLite: null when it looks sound, else what is wrong.
 * A database is never shorter than its header says, unless pages sit in a WAL not yet copied back
 * (then SQLite itself is the judge).
 */
export function headerProblem(file: string): { check: 'not_a_database' | 'malformed'; message: string } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null; // not there (yet): SQLite creates it
  }
  try {
    const size = statSync(file).size;
    if (size === 0) return null; // the caller reports an empty file itself
    const header = Buffer.alloc(100);
    const n = readSync(fd, header, 0, 100, 0);
    if (n < 100 || !header.subarray(0, 16).equals(MAGIC)) {
      return { check: 'not_a_database', message: 'it is not an SQLite database (bad header)' };
    }
    const raw = header.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
      return { check: 'malformed', message: `its header names an impossible page size (${raw})` };
    }
    const changeCounter = header.readUInt32BE(24);
    const pages = header.readUInt32BE(28);
    const validFor = header.readUInt32BE(92);
    let walBytes = 0;
    try {
      walBytes = statSync(`${file}-wal`).size;
    } catch {
      walBytes = 0;
    }
    if (pages > 0 && validFor === changeCounter && walBytes === 0 && size < pages * pageSize) {
      return {
        check: 'malformed',
        message: `it is truncated: its header counts ${pages} pages of ${pageSize} bytes, the file holds ${size} bytes`,
      };
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The structural part of the start check on an open connection: the schema parses and the small
 * bookkeeping tables read. Throws SQLite's own error (SQLITE_CORRUPT…) when they do not.
 */
export function structuralCheck(db: Database.Database): void {
  db.prepare('SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema').all();
  db.pragma('user_version', { simple: true });
  const tables = new Set((db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]));
  for (const small of ['audit_head', 'host_seq', 'settings']) {
    if (tables.has(small)) db.prepare(`SELECT * FROM "${small}"`).all();
  }
  if (tables.has('audit_log')) db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get();
  if (tables.has('charges')) db.prepare('SELECT id FROM charges ORDER BY id DESC LIMIT 1').get();
}

export type IntegrityResult =
  | { state: 'ok'; ms: number }
  | { state: 'damaged'; problems: string[]; ms: number }
  /** The check could not run (busy, no worker…): says nothing about the file. */
  | { state: 'failed'; reason: string; ms: number };

function sqliteModulePath(): string {
  return createRequire(__filename).resolve('better-sqlite3');
}

/** Runs in the worker: plain CommonJS, only better-sqlite3 (its path comes from the main thread). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let db;
try {
  const Database = require(workerData.sqlite);
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
  const rows = db.pragma('quick_check');
  const problems = rows.map((r) => String(Object.values(r)[0])).filter((m) => m !== 'ok');
  parentPort.postMessage({ ok: problems.length === 0, problems: problems.slice(0, 20) });
} catch (e) {
  parentPort.postMessage({ ok: false, error: String((e && e.message) || e), code: String((e && e.code) || '') });
} finally {
  if (db) db.close();
}
`;

function isCorruptionCode(code: string): boolean {
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

/** `PRAGMA quick_check` of `file` on a worker thread (its own read-only connection): never blocks the event loop. */
export function quickCheckInBackground(file: string): Promise<IntegrityResult> {
  const started = Date.now();
  const ms = () => Date.now() - started;
  return new Promise<IntegrityResult>((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, sqlite: sqliteModulePath() } });
    } catch (e) {
      resolve({ state: 'failed', reason: `no worker thread: ${(e as Error).message}`, ms: ms() });
      return;
    }
    worker.unref();
    let done = false;
    worker.once('message', (m: { ok: boolean; problems?: string[]; error?: string; code?: string }) => {
      done = true;
      if (m.ok) resolve({ state: 'ok', ms: ms() });
      else if (m.problems && m.problems.length > 0) resolve({ state: 'damaged', problems: m.problems, ms: ms() });
      else if (isCorruptionCode(m.code ?? '')) resolve({ state: 'damaged', problems: [m.error ?? 'damaged'], ms: ms() });
      else resolve({ state: 'failed', reason: m.error ?? 'the check failed', ms: ms() });
    });
    worker.once('error', (e) => {
      if (!done) resolve({ state: 'failed', reason: `worker: ${e.message}`, ms: ms() });
      done = true;
    });
    worker.once('exit', (code) => {
      if (!done) resolve({ state: 'failed', reason: `the check's worker stopped (exit ${code})`, ms: ms() });
      done = true;
    });
  });
}

const AUDIT_PAGE = 2000;

/**
 * The audit chain of a connection nobody writes to (a backup), verified in slices of rows with the
 * event loop served in between: the same verdict as `verifyAudit`, without holding the till.
 */
export async function verifyAuditInSlices(db: Database.Database): Promise<AuditVerification> {
  const head = db.prepare<[], AuditHead>(AUDIT_HEAD_SQL).get() ?? null;
  const page = db.prepare<[number, number], StoredAuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`,
  );
  const verifier = new ChainVerifier();
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = page.all(after, AUDIT_PAGE);
    for (const row of rows) {
      const fault = verifier.push(row);
      if (fault) return fault;
    }
    if (rows.length < AUDIT_PAGE) break;
    after = rows[rows.length - 1]!.seq;
    await yieldToLoop();
  }
  return verifier.finish(head);
}
