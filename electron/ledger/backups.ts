/**
 * Backups of the ledger, and restoring one when the ledger file is damaged.
 *
 * - Taken with SQLite's online backup API (better-sqlite3 `db.backup`) from the ledger's own
 *   connection, into `<dir of the ledger>/backups/`: `daily-<timestamp>.db` once a day (at start
 *   when the newest backup is older than a day, then whenever a day has passed while running) and
 *   `pre-migration-v<from>-<timestamp>.db` before every migration (migrations.ts).
 * - Each copy is written to a hidden temporary name, made one self-contained file (journal mode
 *   DELETE), verified — opened read-only, `PRAGMA quick_check`, the audit chain recomputed — and only
 *   then renamed to its final name. A copy that fails verification is deleted; a temporary file
 *   left by a crash is removed at the next start.
 * - Retention: the newest KEEP_DAILY daily backups and KEEP_PRE_MIGRATION pre-migration ones.
 * - Restoring: the damaged file (with its -wal/-shm) is set aside as `<file>.corrupt-<timestamp>`
 *   (never deleted), the newest backup that verifies is copied into place, and the ledger records
 *   `ledger.restored` with what was restored and from when. Its host SEQ counter is moved on by
 *   SEQ_SKIP_AFTER_RESTORE: requests made after the backup used SEQs the ledger no longer knows,
 *   and the terminal still holds answers for them, so they must not be used again.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AUDIT_HEAD_SQL, verifyAuditIn } from './auditStore.js';
import { openChecked } from './connection.js';
import { LedgerError, toLedgerError } from './errors.js';
import { backupInBackground, clearMarker, ledgerMarkers, quickCheckInBackground, verifyAuditInSlices } from './integrity.js';
import type { Ledger } from './ledger.js';
import { SQL } from './queries.js';
import type { AuditHead, StoredAuditRow } from '../domain/auditChain.js';

export const BACKUP_DIR = 'backups';
export const KEEP_DAILY = 14;
export const KEEP_PRE_MIGRATION = 5;
export const DAY_MS = 86_400_000;
/** How far the host SEQ counter moves on after a restore (far beyond a day's requests). */
export const SEQ_SKIP_AFTER_RESTORE = 10_000;
const SEQ_MAX = 999_999;

export type BackupKind = 'daily' | 'pre-migration';

export interface BackupInfo {
  file: string;
  name: string;
  kind: BackupKind | 'other';
  /** From the name's timestamp (else the file's mtime). */
  takenAt: Date;
  size: number;
}

export function backupDirFor(ledgerFile: string): string {
  return path.join(path.dirname(path.resolve(ledgerFile)), BACKUP_DIR);
}

/** `20251126T045800123Z`: sortable, safe in file names on every OS (same as migrations.ts). */
export function backupTimestamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

function parseTimestamp(stamp: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(stamp);
  if (!m) return null;
  const d = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const NAME_RE = /^(daily|pre-migration-v\d+)-(\d{8}T\d{9}Z)(?:-\d+)?\.db$/;

/** The backups in `dir`, newest first (temporary files are not backups). */
export function listBackups(dir: string): BackupInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupInfo[] = [];
  for (const name of names) {
    if (!name.endsWith('.db') || name.startsWith('.')) continue;
    const file = path.join(dir, name);
    let size = 0;
    let mtime = new Date(0);
    try {
      const st = statSync(file);
      if (!st.isFile()) continue;
      size = st.size;
      mtime = st.mtime;
    } catch {
      continue;
    }
    const m = NAME_RE.exec(name);
    const kind: BackupInfo['kind'] = !m ? 'other' : m[1] === 'daily' ? 'daily' : 'pre-migration';
    out.push({ file, name, kind, takenAt: (m && parseTimestamp(m[2]!)) || mtime, size });
  }
  return out.sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || (a.name < b.name ? 1 : -1));
}

/** The backups of several folders (the default and the chosen one), newest first; each folder once. */
export function listBackupsIn(dirs: readonly string[]): BackupInfo[] {
  const unique = [...new Set(dirs.map((d) => path.resolve(d)))];
  return unique
    .flatMap((d) => listBackups(d))
    .sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime() || (a.file < b.file ? 1 : -1));
}

/** Removes temporary copies a crash left behind. */
export function cleanTemporaryBackups(dir: string): number {
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.startsWith('.') && name.includes('.tmp')) {
      rmSync(path.join(dir, name), { force: true });
      removed++;
    }
  }
  return removed;
}

/** Keeps the newest `keepDaily` daily and `keepPreMigration` pre-migration backups; returns the deleted files. */
export function pruneBackups(dir: string, keepDaily = KEEP_DAILY, keepPreMigration = KEEP_PRE_MIGRATION): string[] {
  const all = listBackups(dir);
  const deleted: string[] = [];
  for (const [kind, keep] of [
    ['daily', keepDaily],
    ['pre-migration', keepPreMigration],
  ] as const) {
    for (const b of all.filter((x) => x.kind === kind).slice(keep)) {
      rmSync(b.file, { force: true });
      deleted.push(b.file);
    }
  }
  return deleted;
}

