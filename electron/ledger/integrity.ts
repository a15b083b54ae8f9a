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

/**
 * Runs in the worker: plain CommonJS, only better-sqlite3 (its path comes from the main thread).
 * Tasks: `check` (quick_check of `file`) and `backup` (copy `file` into `target` with the online
 * backup API in one step — one read snapshot, so the till's writes meanwhile neither block it nor
 * restart it — make the copy one self-contained file, then quick_check the copy).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const quickCheck = (db) => db.pragma('quick_check').map((r) => String(Object.values(r)[0])).filter((m) => m !== 'ok').slice(0, 20);
async function run() {
  let db;
  try {
    db = new Database(workerData.file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    if (workerData.task === 'check') {
      const problems = quickCheck(db);
      return { ok: problems.length === 0, problems };
    }
    await db.backup(workerData.target, { progress: () => 0x7fffffff });
    db.close();
    db = new Database(workerData.target);
    db.pragma('journal_mode = DELETE');
    const problems = quickCheck(db);
    return { ok: problems.length === 0, problems, copied: true };
  } catch (e) {
    return { ok: false, error: String((e && e.message) || e), code: String((e && e.code) || '') };
  } finally {
    if (db && db.open) db.close();
  }
}
run().then((m) => parentPort.postMessage(m));
`;

function isCorruptionCode(code: string): boolean {
  return code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB';
}

interface WorkerAnswer {
  ok: boolean;
  problems?: string[];
  error?: string;
  code?: string;
  copied?: boolean;
}

function runWorker(data: Record<string, unknown>, signal?: AbortSignal): Promise<{ answer: WorkerAnswer } | { failed: string }> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve({ failed: 'cancelled' });
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ...data, sqlite: sqliteModulePath() } });
    } catch (e) {
      resolve({ failed: `no worker thread: ${(e as Error).message}` });
      return;
    }
    worker.unref();
    let done = false;
    const finish = (v: { answer: WorkerAnswer } | { failed: string }) => {
      if (done) return;
      done = true;
      resolve(v);
    };
    signal?.addEventListener('abort', () => {
      if (done) return;
      void worker.terminate();
      finish({ failed: 'cancelled' });
    });
    worker.once('message', (m: WorkerAnswer) => finish({ answer: m }));
    worker.once('error', (e) => finish({ failed: `worker: ${e.message}` }));
    worker.once('exit', (code) => finish({ failed: `the worker stopped (exit ${code})` }));
  });
}

function toResult(r: { answer: WorkerAnswer } | { failed: string }, ms: number): IntegrityResult {
  if ('failed' in r) return { state: 'failed', reason: r.failed, ms };
  const m = r.answer;
  if (m.ok) return { state: 'ok', ms };
  if (m.problems && m.problems.length > 0) return { state: 'damaged', problems: m.problems, ms };
  if (isCorruptionCode(m.code ?? '')) return { state: 'damaged', problems: [m.error ?? 'damaged'], ms };
  return { state: 'failed', reason: m.error ?? 'the check failed', ms };
}

/**
 * `PRAGMA quick_check` of `file` on a worker thread (its own read-only connection): never blocks the
 * event loop. Aborting `signal` stops the worker (state 'failed').
 */
export async function quickCheckInBackground(file: string, options: { signal?: AbortSignal } = {}): Promise<IntegrityResult> {
  const started = Date.now();
  return toResult(await runWorker({ task: 'check', file }, options.signal), Date.now() - started);
}

/** What became of a backup run on a worker thread. */
export type BackgroundBackup =
  /** No worker could run it (the caller backs up on its own thread). */
  | { kind: 'no-worker'; reason: string }
  /** SQLite failed (a full disk: code SQLITE_FULL…); the copy is incomplete. */
  | { kind: 'error'; code: string; message: string }
  /** Copied; `check` is the copy's quick_check. */
  | { kind: 'done'; check: IntegrityResult };

/** A backup of `file` into `target`, written and quick_checked on a worker thread. */
export async function backupInBackground(file: string, target: string): Promise<BackgroundBackup> {
  const started = Date.now();
  const r = await runWorker({ task: 'backup', file, target });
  if ('failed' in r) return { kind: 'no-worker', reason: r.failed };
  if (!r.answer.copied) return { kind: 'error', code: r.answer.code ?? '', message: r.answer.error ?? 'the backup failed' };
  return { kind: 'done', check: toResult(r, Date.now() - started) };
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
