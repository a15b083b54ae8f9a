/**
 * A damaged ledger file at start, and the start check itself.
 *
 * - The core sets the damaged file aside (`countersign.db.corrupt-<timestamp>`, byte for byte),
 *   restores the newest backup that verifies, records `ledger.restored`, moves the host SEQ on, and
 *   tells every screen (a notice, also to screens that connect later, and `status.ledger.recovery`).
 * - The start path checks a large ledger structurally only; the full check runs in a worker and its
 *   finding reaches the screens and the next start (which then restores).
 * - `countersign restore` does the same by hand.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../../electron/contract/api.js';
import type { AppStatus } from '../../../electron/contract/schemas.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { runRestore } from '../../../electron/host/commands/restore.js';
import { SEQ_SKIP_AFTER_RESTORE, backupDirFor, listBackups, writeDailyBackup } from '../../../electron/ledger/backups.js';
import { chooseStartupCheck, ledgerMarkers } from '../../../electron/ledger/integrity.js';
import { openLedger } from '../../../electron/ledger/ledger.js';
import { newCharge } from '../ledger/helpers.js';
import { onCleanup, tempDir, waitFor } from './helpers.js';

const ctx = { transport: 'inproc' as const, sessionId: 's' };

async function boot(dataDir: string, extra: Partial<Parameters<typeof startCore>[0]> = {}): Promise<RunningCore> {
  const core = await startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, backups: { enabled: false }, ...extra });
  onCleanup(() => core.close());
  return core;
}

/** A ledger with `before` charges, a daily backup, then `after` more charges and two host requests; closed. */
async function shopWithBackup(before: number, after: number): Promise<{ dataDir: string; file: string; backup: string }> {
  const dataDir = tempDir();
  const file = path.join(dataDir, 'countersign.db');
  const ledger = await openLedger(file, { durability: 'demo' });
  for (let i = 0; i < before; i++) ledger.recordCharge(newCharge({ amountMinor: 1000 + i, merchantName: `shop ${i} `.repeat(8) }), 'terminal:1');
  ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager:test');
  const backup = await writeDailyBackup(ledger, backupDirFor(file), new Date('2026-07-01T06:00:00.000Z'));
  for (let i = 0; i < after; i++) ledger.recordCharge(newCharge({ amountMinor: 5000 + i, merchantName: `later ${i} `.repeat(8) }), 'terminal:1');
  ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager:test');
  ledger.close();
  return { dataDir, file, backup };
}

function damagePage(file: string, page: number) {
  const fd = openSync(file, 'r+');
  writeSync(fd, randomBytes(4096), 0, 4096, 4096 * page);
  closeSync(fd);
}

const damages: [string, (file: string) => void][] = [
  ['random bytes', (file) => writeFileSync(file, randomBytes(64 * 1024))],
  ['truncated to half', (file) => truncateSync(file, Math.floor(statSync(file).size / 2 / 4096) * 4096)],
  ['a page in the middle overwritten', (file) => damagePage(file, 12)],
  ['empty (0 bytes)', (file) => writeFileSync(file, '')],
];

