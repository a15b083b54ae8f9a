/**
 * A crash in the middle of a settlement: the terminal settled, the host died before its answer was
 * recorded. The next start turns the request 'unknown', asks with QT as soon as the terminal is
 * connected, and records the settlement then — without waiting for a screen to ask for the status.
 */
import { cpSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../../electron/contract/api.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { startCore } from '../../../electron/core/startCore.js';
import { lastSettlementReport } from '../../../electron/ledger/settlements.js';
import { coreOverSocket, onCleanup, tempDir, waitFor } from './helpers.js';

describe('settlement interrupted by a crash', () => {
  it('is recorded at the next start, once, from the QT answer', async () => {
    const h = await coreOverSocket({ daemon: { statusIntervalMs: 100 } });
    const c = h.daemon.sim.createCharge({ amountMinor: 4_200 });
    await c.delivered;
    const charge = (await h.api.invoke('charges.queue', {})).find((x) => x.trace === c.trace)!;
    await h.api.invoke('charges.confirm', { chargeId: charge.id });

    // The terminal executes the SE but its answer never reaches the host.
    h.daemon.inject({ kind: 'silence', on: true, direction: 'to-host' });
    const settling = h.api.invoke('batch.settle', {}).catch((e: unknown) => e);
    await waitFor(() => h.daemon.sim.executed.some((e) => e.type === 'SE'), 'the terminal to settle');
    const seState = () =>
      h.core.ledger.query((db) => db.prepare("SELECT state FROM host_requests WHERE type = 'SE'").pluck().all() as string[]);
    expect(seState()).toEqual(['pending']);

    // The power goes: what is on disk now (WAL mode, between transactions) is what the next start finds.
    const crashed = tempDir('cs-crashed-');
    cpSync(h.dataDir, crashed, { recursive: true });
    await h.core.close();
    await settling;
    h.daemon.inject({ kind: 'silence', on: false });

    const events: ApiEvent[] = [];
    const next = await startCore({
      dataDir: crashed,
      log: silentLogger,
      backend: `socket:${h.daemon.address}`,
      sessionTuning: { responseTimeoutMs: 500, ackTimeoutMs: 120, pollIntervalMs: 30 },
      backups: { enabled: false },
    });
    onCleanup(() => next.close());
    next.api.subscribe((e) => events.push(e));
    // Opening the ledger turned the cut-off request 'unknown' (it may be answered by QT already).
    expect(next.ledger.query((db) => db.prepare("SELECT state FROM host_requests WHERE type = 'SE'").pluck().all())).not.toContain('pending');

    // Nobody calls batch.status: start-up alone records it.
    await waitFor(() => lastSettlementReport(next.ledger) !== null, 'the settlement recorded at start', 5000);
    const report = lastSettlementReport(next.ledger)!;
    expect(report).toMatchObject({ batch: '000001', matched: true });
    expect(events.filter((e) => e.name === 'batch.settled')).toHaveLength(1);
    expect(h.daemon.sim.executed.filter((e) => e.type === 'SE')).toHaveLength(1);
    expect(next.ledger.query((db) => db.prepare('SELECT count(*) FROM settlements').pluck().get())).toBe(1);
    expect(report).toMatchObject({ netLedgerMinor: 4_200, netTerminalMinor: 4_200 });
    expect(next.ledger.verifyAudit().ok).toBe(true);
  });
});
