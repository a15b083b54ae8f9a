/**
 * A full disk under the running core: the user is told (a `notice` for charges arriving from the
 * terminal, `db.disk_full` from any command, `status.ledger.diskFull`), nothing is corrupted (the
 * failed change is rolled back whole, integrity_check and the audit chain hold), nothing the terminal
 * approved is lost (it is not ACKed, so the terminal sends it again), and everything resumes when
 * space returns.
 *
 * Portable: SQLite's own `PRAGMA max_page_count` makes the file full. Where this runs as root and
 * `mount` works, the same again on a real, tiny tmpfs (skipped elsewhere).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../electron/contract/api.js';
import { connectionForTests, type Ledger } from '../../../electron/ledger/ledger.js';
import { coreOverSocket, onCleanup, sleep, tempDir, waitFor, type CoreHarness } from './helpers.js';

const notices = (h: CoreHarness) =>
  h.events.filter((e): e is Extract<ApiEvent, { name: 'notice' }> => e.name === 'notice').map((e) => e.payload.code);

/** Fills the ledger up to `max_page_count` = its current size, so the next real change fails. */
function fillLedger(ledger: Ledger): () => void {
  const db = connectionForTests(ledger);
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  for (const pad of [1500, 400, 100, 20, 1]) {
    for (let i = 0; i < 2000; i++) {
      try {
        ledger.appendAudit('system', 'filler.event', 'filler', String(i), { pad: 'z'.repeat(pad) });
      } catch {
        break;
      }
    }
  }
  return () => db.pragma(`max_page_count = ${pages * 1000}`);
}

function assertIntact(ledger: Ledger) {
  expect(ledger.query((db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
  expect(ledger.verifyAudit().ok).toBe(true);
}

async function chargeIntoTheQueue(h: CoreHarness, amountMinor: number) {
  const c = h.daemon.sim.createCharge({ amountMinor });
  await c.delivered;
  return (await h.api.invoke('charges.queue', {})).find((x) => x.trace === c.trace)!;
}

async function runDiskFull(h: CoreHarness, makeFull: () => () => void) {
  const before = await chargeIntoTheQueue(h, 1_000);
  const free = makeFull();

  // A charge from the terminal: not stored, not ACKed; the screens are told.
  const stuck = h.daemon.sim.createCharge({ amountMinor: 2_000 });
  await waitFor(() => notices(h).includes('db.disk_full'), 'the disk_full notice');
  expect(h.events.find((e) => e.name === 'notice' && e.payload.code === 'db.disk_full')).toMatchObject({ payload: { level: 'error' } });
  expect((await h.api.invoke('status.get', {})).ledger).toMatchObject({ diskFull: true });
  await sleep(300); // the terminal retries meanwhile
  expect(h.core.ledger.history({}).map((c) => c.trace)).not.toContain(stuck.trace);

  // A command that writes: a clear error, the change rolled back whole.
  await expect(h.api.invoke('charges.confirm', { chargeId: before.id })).rejects.toMatchObject({ code: 'db.disk_full' });
  expect(h.core.ledger.getCharge(before.id)?.status).toBe('pending');
  expect(h.core.ledger.query((db) => db.prepare('SELECT count(*) FROM confirmations').pluck().get())).toBe(0);
  assertIntact(h.core.ledger);

  // Space again: the terminal's retry lands, once; work goes on.
  free();
  await stuck.delivered;
  await waitFor(() => notices(h).includes('db.disk_ok'), 'the disk_ok notice');
  expect((await h.api.invoke('status.get', {})).ledger).toMatchObject({ diskFull: false });
  expect(h.core.ledger.history({}).filter((c) => c.trace === stuck.trace)).toHaveLength(1);
  await h.api.invoke('charges.confirm', { chargeId: before.id });
  expect(h.core.ledger.getCharge(before.id)?.status).toBe('confirmed');
  const state = h.daemon.state();
  expect(h.core.ledger.history({ limit: 1000 })).toHaveLength(state.charges.length);
  assertIntact(h.core.ledger);
}

describe('disk full', () => {
  it('max_page_count: told to the screens, nothing corrupted, nothing lost, recovered when space returns', async () => {
    const h = await coreOverSocket();
    await runDiskFull(h, () => fillLedger(h.core.ledger));
    expect(h.events.filter((e) => e.name === 'notice' && e.payload.code === 'db.disk_full').length).toBeLessThanOrEqual(2); // not a flood
  });

  it('a real, tiny tmpfs (root only; skipped where mount is not allowed)', async (ctx) => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return ctx.skip();
    const mountPoint = tempDir('cs-tmpfs-');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (mounted.status !== 0) return ctx.skip();
    onCleanup(() => {
      spawnSync('umount', ['-l', mountPoint]);
    });
    const dataDir = path.join(mountPoint, 'data');
    mkdirSync(dataDir);
    const h = await coreOverSocket({ dataDir });
    const filler = path.join(mountPoint, 'filler.bin');
    await runDiskFull(h, () => {
      const fd = openSync(filler, 'w');
      const block = Buffer.alloc(16 * 1024, 0xab);
      try {
        for (;;) writeSync(fd, block);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
      // The last partial block too, so not a byte is left.
      try {
        for (;;) writeSync(fd, block, 0, 512);
      } catch {
        /* full */
      }
      closeSync(fd);
      return () => rmSync(filler, { force: true });
    });
  });
});