describe('a damaged ledger at start', () => {
  it.each(damages)('%s: set aside, the newest good backup restored, the user told what may be missing', async (_name, damage) => {
    const { dataDir, file, backup } = await shopWithBackup(300, 40);
    damage(file);
    const damaged = readFileSync(file);
    const core = await boot(dataDir);

    // The damaged file is kept, byte for byte, beside the ledger.
    const aside = readdirSync(dataDir).filter((f) => f.startsWith('countersign.db.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatch(/^countersign\.db\.corrupt-\d{8}T\d{9}Z$/);
    expect(readFileSync(path.join(dataDir, aside[0]!)).equals(damaged)).toBe(true);

    // The backup's contents are back, the chain holds, and the restore is on record.
    expect(core.ledger.history({ limit: 1000 })).toHaveLength(300);
    expect(core.ledger.verifyAudit().ok).toBe(true);
    const restored = core.ledger.auditRows(1, 10_000).filter((r) => r.action === 'ledger.restored');
    expect(restored).toHaveLength(1);
    expect(restored[0]!.data).toMatchObject({ backup: path.basename(backup), setAside: aside[0], backupTakenAt: '2026-07-01T06:00:00.000Z', seqFrom: 1, seqTo: 1 + SEQ_SKIP_AFTER_RESTORE });
    // SEQs used after the backup (the terminal still holds their answers) are never reused.
    const { seq } = core.ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager:test');
    expect(Number(seq)).toBeGreaterThan(1 + SEQ_SKIP_AFTER_RESTORE); // (the QT about the backup's open SE may come first)

    // The screens are told: in the status, and by a notice — also a screen that connects only now.
    const status = (await core.api.dispatch('status.get', {}, ctx)) as AppStatus;
    expect(status.ledger?.recovery).toEqual({
      at: expect.any(String),
      setAside: aside[0],
      backupFile: path.basename(backup),
      backupTakenAt: '2026-07-01T06:00:00.000Z',
    });
    const later: ApiEvent[] = [];
    core.api.subscribe((e) => later.push(e));
    expect(later).toEqual([
      {
        name: 'notice',
        payload: { level: 'error', code: 'ledger.restored', params: { setAside: aside[0], backup: path.basename(backup), backupTakenAt: '2026-07-01T06:00:00.000Z' } },
      },
    ]);
  });

  it('a backup that does not verify is skipped for an older good one', async () => {
    const { dataDir, file } = await shopWithBackup(100, 10);
    const ledger = await openLedger(file, { durability: 'demo' });
    await writeDailyBackup(ledger, backupDirFor(file), new Date('2026-07-02T06:00:00.000Z'));
    ledger.close();
    const newest = listBackups(backupDirFor(file))[0]!;
    expect(newest.takenAt.toISOString()).toBe('2026-07-02T06:00:00.000Z');
    writeFileSync(newest.file, randomBytes(8192)); // the newest backup is junk too
    writeFileSync(file, randomBytes(8192));
    const core = await boot(dataDir);
    expect(core.ledger.history({ limit: 1000 })).toHaveLength(100);
    const status = (await core.api.dispatch('status.get', {}, ctx)) as AppStatus;
    expect(status.ledger?.recovery?.backupTakenAt).toBe('2026-07-01T06:00:00.000Z');
    expect(core.ledger.auditRows(1, 10_000).find((r) => r.action === 'ledger.restored')?.data).toMatchObject({ backupsRejected: 1 });
  });

  it('no backup at all: set aside, a new empty ledger, and the user is told to call support', async () => {
    const dataDir = tempDir();
    writeFileSync(path.join(dataDir, 'countersign.db'), randomBytes(32 * 1024));
    const core = await boot(dataDir);
    expect(core.ledger.history({})).toEqual([]);
    expect(readdirSync(dataDir).some((f) => f.startsWith('countersign.db.corrupt-'))).toBe(true);
    const events: ApiEvent[] = [];
    core.api.subscribe((e) => events.push(e));
    expect(events.map((e) => e.name === 'notice' && e.payload.code)).toEqual(['ledger.restore_none']);
    expect(((await core.api.dispatch('status.get', {}, ctx)) as AppStatus).ledger?.recovery).toMatchObject({ backupFile: null, backupTakenAt: null });
    // Even a new ledger does not start at SEQ 1: the terminal may hold answers for low SEQs.
    expect(Number(core.ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager:test').seq)).toBeGreaterThan(SEQ_SKIP_AFTER_RESTORE);
  });

  it('a ledger from a newer Countersign is not "restored" away: the start fails and the file is untouched', async () => {
    const { dataDir, file } = await shopWithBackup(10, 0);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.pragma('user_version = 999');
    db.close();
    const before = readFileSync(file);
    await expect(boot(dataDir)).rejects.toMatchObject({ code: 'db.too_new' });
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dataDir).some((f) => f.includes('.corrupt-'))).toBe(false);
  });
});

describe('the start check', () => {
  it('full when small, after an unclean shutdown, or when flagged; structural for a large ledger closed cleanly', async () => {
    const { file } = await shopWithBackup(200, 0);
    expect(chooseStartupCheck(file)).toMatchObject({ check: 'full', reason: 'small', uncleanShutdown: false });
    expect(chooseStartupCheck(file, { fullCheckMaxBytes: 1024 })).toMatchObject({ check: 'structural', reason: 'large' });
    writeFileSync(ledgerMarkers(file).inUse, '{}');
    expect(chooseStartupCheck(file, { fullCheckMaxBytes: 1024 })).toMatchObject({ check: 'full', reason: 'unclean', uncleanShutdown: true });
    writeFileSync(ledgerMarkers(file).needsCheck, '{}');
    expect(chooseStartupCheck(file, { fullCheckMaxBytes: 1024 })).toMatchObject({ check: 'full', reason: 'flagged' });
  });

  it('the in-use marker: present while open, gone after a clean close, left by a crash (the next open checks in full)', async () => {
    const { file } = await shopWithBackup(20, 0);
    const ledger = await openLedger(file, { fullCheckMaxBytes: 0 });
    expect(ledger.diagnostics()).toMatchObject({ startupCheck: 'structural', uncleanShutdown: false });
    expect(existsSync(ledgerMarkers(file).inUse)).toBe(true);
    ledger.close();
    expect(existsSync(ledgerMarkers(file).inUse)).toBe(false);
    writeFileSync(ledgerMarkers(file).inUse, JSON.stringify({ pid: 1, at: 'x' })); // as a killed process leaves it
    const again = await openLedger(file, { fullCheckMaxBytes: 0 });
    expect(again.diagnostics()).toMatchObject({ startupCheck: 'full', uncleanShutdown: true });
    again.close();
  });

  it('the structural check still refuses a file with a bad header or cut short', async () => {
    for (const damage of [damages[0]![1], damages[1]![1]]) {
      const { file } = await shopWithBackup(300, 0);
      damage(file);
      await expect(openLedger(file, { startupCheck: 'structural' })).rejects.toMatchObject({ code: 'db.corrupt' });
    }
  });

  it('damage the structural check cannot see is found by the background check: told, flagged, restored at the next start', async () => {
    const { dataDir, file } = await shopWithBackup(400, 10);
    // Damage deep in the charges table (not the schema, not the small tables).
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    const pages = db.pragma('page_count', { simple: true }) as number;
    db.close();
    damagePage(file, Math.floor(pages * 0.6));

    const events: ApiEvent[] = [];
    let core = await startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, backups: { enabled: false }, startupCheck: 'structural' });
    core.api.subscribe((e) => events.push(e));
    expect(core.ledger.diagnostics().startupCheck).toBe('structural');
    await core.health.whenChecked();
    expect(core.health.snapshot().check).toBe('damaged');
    await waitFor(() => events.some((e) => e.name === 'notice' && e.payload.code === 'ledger.damaged'), 'the damaged notice');
    expect(existsSync(ledgerMarkers(file).needsCheck)).toBe(true);
    await core.close();

    // The next start checks in full, sets the file aside and restores the backup.
    core = await boot(dataDir);
    expect(core.ledger.diagnostics().startupCheck).toBe('full');
    expect(readdirSync(dataDir).filter((f) => f.startsWith('countersign.db.corrupt-'))).toHaveLength(1);
    expect(core.ledger.history({ limit: 1000 })).toHaveLength(400);
    expect(existsSync(ledgerMarkers(file).needsCheck)).toBe(false);
  });

  it('a sound large ledger: structural at start, then the background check says ok', async () => {
    const { dataDir } = await shopWithBackup(200, 0);
    const core = await boot(dataDir, { startupCheck: 'structural' });
    expect(core.health.snapshot().check).toBe('running');
    await core.health.whenChecked();
    expect(core.health.snapshot().check).toBe('ok');
  });
});

