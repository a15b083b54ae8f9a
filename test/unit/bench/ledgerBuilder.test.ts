/**
 * The bench's bulk ledger is a real ledger: the audit chain verifies, the counts add up, every past
 * day's batch is settled with matching totals and today's is open, and the app's own queries read it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLedger, localDateOf } from '../../../bench/ledgerBuilder.js';
import { openLedger } from '../../../electron/ledger/ledger.js';
import { openBatch } from '../../../electron/ledger/settlements.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-builder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildLedger', () => {
  it('builds days of settled batches, today open, with incidents and a pending tail', async () => {
    const now = new Date(2026, 10, 26, 15, 30, 0);
    const file = path.join(dir, 'small.db');
    const built = await buildLedger({ file, charges: 2_500, perDay: 1_000, incidentEvery: 10, pending: 40, now, seed: 7, chargesPerTransaction: 1_500 });
    expect(built).toMatchObject({ charges: 2_500, days: 3, settlements: 2, incidents: 250, flagged: 250, lastDate: '2026-11-26', firstDate: '2026-11-24' });
    expect(built.confirmed + built.pending + built.flagged).toBe(2_500);
    expect(built.pending).toBeGreaterThan(30); // the tail, less the flagged ones in it
    expect(built.bytes).toBeGreaterThan(2_500 * 200);

    const ledger = await openLedger(file, { clock: () => now });
    try {
      expect(ledger.verifyAudit()).toMatchObject({ ok: true });
      const today = ledger.today('2026-11-26');
      expect(today.charges.count).toBe(500);
      expect(ledger.today('2026-11-25').charges.count).toBe(1_000);
      expect(ledger.pendingQueue().length).toBe(built.pending);
      const batch = openBatch(ledger);
      expect(batch.batch).toBe('000003');
      expect(batch.totals.sales.count).toBe(500);
      // Times run up to now, in order, and never past it.
      const newest = ledger.history({ limit: 1 })[0]!;
      expect(Date.parse(newest.receivedAt)).toBeLessThan(now.getTime());
      expect(localDateOf(new Date(newest.receivedAt))).toBe('2026-11-26');
      const card = newest.panMasked.slice(-4);
      const byCard = ledger.history({ last4: card, limit: 200 });
      expect(byCard.length).toBeGreaterThan(0);
      expect(byCard.every((c) => c.panMasked.endsWith(card))).toBe(true);
    } finally {
      ledger.close();
    }
  });

  it('is deterministic for a seed', async () => {
    const now = new Date(2026, 10, 26, 12, 0, 0);
    const a = await buildLedger({ file: path.join(dir, 'a.db'), charges: 300, perDay: 200, now, seed: 1 });
    const b = await buildLedger({ file: path.join(dir, 'b.db'), charges: 300, perDay: 200, now, seed: 1 });
    const head = async (file: string) => {
      const l = await openLedger(file, { clock: () => now });
      try {
        return l.history({ limit: 300 }).map((c) => `${c.amountMinor}:${c.panMasked}:${c.status}`);
      } finally {
        l.close();
      }
    };
    expect(await head(a.file)).toEqual(await head(b.file));
  });
});
