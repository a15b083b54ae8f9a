/**
 * Backups: SQLite's online backup API, verified before a copy gets its name, daily while running,
 * kept for 14 days; a copy that does not verify is not kept.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger.js';
import { startCore } from '../../../electron/core/startCore.js';
import {
  KEEP_DAILY,
  backupDirFor,
  cleanTemporaryBackups,
  listBackups,
  pruneBackups,
  verifyBackup,
  verifyBackupSync,
  writeDailyBackup,
} from '../../../electron/ledger/backups.js';
import { connectionForTests, openLedger } from '../../../electron/ledger/ledger.js';
import { newCharge, testClock } from '../ledger/helpers.js';
import { onCleanup, tempDir, waitFor } from './helpers.js';

async function ledgerWith(n: number, clock = testClock('2026-05-01T09:00:00.000Z')) {
  const dir = tempDir();
  const file = path.join(dir, 'countersign.db');
  const ledger = await openLedger(file, { clock, durability: 'demo' });
  onCleanup(() => ledger.close());
  for (let i = 0; i < n; i++) ledger.recordCharge(newCharge({ amountMinor: 100 + i }), 'terminal:1');
  return { dir, file, ledger, clock };
}

describe('writing a backup', () => {
  it('a daily backup is a complete, verified, self-contained copy under its dated name', async () => {
    const { file, ledger } = await ledgerWith(50);
    const backup = await writeDailyBackup(ledger, backupDirFor(file), new Date('2026-05-02T03:04:05.678Z'));
    expect(path.basename(backup)).toBe('daily-20260502T030405678Z.db');
    expect(readdirSync(backupDirFor(file))).toEqual(['daily-20260502T030405678Z.db']); // no temporary left
    const copy = new Database(backup, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.prepare('SELECT count(*) FROM charges').pluck().get()).toBe(50);
    copy.close();
    expect(verifyBackupSync(backup)).toEqual({ ok: true, auditRows: ledger.auditHead()!.seq });
    expect(await verifyBackup(backup)).toEqual({ ok: true, auditRows: ledger.auditHead()!.seq });
    expect(listBackups(backupDirFor(file))).toEqual([
      expect.objectContaining({ kind: 'daily', takenAt: new Date('2026-05-02T03:04:05.678Z'), file: backup }),
    ]);
  });

  it('a copy that does not verify (the audit chain was tampered with) is not kept', async () => {
    const { file, ledger } = await ledgerWith(5);
    connectionForTests(ledger).prepare("UPDATE audit_log SET actor = 'someone else' WHERE seq = 3").run();
    await expect(writeDailyBackup(ledger, backupDirFor(file), new Date())).rejects.toMatchObject({ code: 'backup.unverified' });
    expect(readdirSync(backupDirFor(file))).toEqual([]);
  });

  it('verification catches a damaged copy, in the background (worker) and synchronously', async () => {
    const { file, ledger } = await ledgerWith(1500);
    const backup = await writeDailyBackup(ledger, backupDirFor(file), new Date());
    const db = new Database(backup);
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    const bytes = Buffer.alloc(4096, 0x5a);
    const { openSync, writeSync, closeSync } = await import('node:fs');
    const fd = openSync(backup, 'r+');
    writeSync(fd, bytes, 0, bytes.length, 4096 * Math.floor(pages / 2));
    closeSync(fd);
    expect(verifyBackupSync(backup).ok).toBe(false);
    expect(await verifyBackup(backup)).toMatchObject({ ok: false, reason: expect.stringMatching(/quick_check|malformed|damaged/) });
  });

  it('keeps the newest 14 daily and 5 pre-migration backups; temporaries of a crash are removed', () => {
    const dir = tempDir();
    const day = (d: number) => new Date(Date.UTC(2026, 0, d, 3)).toISOString().replace(/[-:.]/g, '');
    for (let d = 1; d <= 20; d++) writeFileSync(path.join(dir, `daily-${day(d)}.db`), 'x');
    for (let d = 1; d <= 7; d++) writeFileSync(path.join(dir, `pre-migration-v${d}-${day(d)}.db`), 'x');
    writeFileSync(path.join(dir, '.daily-20260301T000000000Z.db.tmp'), 'half');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a backup');
    expect(cleanTemporaryBackups(dir)).toBe(1);
    const deleted = pruneBackups(dir);
    expect(deleted).toHaveLength(20 - KEEP_DAILY + 2);
    const left = listBackups(dir);
    expect(left.filter((b) => b.kind === 'daily').map((b) => b.takenAt.getUTCDate())).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7]);
    expect(left.filter((b) => b.kind === 'pre-migration')).toHaveLength(5);
    expect(existsSync(path.join(dir, 'notes.txt'))).toBe(true);
  });
});

describe('daily backups while running', () => {
  it('on start when the newest is older than a day, then once a day; none twice the same day', async () => {
    const dataDir = tempDir();
    let now = Date.parse('2026-06-01T08:00:00.000Z');
    const clock = () => new Date(now);
    const start = () =>
      startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, clock, backups: { firstDelayMs: 0, checkIntervalMs: 50 } });
    const dir = path.join(dataDir, 'backups');
    const daily = () => listBackups(dir).filter((b) => b.kind === 'daily');

    let core = await start();
    await waitFor(() => daily().length === 1, 'the first backup');
    expect((await core.api.dispatch('status.get', {}, { transport: 'inproc', sessionId: 's' })) as object).toMatchObject({
      ledger: { lastBackupAt: '2026-06-01T08:00:00.000Z', check: 'full', diskFull: false, recovery: null },
    });
    now += 3 * 3600_000; // later the same day: the checks find a fresh backup
    await new Promise((r) => setTimeout(r, 200));
    expect(daily()).toHaveLength(1);
    await core.close();

    now += 22 * 3600_000; // a day after the first: a restart takes the next one
    core = await start();
    onCleanup(() => core.close());
    await waitFor(() => daily().length === 2, 'the next day’s backup');
    expect(daily().map((b) => b.takenAt.toISOString())).toEqual(['2026-06-02T09:00:00.000Z', '2026-06-01T08:00:00.000Z']);
    for (const b of daily()) expect(verifyBackupSync(b.file).ok).toBe(true);

    now += 25 * 3600_000; // and while running, once the day has passed
    await waitFor(() => daily().length === 3, 'the backup of a long-running till');
  });
});
