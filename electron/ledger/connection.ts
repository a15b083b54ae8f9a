/**
 * Opening the SQLite file: integrity first (a damaged file is reported, never "repaired" by
 * writing to it), then the pragmas. The integrity check is `PRAGMA quick_check` ('full') or, for a
 * large ledger that was closed cleanly, a structural check with the full one run in the background
 * (integrity.ts).
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { LedgerError, toLedgerError } from './errors.js';
import { headerProblem, structuralCheck, type StartupCheck } from './integrity.js';
import type { Durability } from './types.js';

export const BUSY_TIMEOUT_MS = 5000;

function corrupt(file: string, check: string, message: string, cause?: unknown): LedgerError {
  return new LedgerError('db.corrupt', message, { file, check }, { cause });
}

/**
 * Opens and checks `file`. Throws LedgerError `db.corrupt` (check: `empty`, `not_a_database`,
 * `malformed`, `quick_check`) with the connection already closed, so the caller can move the file.
 * `check`: 'full' (default) runs `PRAGMA quick_check`; 'structural' checks the header, the schema and
 * the small bookkeeping tables only (the caller runs the full check in the background).
 */
export function openChecked(file: string, mode: { readonly: boolean; check?: StartupCheck }): Database.Database {
  let size: number | null = null;
  try {
    size = statSync(file).size;
  } catch {
    size = null; // does not exist (yet)
  }
  if (mode.readonly && size === null) {
    throw new LedgerError('db.not_found', `no ledger file at ${file}`, { file });
  }
  // SQLite treats an empty file as a new database. A ledger file is never empty once created
  // (the first transaction writes the schema), so an empty one means it was truncated: say so
  // instead of silently starting a new, empty ledger over it.
  if (size === 0) {
    throw corrupt(file, 'empty', `the ledger file ${file} is empty (0 bytes): it was truncated or never written`);
  }

  const header = size === null ? null : headerProblem(file);
  if (header) {
    throw corrupt(
      file,
      header.check,
      header.check === 'not_a_database'
        ? `the file ${file} is not a Countersign ledger: ${header.message}`
        : `the ledger file ${file} is damaged: ${header.message}`,
    );
  }

  let db: Database.Database;
  try {
    db = new Database(file, { readonly: mode.readonly, fileMustExist: mode.readonly });
  } catch (e) {
    throw toLedgerError(e, { file });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const problems: string[] = [];
    if (mode.check === 'structural') structuralCheck(db);
    else {
      const rows = db.pragma('quick_check') as { quick_check: string }[];
      problems.push(...rows.map((r) => r.quick_check).filter((m) => m !== 'ok'));
    }
    if (problems.length > 0) {
      throw corrupt(
        file,
        'quick_check',
        `the ledger file ${file} failed its integrity check (${problems.length} problem(s), first: ${problems[0]})`,
      );
    }
  } catch (e) {
    db.close();
    if (e instanceof LedgerError) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB') {
      throw corrupt(file, 'not_a_database', `the file ${file} is not a Countersign ledger: it is not an SQLite database`, e);
    }
    if (code.startsWith('SQLITE_CORRUPT')) {
      throw corrupt(file, 'malformed', `the ledger file ${file} is damaged: ${(e as Error).message}`, e);
    }
    throw toLedgerError(e, { file });
  }
  return db;
}

/** Sets the write pragmas. journal_mode=WAL persists in the file; the others are per connection. */
export function applyWritePragmas(db: Database.Database, durability: Durability): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') throw new LedgerError('db.error', `the ledger could not switch to WAL (journal_mode is ${String(mode)})`);
  db.pragma(`synchronous = ${durability === 'demo' ? 'OFF' : 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}
