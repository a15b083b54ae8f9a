/**
 * The start check at shop scale (on request: slow to build):
 *
 *   COUNTERSIGN_LEDGER_PERF=1 npx vitest run test/unit/durability/startPerf.test.ts
 *   COUNTERSIGN_LEDGER_PERF_N=200000 … for a smaller ledger
 *
 * Opening a 1,000,000-charge ledger: the full `PRAGMA quick_check` against the structural check of
 * the start path; the full check in the worker and a daily backup, with how long they hold the event
 * loop (the till must keep ACKing the terminal meanwhile).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { backupDirFor, writeDailyBackup } from '../../../electron/ledger/backups.js';
import { quickCheckInBackground } from '../../../electron/ledger/integrity.js';
import { openLedger } from '../../../electron/ledger/ledger.js';
import { newCharge, testClock } from '../ledger/helpers.js';
import { tempDir } from './helpers.js';

const N = Number(process.env.COUNTERSIGN_LEDGER_PERF_N ?? 1_000_000);

/** Runs `work` while measuring the longest gap between 10 ms ticks of the event loop. */
async function withLoopLag<T>(work: () => Promise<T>): Promise<{ value: T; maxLagMs: number; ms: number }> {
  let last = Date.now();
  let maxLagMs = 0;
  const tick = setInterval(() => {
    const now = Date.now();
    maxLagMs = Math.max(maxLagMs, now - last - 10);
    last = now;
  }, 10);
  const t0 = Date.now();
  try {
    const value = await work();
    return { value, maxLagMs, ms: Date.now() - t0 };
  } finally {
    clearInterval(tick);
  }
}

describe.runIf(process.env.COUNTERSIGN_LEDGER_PERF === '1')(`start check at ${N.toLocaleString('en-US')} charges`, () => {
  test('structural at start, the full check in a worker, the backup beside the till', async () => {
    const file = path.join(tempDir(), 'countersign.db');
    const clock = testClock('2026-03-10T00:00:00.000Z', 10);
    let ledger = await openLedger(file, { clock, durability: 'demo' });
    for (let i = 0; i < N; i++) {
      ledger.recordCharge(
        newCharge({ trace: String(i % 1_000_000).padStart(6, '0'), batch: String(Math.floor(i / 1_000_000)).padStart(6, '0'), amountMinor: 100 + (i % 50_000) }),
        'terminal:10293847',
      );
    }
    ledger.close();
    const mb = statSync(file).size / 1024 / 1024;

    let t0 = Date.now();
    ledger = await openLedger(file, { clock, startupCheck: 'full' });
    const fullOpenMs = Date.now() - t0;
    ledger.close();

    t0 = Date.now();
    ledger = await openLedger(file, { clock });
    const autoOpenMs = Date.now() - t0;
    expect(ledger.diagnostics().startupCheck).toBe('structural');

    const check = await withLoopLag(() => quickCheckInBackground(file));
    expect(check.value.state).toBe('ok');
    const backup = await withLoopLag(() => writeDailyBackup(ledger, backupDirFor(file), new Date()));
    ledger.close();

    console.log(
      JSON.stringify({
        charges: N,
        fileMiB: Math.round(mb),
        openWithQuickCheckMs: fullOpenMs,
        openStructuralMs: autoOpenMs,
        backgroundQuickCheck: { ms: check.ms, maxEventLoopLagMs: check.maxLagMs },
        dailyBackupVerified: { ms: backup.ms, maxEventLoopLagMs: backup.maxLagMs },
      }),
    );
    expect(autoOpenMs).toBeLessThan(fullOpenMs);
  }, 1_200_000);
});
