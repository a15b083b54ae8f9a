import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { openLedger } from '../../../electron/ledger/ledger.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../../electron/ledger/migrations.js';
import { ledgerErrorOfAsync, newCharge, tempLedgerFile, testClock } from './helpers.js';

const V2_TEST: Migration = {
  version: 2,
  name: 'test: charge notes',
  up(db) {
    db.exec('CREATE TABLE charge_notes (charge_id INTEGER NOT NULL REFERENCES charges(id), note TEXT NOT NULL) STRICT');
  },
};

/** The schema as it was at v1 (the migration tests run their own v2 on top of it). */
const V1_ONLY: readonly Migration[] = MIGRATIONS.slice(0, 1);

/** A migration newer than this build knows. */
const NEXT_TEST: Migration = { ...V2_TEST, version: SCHEMA_VERSION + 1, name: 'test: from the future' };

function rawVersion(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

async function ledgerWithData(file: string, charges = 3) {
  const ledger = await openLedger(file, { clock: testClock(), migrations: V1_ONLY });
  for (let i = 0; i < charges; i++) ledger.recordCharge(newCharge({ amountMinor: 1000 + i }), 'terminal:10293847');
  ledger.close();
}

describe('migrations', () => {
  test('the list is 1..N without gaps, and the code knows its latest version', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  test('from an empty (new) file: every table, index and trigger, the latest version, one audit row per migration, no backup', async () => {
    const file = tempLedgerFile();
    const ledger = await openLedger(file, { clock: testClock() });
    expect(ledger.diagnostics().schemaVersion).toBe(SCHEMA_VERSION);
    expect(ledger.diagnostics().migrationBackup).toBeNull();
    expect(ledger.auditRows(1, 100).map((r) => [r.seq, r.actor, r.action, r.data])).toEqual(
      MIGRATIONS.map((m) => [
        m.version,
        'system',
        m.version === 1 ? 'ledger.created' : 'ledger.migrated',
        { from: m.version - 1, to: m.version, name: m.name },
      ]),
    );
    expect(ledger.auditRows(1, 1)[0]!.data).toEqual({ from: 0, to: 1, name: 'initial schema' });
    expect(ledger.verifyAudit()).toMatchObject({ ok: true, rows: SCHEMA_VERSION });
    ledger.close();

    const db = new Database(file, { readonly: true });
    const names = (type: string) =>
      (db.prepare("SELECT name FROM sqlite_schema WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all(type) as string[]);
    expect(names('table')).toEqual(
      expect.arrayContaining(['audit_head', 'audit_log', 'charge_totals', 'charges', 'confirmations', 'host_requests', 'host_seq', 'settings', 'users']),
    );
    expect(names('index')).toEqual(
      expect.arrayContaining([
        'charges_status',
        'charges_last4',
        'charges_card',
        'charges_received',
        'charges_amount',
        'charges_attention',
        'host_requests_open_seq',
        'users_one_owner',
      ]),
    );
    expect(names('trigger')).toEqual(
      expect.arrayContaining(['charges_totals_insert', 'charges_totals_update']),
    );
    expect(db.prepare('SELECT last FROM host_seq').pluck().get()).toBe(0);
    db.close();
    expect(existsSync(path.join(path.dirname(file), 'backups'))).toBe(false);
  });

  test('from v1 with data: backup taken first (a full copy at v1), then migrated, data and chain intact', async () => {
    const file = tempLedgerFile();
    await ledgerWithData(file, 5);
    const clock = testClock('2026-04-01T08:30:00.000Z');
    const ledger = await openLedger(file, { clock, migrations: [...V1_ONLY, V2_TEST] });

    const backupDir = path.join(path.dirname(file), 'backups');
    const backups = readdirSync(backupDir);
    expect(backups).toEqual(['pre-migration-v1-20260401T083000000Z.db']);
    const backupFile = path.join(backupDir, backups[0]!);
    expect(ledger.diagnostics().migrationBackup).toBe(backupFile);
    expect(ledger.diagnostics().schemaVersion).toBe(2);

    // The backup is a complete, openable v1 ledger with the data (WAL content included).
    const backup = new Database(backupFile, { readonly: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare('SELECT count(*) FROM charges').pluck().get()).toBe(5);
    expect(backup.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'charge_notes'").pluck().get()).toBe(0);
    backup.close();

    expect(ledger.history({}).map((c) => c.amountMinor)).toEqual([1004, 1003, 1002, 1001, 1000]);
    const last = ledger.auditRows(1, 100).at(-1);
    expect(last).toMatchObject({ actor: 'system', action: 'ledger.migrated', data: { from: 1, to: 2, name: 'test: charge notes' } });
    expect(ledger.verifyAudit()).toMatchObject({ ok: true, rows: 7 });
    ledger.close();

    // Opening again at v2 migrates nothing and takes no second backup.
    const again = await openLedger(file, { clock, migrations: [...V1_ONLY, V2_TEST] });
    expect(again.diagnostics().migrationBackup).toBeNull();
    again.close();
    expect(readdirSync(backupDir)).toHaveLength(1);
  });

  test('a failing migration rolls back (still v1, data kept, no half-made table) and names the backup', async () => {
    const file = tempLedgerFile();
    await ledgerWithData(file, 2);
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up(db) {
        db.exec('CREATE TABLE half_made (x INTEGER)');
        throw new Error('boom');
      },
    };
    const err = await ledgerErrorOfAsync(() => openLedger(file, { clock: testClock(), migrations: [...V1_ONLY, broken] }));
    expect(err.code).toBe('db.migration_failed');
    expect(err.params.version).toBe('2');
    expect(err.params.backup && existsSync(err.params.backup)).toBe(true);
    expect(rawVersion(file)).toBe(1);

    const ledger = await openLedger(file, { clock: testClock(), migrations: V1_ONLY });
    expect(ledger.history({})).toHaveLength(2);
    expect(ledger.verifyAudit().ok).toBe(true);
    ledger.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'half_made'").pluck().get()).toBe(0);
    db.close();
  });

  test('a database newer than the code is refused with db.too_new and left untouched', async () => {
    const file = tempLedgerFile();
    await ledgerWithData(file, 1);
    const newer = await openLedger(file, { clock: testClock(), migrations: [...MIGRATIONS, NEXT_TEST] });
    newer.close();
    const before = statSync(file);

    const err = await ledgerErrorOfAsync(() => openLedger(file, { clock: testClock() }));
    expect(err.code).toBe('db.too_new');
    expect(err.params).toMatchObject({ found: String(SCHEMA_VERSION + 1), supported: String(SCHEMA_VERSION) });
    expect(err.message).toMatch(/newer Countersign/);
    expect(rawVersion(file)).toBe(SCHEMA_VERSION + 1);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
  });
});

describe('the real migrations', () => {
  test('a v1 ledger with data is upgraded to the latest schema: backup first, charges kept, no accounts yet, chain intact', async () => {
    const file = tempLedgerFile();
    await ledgerWithData(file, 3);
    expect(rawVersion(file)).toBe(1);
    const ledger = await openLedger(file, { clock: testClock('2026-05-01T00:00:00.000Z') });
    expect(ledger.diagnostics().schemaVersion).toBe(SCHEMA_VERSION);
    expect(path.basename(ledger.diagnostics().migrationBackup ?? '')).toBe('pre-migration-v1-20260501T000000000Z.db');
    expect(ledger.history({})).toHaveLength(3);
    expect(ledger.query((db) => db.prepare('SELECT count(*) FROM users').pluck().get())).toBe(0);
    const migrated = ledger.auditRows(1, 100).filter((r) => r.action === 'ledger.migrated');
    expect(migrated.map((r) => (r.data as { to: number }).to)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(migrated.find((r) => (r.data as { to: number }).to === 2)?.data).toEqual({ from: 1, to: 2, name: 'accounts' });
    expect(ledger.verifyAudit().ok).toBe(true);
    ledger.close();
  });
});

describe('pragmas', () => {
  test("WAL, synchronous=FULL, foreign keys, busy_timeout=5000; 'demo' durability is synchronous=OFF", async () => {
    const file = tempLedgerFile();
    const full = await openLedger(file);
    expect(full.diagnostics()).toMatchObject({ journalMode: 'wal', synchronous: 2, foreignKeys: true, busyTimeoutMs: 5000 });
    full.close();
    const demo = await openLedger(file, { durability: 'demo' });
    expect(demo.diagnostics()).toMatchObject({ journalMode: 'wal', synchronous: 0, foreignKeys: true });
    demo.close();
    // WAL is a property of the file: a fresh connection sees it.
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });
});