export type BackupVerification = { ok: true; auditRows: number } | { ok: false; reason: string };

/** Synchronous verification (at start, before anything is served): quick_check and the audit chain. */
export function verifyBackupSync(file: string): BackupVerification {
  let db: Database.Database;
  try {
    db = openChecked(file, { readonly: true, check: 'full' });
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  try {
    const hasLog = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'").get();
    if (!hasLog) return { ok: false, reason: 'not a Countersign ledger (no audit log)' };
    const chain = verifyAuditIn(db, db.prepare<[], AuditHead>(AUDIT_HEAD_SQL), db.prepare<[], StoredAuditRow>(SQL.auditAll));
    return chain.ok ? { ok: true, auditRows: chain.rows } : { ok: false, reason: `audit chain broken at row ${chain.badSeq}: ${chain.reason}` };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  } finally {
    db.close();
  }
}

/** The same verdict without holding the event loop: quick_check on a worker, the chain in slices. */
export async function verifyBackup(file: string): Promise<BackupVerification> {
  const check = await quickCheckInBackground(file);
  if (check.state === 'damaged') return { ok: false, reason: `quick_check: ${check.problems[0] ?? 'damaged'}` };
  if (check.state === 'failed') {
    // No worker here: check on this thread rather than not at all.
    return verifyBackupSync(file);
  }
  return verifyChainOf(file);
}

export interface WriteBackupOptions {
  dir: string;
  /** The final file name (e.g. `daily-<stamp>.db`); `-2`, `-3`… is added if it exists. */
  name: string;
  /** 'async' (default) verifies off the event loop; 'sync' on it (at start, during a migration). */
  verify?: 'async' | 'sync';
}

function uniqueName(dir: string, name: string): string {
  let target = path.join(dir, name);
  for (let n = 2; existsSync(target); n++) target = path.join(dir, name.replace(/\.db$/, `-${n}.db`));
  return target;
}

/**
 * Copies `db` into `target` with SQLite's online backup API. The copy inherits WAL mode; it is made
 * one self-contained file that opens read-only cleanly.
 */
export async function backupToSingleFile(db: Database.Database, target: string, progress?: Database.BackupOptions['progress']): Promise<void> {
  await (progress ? db.backup(target, { progress }) : db.backup(target));
  const copy = new Database(target);
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/**
 * Backs `db` up into `dir/name`, verified before it gets its name. Throws LedgerError (db.disk_full,
 * db.io_error… from SQLite, or `backup.unverified` when the copy does not verify — then nothing is kept).
 */
export async function writeBackup(db: Database.Database, options: WriteBackupOptions): Promise<string> {
  mkdirSync(options.dir, { recursive: true });
  const target = uniqueName(options.dir, options.name);
  const temp = path.join(options.dir, `.${path.basename(target)}.tmp`);
  rmSync(temp, { force: true });
  try {
    await backupToSingleFile(db, temp);
  } catch (e) {
    rmSync(temp, { force: true });
    rmSync(`${temp}-wal`, { force: true });
    rmSync(`${temp}-shm`, { force: true });
    throw toLedgerError(e, { backup: target });
  }
  const verdict = options.verify === 'sync' ? verifyBackupSync(temp) : await verifyBackup(temp);
  if (!verdict.ok) {
    rmSync(temp, { force: true });
    throw new LedgerError('backup.unverified', `the backup did not verify and was not kept: ${verdict.reason}`, { backup: target });
  }
  renameSync(temp, target);
  return target;
}

/**
 * Takes today's backup of `ledger` now, beside the till: copied and quick_checked on a worker thread
 * (its own read-only connection, one read snapshot), the audit chain verified here in slices. Where
 * no worker can run, the copy is made from the ledger's own connection instead.
 */
export async function writeDailyBackup(ledger: Ledger, dir: string, now: Date, keepDaily = KEEP_DAILY): Promise<string> {
  cleanTemporaryBackups(dir);
  mkdirSync(dir, { recursive: true });
  const target = uniqueName(dir, `daily-${backupTimestamp(now)}.db`);
  const temp = path.join(dir, `.${path.basename(target)}.tmp`);
  const removeTemp = () => {
    for (const f of [temp, `${temp}-wal`, `${temp}-shm`, `${temp}-journal`]) rmSync(f, { force: true });
  };
  removeTemp();
  const copied = await backupInBackground(ledger.file, temp);
  if (copied.kind === 'no-worker') {
    const file = await ledger.query((db) => writeBackup(db, { dir, name: path.basename(target) }));
    pruneBackups(dir, keepDaily);
    return file;
  }
  if (copied.kind === 'error') {
    removeTemp();
    throw toLedgerError(Object.assign(new Error(copied.message), { code: copied.code }), { backup: target });
  }
  if (copied.check.state !== 'ok') {
    removeTemp();
    const why = copied.check.state === 'damaged' ? `quick_check: ${copied.check.problems[0]}` : copied.check.reason;
    throw new LedgerError('backup.unverified', `the backup did not verify and was not kept: ${why}`, { backup: target });
  }
  const chain = await verifyChainOf(temp);
  if (!chain.ok) {
    removeTemp();
    throw new LedgerError('backup.unverified', `the backup did not verify and was not kept: ${chain.reason}`, { backup: target });
  }
  renameSync(temp, target);
  pruneBackups(dir, keepDaily);
  return target;
}

async function verifyChainOf(file: string): Promise<BackupVerification> {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
  try {
    const chain = await verifyAuditInSlices(db);
    return chain.ok ? { ok: true, auditRows: chain.rows } : { ok: false, reason: `audit chain broken at row ${chain.badSeq}: ${chain.reason}` };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- restore

export interface RestoreResult {
  /** Where the file that was in place went (null: there was none). */
  setAside: string | null;
  /** The backup copied into place; null when none verified (a new, empty ledger starts). */
  backupFile: string | null;
  backupTakenAt: Date | null;
  /** Backups that were tried and did not verify, with why. */
  rejected: { file: string; reason: string }[];
}

/** Moves `file` and its -wal/-shm to `<file><suffix>` (and `-wal`/`-shm` after it). */
export function setAside(file: string, suffix: string): string | null {
  if (!existsSync(file)) return null;
  const target = `${file}${suffix}`;
  renameSync(file, target);
  for (const extra of ['-wal', '-shm']) {
    if (existsSync(`${file}${extra}`)) renameSync(`${file}${extra}`, `${target}${extra}`);
  }
  const markers = ledgerMarkers(file);
  clearMarker(markers.inUse);
  clearMarker(markers.needsCheck);
  return target;
}

/**
 * Puts the newest good backup (or `backup` when given) in place of `file`, which is set aside with
 * `suffix` (e.g. `.corrupt-<stamp>`). The backups searched: the default folder beside `file` and `dirs` (the chosen backup
 * folder, mirrored outside the ledger in location.json), newest first whichever folder holds it.
 * Synchronous: runs before the ledger is opened.
 */
export function restoreBackup(file: string, options: { suffix: string; backup?: string; dirs?: readonly string[] }): RestoreResult {
  const candidates: BackupInfo[] = options.backup
    ? [{ file: path.resolve(options.backup), name: path.basename(options.backup), kind: 'other', takenAt: backupTakenAt(options.backup), size: 0 }]
    : listBackupsIn([backupDirFor(file), ...(options.dirs ?? [])]);
  const rejected: RestoreResult['rejected'] = [];
  let chosen: BackupInfo | null = null;
  for (const c of candidates) {
    const verdict = verifyBackupSync(c.file);
    if (verdict.ok) {
      chosen = c;
      break;
    }
    rejected.push({ file: c.file, reason: verdict.reason });
  }
  if (options.backup && !chosen) {
    throw new LedgerError('backup.unverified', `the backup ${options.backup} cannot be restored: ${rejected[0]?.reason ?? 'it did not verify'}`, {
      backup: options.backup,
    });
  }
  const aside = setAside(file, options.suffix);
  if (chosen) {
    const temp = `${file}.restoring`;
    copyFileSync(chosen.file, temp);
    renameSync(temp, file);
  }
  return { setAside: aside, backupFile: chosen?.file ?? null, backupTakenAt: chosen?.takenAt ?? null, rejected };
}

function backupTakenAt(file: string): Date {
  const m = NAME_RE.exec(path.basename(file));
  const fromName = m ? parseTimestamp(m[2]!) : null;
  if (fromName) return fromName;
  try {
    return statSync(file).mtime;
  } catch {
    return new Date(0);
  }
}

/**
 * After a restore, in the restored ledger: moves the host SEQ counter on (see SEQ_SKIP_AFTER_RESTORE)
 * and records `ledger.restored` with what happened. Returns the SEQ the counter now stands at.
 */
export function recordRestore(
  ledger: Ledger,
  info: { reason: string; setAside: string | null; backupFile: string | null; backupTakenAt: Date | null; rejected: number },
  actor = 'system',
): number {
  return ledger.transact((tx) => {
    const last = (tx.db.prepare('SELECT last FROM host_seq WHERE id = 1').pluck().get() as number | undefined) ?? 0;
    const next = ((last + SEQ_SKIP_AFTER_RESTORE - 1) % SEQ_MAX) + 1;
    tx.db.prepare('UPDATE host_seq SET last = ? WHERE id = 1').run(next);
    tx.audit(actor, 'ledger.restored', 'ledger', 'file', {
      reason: info.reason,
      setAside: info.setAside ? path.basename(info.setAside) : null,
      backup: info.backupFile ? path.basename(info.backupFile) : null,
      backupTakenAt: info.backupTakenAt ? info.backupTakenAt.toISOString() : null,
      backupsRejected: info.rejected,
      seqFrom: last,
      seqTo: next,
    });
    return next;
  });
}
