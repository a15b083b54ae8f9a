/**
 * Schema migrations, applied in order by `PRAGMA user_version`, each in one transaction together
 * with its user_version bump and one audit row. A database newer than the code is refused. Before a
 * database that already has a schema is migrated, a backup is taken with SQLite's online backup into
 * `<dir>/backups/pre-migration-v<from>-<timestamp>.db`.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { appendAuditRow, prepareAuditStatements } from './auditStore.js';
import { writeBackup } from './backups.js';
import { LedgerError, toLedgerError } from './errors.js';
import { v2Accounts } from './schema/v2Accounts.js';
import { V3_INCIDENTS } from './schema/v3Incidents.js';
import { v4PrintJobs } from './schema/v4PrintJobs.js';
import { v5Adjustments } from './schema/v5Adjustments.js';
import { v6Recharges } from './schema/v6Recharges.js';
import { v7IncidentWorkflow } from './schema/v7IncidentWorkflow.js';

export interface Migration {
  /** 1, 2, 3… with no gaps; the database's user_version after this migration. */
  version: number;
  name: string;
  /** Runs inside the migration's transaction. Must not open its own transaction. */
  up(db: Database.Database): void;
}

const CHARGE_STATUSES = "'pending','confirmed','flagged','voided','refunded','partially_refunded'";
const ZEROS = '0'.repeat(64);

/** SQL for the UTC quarter hour ('YYYY-MM-DDTHH:MM') holding `<row>.received_at` (ISO 8601 UTC). */
function bucketOf(row: 'NEW' | 'OLD'): string {
  return `printf('%s%02d', substr(${row}.received_at, 1, 14), (CAST(substr(${row}.received_at, 15, 2) AS INTEGER) / 15) * 15)`;
}

