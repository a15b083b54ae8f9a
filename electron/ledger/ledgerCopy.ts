/**
 * The ledger's side of a data-folder move: the audit rows that record it, the copy (SQLite's online
 * backup API from the ledger's own connection) and its verification — `PRAGMA integrity_check`, the
 * audit chain recomputed, and every table's row count equal to the source's.
 */
import { closeSync, fsyncSync, openSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { AuditHead, StoredAuditRow } from '../domain/auditChain.js';
import { AUDIT_HEAD_SQL, verifyAuditIn } from './auditStore.js';
import { backupToSingleFile } from './backups.js';
import { LedgerError } from './errors.js';
import type { Ledger } from './ledger.js';
import { SQL } from './queries.js';

/** Every table's row count (SQLite's own tables excepted). */
export function tableCounts(db: Database.Database): Record<string, number> {
  const names = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    .pluck()
    .all() as string[];
  const out: Record<string, number> = {};
  for (const name of names) out[name] = db.prepare(`SELECT count(*) FROM "${name.replace(/"/g, '""')}"`).pluck().get() as number;
  return out;
}

export interface LedgerFileCheck {
  tables: number;
  rows: number;
  auditRows: number;
  counts: Record<string, number>;
  bytes: number;
}

/**
 * integrity_check and the audit chain of a ledger file nobody writes to (read-only). Throws
 * LedgerError `datadir.verify_failed` naming what failed.
 */
export function checkLedgerFile(file: string): LedgerFileCheck {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new LedgerError('datadir.verify_failed', `${file} cannot be opened: ${(e as Error).message}`, { file, what: 'open', reason: (e as Error).message });
  }
  try {
    const problems = (db.pragma('integrity_check') as Record<string, unknown>[]).map((r) => String(Object.values(r)[0])).filter((m) => m !== 'ok');
    if (problems.length > 0) {
      throw new LedgerError('datadir.verify_failed', `integrity_check of ${file}: ${problems[0]}`, { file, what: 'integrity_check', reason: problems[0]! });
    }
    const hasLog = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'").get();
    if (!hasLog) throw new LedgerError('datadir.verify_failed', `${file} is not a Countersign ledger (no audit log)`, { file, what: 'audit_log', reason: 'missing' });
    const chain = verifyAuditIn(db, db.prepare<[], AuditHead>(AUDIT_HEAD_SQL), db.prepare<[], StoredAuditRow>(SQL.auditAll));
    if (!chain.ok) {
      throw new LedgerError('datadir.verify_failed', `the audit chain of ${file} is broken at row ${chain.badSeq}: ${chain.reason}`, {
        file,
        what: 'audit_chain',
        reason: `row ${chain.badSeq}: ${chain.reason}`,
      });
    }
    const counts = tableCounts(db);
    return {
      tables: Object.keys(counts).length,
      rows: Object.values(counts).reduce((a, b) => a + b, 0),
      auditRows: chain.rows,
      counts,
      bytes: statSync(file).size,
    };
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    throw new LedgerError('datadir.verify_failed', `${file} cannot be checked: ${(e as Error).message}`, { file, what: 'check', reason: (e as Error).message });
  } finally {
    db.close();
  }
}

/**
 * Copies the open ledger into `target` (a temporary name; the caller renames it) with the backup
 * API, makes the copy one self-contained file (journal mode DELETE, fsynced), and verifies it
 * against the source: the caller has frozen writes, so the counts cannot move meanwhile.
 */
export async function copyLedgerVerified(
  ledger: Ledger,
  target: string,
  onProgress: (done: number, total: number) => void,
  onVerifying: () => void = () => {},
): Promise<LedgerFileCheck> {
  for (const f of [target, `${target}-wal`, `${target}-shm`, `${target}-journal`]) rmSync(f, { force: true });
  try {
    await ledger.query((db) =>
      backupToSingleFile(db, target, ({ totalPages, remainingPages }) => {
        onProgress(totalPages - remainingPages, totalPages);
        return 256;
      }),
    );
    const fd = openSync(target, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'error';
    throw new LedgerError('datadir.copy_failed', `the ledger could not be copied to ${target}: ${(e as Error).message}`, { file: target, reason: code });
  }
  onVerifying();
  const source = ledger.query((db) => tableCounts(db));
  const check = checkLedgerFile(target);
  for (const [table, n] of Object.entries(source)) {
    if (check.counts[table] !== n) {
      throw new LedgerError('datadir.verify_failed', `the copy's ${table} has ${check.counts[table] ?? 'no'} rows, the ledger ${n}`, {
        file: target,
        what: `rows:${table}`,
        reason: `${check.counts[table] ?? 0} ≠ ${n}`,
      });
    }
  }
  if (Object.keys(check.counts).length !== Object.keys(source).length) {
    throw new LedgerError('datadir.verify_failed', "the copy's tables are not the ledger's", { file: target, what: 'tables', reason: 'differ' });
  }
  return check;
}

/** One audit row about the data folder (who, from, to): the ledger's record of a move. */
export function recordDataDirStep(ledger: Ledger, actor: string, action: string, data: { from: string; to: string } & Record<string, string | number | boolean>): void {
  ledger.transact((tx) => tx.audit(actor, action, 'datadir', data.to, data));
}
