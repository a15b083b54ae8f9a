/**
 * Appending to the audit log inside the caller's transaction: the row and the head move together.
 * Used by the ledger and by migrations.
 */
import type Database from 'better-sqlite3';
import type { AuditVerification } from '../contract/schemas.js';
import { nextAuditRow, verifyChain, type AuditAppend, type AuditHead, type StoredAuditRow } from '../domain/auditChain.js';
import { CanonicalJsonError } from '../domain/canonical.js';
import { LedgerError, toLedgerError } from './errors.js';

export interface AuditStatements {
  head: Database.Statement<[], AuditHead>;
  insert: Database.Statement<[StoredAuditRow]>;
  setHead: Database.Statement<[AuditHead]>;
}

export const AUDIT_HEAD_SQL = 'SELECT seq, hash FROM audit_head WHERE id = 1';

export function prepareAuditStatements(db: Database.Database): AuditStatements {
  return {
    head: db.prepare<[], AuditHead>(AUDIT_HEAD_SQL),
    insert: db.prepare<[StoredAuditRow]>(
      `INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, data, prev_hash, hash)
       VALUES (@seq, @at, @actor, @action, @entity, @entityId, @data, @prevHash, @hash)`,
    ),
    setHead: db.prepare<[AuditHead]>('UPDATE audit_head SET seq = @seq, hash = @hash WHERE id = 1'),
  };
}

const ACTION_RE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

export function checkActor(actor: unknown): string {
  if (typeof actor !== 'string' || actor.trim() === '' || actor.length > 100) {
    throw new LedgerError('actor.invalid', 'every change must name its actor (1..100 characters)');
  }
  return actor;
}

/** Appends one row after the current head and moves the head. Must run inside a write transaction. */
export function appendAuditRow(stmts: AuditStatements, append: AuditAppend): StoredAuditRow {
  checkActor(append.actor);
  if (!ACTION_RE.test(append.action) || append.action.length > 64) {
    throw new LedgerError('audit.invalid', `invalid audit action ${JSON.stringify(append.action)}`);
  }
  if (append.entity.length === 0 || append.entity.length > 64 || append.entityId.length > 128) {
    throw new LedgerError('audit.invalid', 'audit entity must be 1..64 characters and its id at most 128');
  }
  const head = stmts.head.get();
  if (!head) {
    throw new LedgerError('audit.head_missing', 'the audit head record is missing (the ledger was tampered with): run verify-log');
  }
  let row: StoredAuditRow;
  try {
    row = nextAuditRow(head, append);
  } catch (e) {
    if (e instanceof CanonicalJsonError) {
      throw new LedgerError('audit.invalid', `audit data is not canonical JSON: ${e.message}`, { path: e.path });
    }
    throw e;
  }
  try {
    stmts.insert.run(row);
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      throw new LedgerError(
        'audit.conflict',
        `the audit log already has a row ${row.seq} that the ledger did not write (tampered): run verify-log`,
        { seq: String(row.seq) },
      );
    }
    throw e;
  }
  stmts.setHead.run({ seq: row.seq, hash: row.hash });
  return row;
}

/** Reads the head and every row in one snapshot and checks the chain (streams: O(1) memory). */
export function verifyAuditIn(
  db: Database.Database,
  head: Database.Statement<[], AuditHead>,
  rows: Database.Statement<[], StoredAuditRow>,
): AuditVerification {
  try {
    return db.transaction((): AuditVerification => verifyChain(rows.iterate(), head.get() ?? null)).deferred();
  } catch (e) {
    throw toLedgerError(e);
  }
}