describe('countersign restore', () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    return {
      out,
      err,
      restore() {
        o.mockRestore();
        e.mockRestore();
      },
    };
  }

  it('puts the newest good backup in place, keeps the current file, records the restore', async () => {
    const { dataDir, file } = await shopWithBackup(30, 20);
    const io = capture();
    let code: number;
    try {
      code = await runRestore(['--data', dataDir]);
    } finally {
      io.restore();
    }
    expect(code).toBe(0);
    expect(io.out.join('')).toMatch(/restored .*daily-20260701T060000000Z\.db/);
    const kept = readdirSync(dataDir).filter((f) => f.startsWith('countersign.db.before-restore-'));
    expect(kept).toHaveLength(1);
    const ledger = await openLedger(file);
    try {
      expect(ledger.history({ limit: 1000 })).toHaveLength(30);
      expect(ledger.verifyAudit().ok).toBe(true);
      expect(ledger.auditRows(1, 10_000).at(-1)).toMatchObject({ action: 'ledger.restored', data: { reason: 'restored from the command line' } });
    } finally {
      ledger.close();
    }
    const previous = await openLedger(path.join(dataDir, kept[0]!), { startupCheck: 'full' });
    expect(previous.history({ limit: 1000 })).toHaveLength(50);
    previous.close();
  });

  it('refuses while Countersign has the ledger open, and a --backup that does not verify', async () => {
    const { dataDir, file } = await shopWithBackup(5, 0);
    writeFileSync(ledgerMarkers(file).inUse, JSON.stringify({ pid: process.ppid, at: new Date().toISOString() }));
    const io = capture();
    let busy: number;
    let junk: number;
    const junkFile = path.join(dataDir, 'junk.db');
    writeFileSync(junkFile, randomBytes(4096));
    try {
      busy = await runRestore(['--data', dataDir]);
      writeFileSync(ledgerMarkers(file).inUse, JSON.stringify({ pid: 2 ** 22 + 12345, at: 'gone' })); // a dead process
      junk = await runRestore(['--data', dataDir, '--backup', junkFile]);
    } finally {
      io.restore();
    }
    expect(busy).toBe(1);
    expect(io.err.join('')).toMatch(/has the ledger open: stop it first/);
    expect(junk).toBe(1);
    expect(io.err.join('')).toMatch(/cannot be restored/);
    expect(readdirSync(dataDir).some((f) => f.includes('before-restore'))).toBe(false);
  });
});
