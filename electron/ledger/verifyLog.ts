/**
 * `countersign verify-log --db PATH`: checks a ledger's audit chain without writing to it (read-only
 * connection; safe while Countersign is running, WAL lets it read a consistent snapshot).
 */
import type { AuditVerification } from '../contract/schemas.js';
import type { AuditHead, StoredAuditRow } from '../domain/auditChain.js';
import { AUDIT_HEAD_SQL, verifyAuditIn } from './auditStore.js';
import { openChecked } from './connection.js';
import { LedgerError, toLedgerError } from './errors.js';
import { SCHEMA_VERSION, userVersion } from './migrations.js';
import { SQL } from './queries.js';

/**
 * Verifies the audit chain of the ledger at `path`. Returns the verification; throws LedgerError
 * `db.not_found`, `db.corrupt`, `db.too_new` or `db.not_a_ledger` when there is no chain to check.
 */
export function verifyLogFile(path: string): AuditVerification {
  const db = openChecked(path, { readonly: true });
  try {
    const version = userVersion(db);
    if (version > SCHEMA_VERSION) {
      throw new LedgerError(
        'db.too_new',
        `the ledger was written by a newer Countersign (schema v${version}; this version knows up to v${SCHEMA_VERSION})`,
        { found: String(version), supported: String(SCHEMA_VERSION) },
      );
    }
    const hasLog = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'").get();
    if (version < 1 || !hasLog) {
      throw new LedgerError('db.not_a_ledger', `${path} is an SQLite database but not a Countersign ledger`, { file: path });
    }
    return verifyAuditIn(db, db.prepare<[], AuditHead>(AUDIT_HEAD_SQL), db.prepare<[], StoredAuditRow>(SQL.auditAll));
  } catch (e) {
    throw toLedgerError(e, { file: path });
  } finally {
    db.close();
  }
}
