import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, openSync, closeSync, renameSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { connectionForTests, openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { verifyLogFile } from '../../../electron/ledger/verifyLog.js';
import { ledgerErrorOf, ledgerErrorOfAsync, newCharge, tempDir, tempLedgerFile, testClock } from './helpers.js';

async function filledLedger(file: string, n: number): Promise<void> {
  const ledger = await openLedger(file, { clock: testClock(), durability: 'demo' });
  for (let i = 0; i < n; i++) ledger.recordCharge(newCharge({ merchantName: `shop ${i} `.repeat(10) }), 'terminal:1');
  ledger.close();
  expect(existsSync(`${file}-wal`)).toBe(false); // checkpointed into the main file on close
}

describe('a damaged ledger file is refused with db.corrupt (and left for the caller to set aside)', () => {
  test('random bytes', async () => {
    const file = tempLedgerFile();
    writeFileSync(file, randomBytes(64 * 1024));
    const err = await ledgerErrorOfAsync(() => openLedger(file));
    expect(err.code).toBe('db.corrupt');
    expect(err.params).toMatchObject({ file, check: 'not_a_database' });
    expect(err.message).toMatch(/not an SQLite database/);
    // The connection is closed: the file can be moved aside and a new ledger started.
    renameSync(file, `${file}.corrupt`);
    const fresh = await openLedger(file);
    expect(fresh.verifyAudit().ok).toBe(true);
    fresh.close();
  });

  test('truncated to half', async () => {
    const file = tempLedgerFile();
    await filledLedger(file, 2000);
    const size = statSync(file).size;
    truncateSync(file, Math.floor(size / 2 / 4096) * 4096);
    const err = await ledgerErrorOfAsync(() => openLedger(file));
    expect(err.code).toBe('db.corrupt');
    expect(['malformed', 'quick_check']).toContain(err.params.check);
  });

  test('truncated mid-page, near the end', async () => {
    const file = tempLedgerFile();
    await filledLedger(file, 500);
    truncateSync(file, statSync(file).size - 1000);
    expect((await ledgerErrorOfAsync(() => openLedger(file))).code).toBe('db.corrupt');
  });

  test('a page in the middle overwritten with garbage', async () => {
    const file = tempLedgerFile();
    await filledLedger(file, 2000);
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(4096), 0, 4096, 4096 * 20);
    closeSync(fd);
    expect((await ledgerErrorOfAsync(() => openLedger(file))).code).toBe('db.corrupt');
  });

  test('an empty (0-byte) file is not silently taken for a new ledger', async () => {
    const file = tempLedgerFile();
    writeFileSync(file, '');
    const err = await ledgerErrorOfAsync(() => openLedger(file));
    expect(err).toMatchObject({ code: 'db.corrupt', params: { check: 'empty' } });
  });

  test('verify-log says the same, and reports a missing file and a non-ledger database clearly', async () => {
    const dir = tempDir();
    const junk = path.join(dir, 'junk.db');
    writeFileSync(junk, randomBytes(8192));
    expect(ledgerErrorOf(() => verifyLogFile(junk)).code).toBe('db.corrupt');
    expect(ledgerErrorOf(() => verifyLogFile(path.join(dir, 'nope.db'))).code).toBe('db.not_found');
    const other = path.join(dir, 'other.db');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(ledgerErrorOf(() => verifyLogFile(other)).code).toBe('db.not_a_ledger');
  });
});

describe('disk full', () => {
  /** Makes the ledger's own connection unable to grow the file: SQLite then fails with SQLITE_FULL. */
  function capSize(ledger: Ledger): number {
    const db = connectionForTests(ledger);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.pragma(`max_page_count = ${pages}`);
    return pages;
  }

  test('SQLITE_FULL during a write → db.disk_full; that change is rolled back, nothing recorded is lost', async () => {
    const file = tempLedgerFile();
    const ledger = await openLedger(file, { clock: testClock() });
    const kept = Array.from({ length: 20 }, (_, i) => ledger.recordCharge(newCharge({ amountMinor: i + 1 }), 'terminal:1').charge);
    ledger.confirmCharge(kept[0]!.id, 'cashier');
    const head = ledger.auditHead();
    const history = ledger.history({});
    const pages = capSize(ledger);

    let err;
    for (let i = 0; i < 1000 && !err; i++) {
      try {
        ledger.recordCharge(newCharge({ merchantName: 'x'.repeat(200), brand: 'y'.repeat(60) }), 'terminal:1');
      } catch (e) {
        err = e;
      }
    }
    expect(err).toMatchObject({ code: 'db.disk_full' });
    // The failed charge left no trace: every stored charge has its audit row and the chain holds.
    const after = ledger.history({ limit: 1000 });
    expect(after.slice(-history.length)).toEqual(history);
    const recorded = ledger.auditRows(1, 10_000).filter((r) => r.action === 'charge.recorded').length;
    expect(recorded).toBe(after.length);
    expect(ledger.verifyAudit().ok).toBe(true);
    expect(ledger.auditHead()!.seq).toBeGreaterThanOrEqual(head!.seq);

    // Space again: the ledger carries on.
    connectionForTests(ledger).pragma(`max_page_count = ${pages * 100}`);
    expect(ledger.recordCharge(newCharge(), 'terminal:1').inserted).toBe(true);
    expect(ledger.verifyAudit().ok).toBe(true);
    ledger.close();

    // And after a restart everything is there.
    const again = await openLedger(file);
    expect(again.history({ limit: 1000 })).toHaveLength(after.length + 1);
    expect(again.verifyAudit().ok).toBe(true);
    again.close();
  });

  test('a full disk during a confirmation leaves the charge pending, with no confirmation row', async () => {
    const file = tempLedgerFile();
    const ledger = await openLedger(file, { clock: testClock() });
    const { charge } = ledger.recordCharge(newCharge(), 'terminal:1');
    // Fill until the very next write fails, keeping only the first charge as the one to confirm.
    capSize(ledger);
    // Big rows first, then smaller ones, so the last page is left too full for any real change.
    for (const pad of [900, 200, 40, 1]) {
      for (let i = 0; i < 1000; i++) {
        try {
          ledger.appendAudit('system', 'filler.event', 'filler', String(i), { pad: 'z'.repeat(pad) });
        } catch {
          break;
        }
      }
    }
    const err = ledgerErrorOf(() => ledger.confirmCharge(charge.id, 'cashier'));
    expect(err.code).toBe('db.disk_full');
    expect(ledger.getCharge(charge.id)?.status).toBe('pending');
    expect(connectionForTests(ledger).prepare('SELECT count(*) FROM confirmations').pluck().get()).toBe(0);
    expect(ledger.verifyAudit().ok).toBe(true);
    ledger.close();
  });
});

describe('copying a closed ledger', () => {
  test('a closed ledger is one self-contained file (no WAL left behind)', async () => {
    const file = tempLedgerFile();
    await filledLedger(file, 10);
    const copy = path.join(tempDir(), 'copy.db');
    copyFileSync(file, copy);
    expect(verifyLogFile(copy).ok).toBe(true);
  });
});