export const V1_SCHEMA = `
CREATE TABLE charges (
  id            INTEGER PRIMARY KEY,
  terminal_id   TEXT NOT NULL,
  merchant_id   TEXT NOT NULL,
  batch         TEXT NOT NULL,
  trace         TEXT NOT NULL,
  rrn           TEXT NOT NULL,
  auth_code     TEXT NOT NULL,
  amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
  currency      TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^0-9]*'),
  pan_masked    TEXT NOT NULL CHECK (
                  length(pan_masked) BETWEEN 12 AND 19
                  AND pan_masked NOT GLOB '*[^0-9*]*'
                  -- at most 10 digits visible: digits = length - number of '*'
                  AND length(replace(pan_masked, '*', '')) <= 10),
  pan_last4     TEXT NOT NULL GENERATED ALWAYS AS (substr(pan_masked, -4)) STORED,
  entry_mode    TEXT NOT NULL CHECK (entry_mode IN ('S','C','T','M','F')),
  brand         TEXT,
  aid           TEXT,
  tx_class      TEXT,
  merchant_name TEXT,
  response_code TEXT NOT NULL,
  terminal_time TEXT NOT NULL CHECK (length(terminal_time) = 14 AND terminal_time NOT GLOB '*[^0-9]*'),
  received_at   TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (${CHARGE_STATUSES})),
  flags         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(flags) AND json_type(flags) = 'array'),
  confirmed_by  TEXT,
  confirmed_at  TEXT,
  CHECK ((confirmed_by IS NULL) = (confirmed_at IS NULL)),
  UNIQUE (terminal_id, batch, trace)
) STRICT;

-- (status, id): the counter queue (status = 'pending', oldest first), history by status and the
-- recent confirmed amounts. rowid = id is every index's implicit last column, so "status = ?
-- ORDER BY id" is one contiguous, already-ordered range: the pending queue reads only pending rows
-- whatever the ledger's size (a partial index on pending would add nothing but another write).
CREATE INDEX charges_status ON charges(status);
-- History by last 4, newest first.
CREATE INDEX charges_last4 ON charges(pan_last4);
-- Same card since a time (the duplicate-swipe check on every new charge): an exact range.
CREATE INDEX charges_card ON charges(pan_masked, received_at);
-- Date ranges.
CREATE INDEX charges_received ON charges(received_at);
-- Amount ranges.
CREATE INDEX charges_amount ON charges(amount_minor);
-- "Needs attention": flagged by the cashier or carrying detector flags (rare rows only).
CREATE INDEX charges_attention ON charges(id) WHERE status = 'flagged' OR flags <> '[]';

-- Running totals per UTC quarter hour of received_at, status and currency, kept by triggers in the
-- same transaction as every change to charges. Any local day (every time zone's offset is a whole
-- number of quarter hours) is then at most 100 buckets, however many charges it holds.
CREATE TABLE charge_totals (
  bucket       TEXT NOT NULL,
  status       TEXT NOT NULL,
  currency     TEXT NOT NULL,
  count        INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  PRIMARY KEY (bucket, status, currency)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER charges_totals_insert AFTER INSERT ON charges BEGIN
  INSERT INTO charge_totals (bucket, status, currency, count, amount_minor)
  VALUES (${bucketOf('NEW')}, NEW.status, NEW.currency, 1, NEW.amount_minor)
  ON CONFLICT (bucket, status, currency) DO UPDATE
    SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor;
END;
CREATE TRIGGER charges_totals_update AFTER UPDATE OF status, currency, amount_minor, received_at ON charges
  WHEN OLD.status IS NOT NEW.status OR OLD.currency IS NOT NEW.currency
    OR OLD.amount_minor IS NOT NEW.amount_minor OR OLD.received_at IS NOT NEW.received_at
BEGIN
  UPDATE charge_totals SET count = count - 1, amount_minor = amount_minor - OLD.amount_minor
    WHERE bucket = ${bucketOf('OLD')} AND status = OLD.status AND currency = OLD.currency;
  INSERT INTO charge_totals (bucket, status, currency, count, amount_minor)
  VALUES (${bucketOf('NEW')}, NEW.status, NEW.currency, 1, NEW.amount_minor)
  ON CONFLICT (bucket, status, currency) DO UPDATE
    SET count = count + 1, amount_minor = amount_minor + excluded.amount_minor;
END;
CREATE TRIGGER charges_totals_delete AFTER DELETE ON charges BEGIN
  UPDATE charge_totals SET count = count - 1, amount_minor = amount_minor - OLD.amount_minor
    WHERE bucket = ${bucketOf('OLD')} AND status = OLD.status AND currency = OLD.currency;
END;

CREATE TABLE confirmations (
  id            INTEGER PRIMARY KEY,
  charge_id     INTEGER NOT NULL UNIQUE REFERENCES charges(id),
  actor         TEXT NOT NULL CHECK (actor <> ''),
  at            TEXT NOT NULL,
  rekeyed_minor INTEGER CHECK (rekeyed_minor IS NULL OR rekeyed_minor >= 0)
) STRICT;

CREATE TABLE host_requests (
  id          INTEGER PRIMARY KEY,
  seq         TEXT NOT NULL CHECK (length(seq) = 6 AND seq NOT GLOB '*[^0-9]*' AND seq <> '000000'),
  type        TEXT NOT NULL CHECK (type IN ('VD','RF','SE','QT')),
  fields      TEXT NOT NULL CHECK (json_valid(fields) AND json_type(fields) = 'object'),
  charge_id   INTEGER REFERENCES charges(id),
  state       TEXT NOT NULL CHECK (state IN ('pending','answered','unknown')),
  rc          TEXT,
  response    TEXT CHECK (response IS NULL OR json_valid(response)),
  reason      TEXT,
  created_at  TEXT NOT NULL,
  resolved_at TEXT,
  actor       TEXT NOT NULL CHECK (actor <> ''),
  CHECK ((state = 'answered') = (rc IS NOT NULL AND response IS NOT NULL))
) STRICT;
-- A SEQ is never held by two unresolved requests at once (the allocator skips these).
CREATE UNIQUE INDEX host_requests_open_seq ON host_requests(seq) WHERE state IN ('pending','unknown');
CREATE INDEX host_requests_seq ON host_requests(seq);
CREATE INDEX host_requests_charge ON host_requests(charge_id) WHERE charge_id IS NOT NULL;

CREATE TABLE host_seq (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  last INTEGER NOT NULL CHECK (last BETWEEN 0 AND 999999)
) STRICT;
INSERT INTO host_seq (id, last) VALUES (1, 0);

CREATE TABLE audit_log (
  seq       INTEGER PRIMARY KEY,
  at        TEXT NOT NULL,
  actor     TEXT NOT NULL CHECK (actor <> ''),
  action    TEXT NOT NULL,
  entity    TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  data      TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash      TEXT NOT NULL
) STRICT;
-- Append-only by construction: the ledger has no UPDATE or DELETE for it. Tampering from outside
-- (the sqlite3 shell) is not blocked by triggers, which such a person could drop anyway; it is
-- detected by the hash chain and the head row, and \`countersign verify-log\` names the first bad row.

CREATE TABLE audit_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${ZEROS}');

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value))
) STRICT, WITHOUT ROWID;
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    up(db) {
      db.exec(V1_SCHEMA);
    },
  },
  v2Accounts,
  V3_INCIDENTS,
  v4PrintJobs,
  v5Adjustments,
  v6Recharges,
  v7IncidentWorkflow,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
  });
}

/** `20251126T045800123Z`: sortable, safe in file names on every OS. */
export function fileTimestamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

export interface MigrateOptions {
  /** The database file (its directory gets `backups/`). */
  file: string;
  now: () => Date;
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  from: number;
  to: number;
  /** The backup taken before migrating, if one was needed. */
  backup: string | null;
}

/**
 * Brings `db` to the latest version. Throws LedgerError `db.too_new` for a newer database (untouched),
 * `db.migration_failed` if a migration throws (that migration is rolled back; earlier ones stay).
 */
export async function migrateDatabase(db: Database.Database, opts: MigrateOptions): Promise<MigrateResult> {
  const migrations = opts.migrations ?? MIGRATIONS;
  checkMigrationList(migrations);
  const latest = migrations.length;
  const from = userVersion(db);
  if (from > latest) {
    throw new LedgerError(
      'db.too_new',
      `the ledger was written by a newer Countersign (schema v${from}; this version knows up to v${latest}): update Countersign`,
      { found: String(from), supported: String(latest) },
    );
  }
  if (from === latest) return { from, to: latest, backup: null };

  let backup: string | null = null;
  if (from >= 1) {
    // Verified before it gets its name (backups.ts); a copy that does not verify stops the migration.
    backup = await writeBackup(db, {
      dir: path.join(path.dirname(path.resolve(opts.file)), 'backups'),
      name: `pre-migration-v${from}-${fileTimestamp(opts.now())}.db`,
      verify: 'sync',
    });
  }

  for (const m of migrations.slice(from)) {
    const at = opts.now().toISOString();
    const apply = db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
      appendAuditRow(prepareAuditStatements(db), {
        at,
        actor: 'system',
        action: m.version === 1 ? 'ledger.created' : 'ledger.migrated',
        entity: 'ledger',
        entityId: 'schema',
        data: { from: m.version - 1, to: m.version, name: m.name },
      });
    });
    try {
      apply.immediate();
    } catch (e) {
      const mapped = toLedgerError(e);
      if (mapped instanceof LedgerError && mapped.code !== 'db.error') throw mapped;
      throw new LedgerError(
        'db.migration_failed',
        `migrating the ledger to schema v${m.version} (${m.name}) failed: ${(e as Error).message}`,
        { version: String(m.version), ...(backup ? { backup } : {}) },
        { cause: e },
      );
    }
  }
  return { from, to: latest, backup };
}
