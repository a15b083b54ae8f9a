/** Schema v3 (incidents, settlements, settled charges) on top of a ledger that already has data. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../../electron/ledger/ledger.js';
import { MIGRATIONS } from '../../../electron/ledger/migrations.js';
import { V3_INCIDENTS } from '../../../electron/ledger/schema/v3Incidents.js';
import { openBatch, settlementBlockers } from '../../../electron/ledger/settlements.js';
import { newCharge, tempLedgerFile, testClock } from '../ledger/helpers.js';

describe('migration v3: incidents and settlements', () => {
  it('is version 3, right after accounts', () => {
    expect(MIGRATIONS[2]).toBe(V3_INCIDENTS);
    expect(MIGRATIONS.map((m) => m.version).slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('from v2 with charges: backup first, the charges stay unsettled and make up the open batch, the chain verifies', async () => {
    const file = tempLedgerFile();
    const v2 = await openLedger(file, { clock: testClock(), migrations: MIGRATIONS.slice(0, 2) });
    const a = v2.recordCharge(newCharge({ amountMinor: 1000, batch: '000005' }), 'terminal:10293847').charge;
    v2.recordCharge(newCharge({ amountMinor: 2000, batch: '000005' }), 'terminal:10293847');
    v2.confirmCharge(a.id, 'cashier');
    v2.close();

    const ledger = await openLedger(file, { clock: testClock('2026-12-01T00:00:00.000Z'), migrations: MIGRATIONS.slice(0, 3) });
    expect(ledger.diagnostics().schemaVersion).toBe(3);
    expect(readdirSync(path.join(path.dirname(file), 'backups'))).toEqual(['pre-migration-v2-20261201T000000000Z.db']);
    expect(ledger.auditRows(1, 100).at(-1)).toMatchObject({ action: 'ledger.migrated', data: { from: 2, to: 3, name: 'incidents and settlements' } });
    expect(openBatch(ledger)).toMatchObject({ batch: '000005', pending: 1, confirmed: 1, totals: { sales: { count: 2, amountMinor: 3000 } } });
    expect(settlementBlockers(ledger)).toHaveLength(1);
    expect(ledger.history({})).toHaveLength(2);
    expect(ledger.verifyAudit().ok).toBe(true);
    ledger.close();

    const db = new Database(file, { readonly: true });
    const columns = db.prepare("SELECT name FROM pragma_table_info('charges')").pluck().all();
    expect(columns).toEqual(expect.arrayContaining(['settled_batch_id', 'settled_at']));
    expect(db.prepare('SELECT count(*) FROM charges WHERE settled_batch_id IS NOT NULL').pluck().get()).toBe(0);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['incidents', 'settlements']));
    // The query plans use the indexes made for them.
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' | ');
    expect(plan("SELECT status, count(*), sum(amount_minor) FROM charges INDEXED BY charges_unsettled WHERE settled_batch_id IS NULL AND batch = '000005' GROUP BY status")).toMatch(
      /COVERING INDEX charges_unsettled/,
    );
    db.close();
  });

  it('a charge is settled with its settlement and time together, or not at all', async () => {
    const file = tempLedgerFile();
    const ledger = await openLedger(file, { clock: testClock() });
    const c = ledger.recordCharge(newCharge(), 'terminal:1').charge;
    ledger.close();
    const db = new Database(file);
    expect(() => db.prepare("UPDATE charges SET settled_at = '2026-01-01T00:00:00.000Z' WHERE id = ?").run(c.id)).toThrow(/CHECK/);
    expect(() => db.prepare('UPDATE charges SET settled_batch_id = 42, settled_at = ? WHERE id = ?').run('t', c.id)).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
