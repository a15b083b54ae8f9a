import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { silentLogger } from '../../../electron/core/logger.js';
import type { SimFault, SimulatedTerminal } from '../../../native/sim/terminal.js';

/**
 * Each fault of the simulated terminal, end to end through the real link stack, session, core and
 * SQLite ledger: afterwards every charge the terminal approved is in the ledger exactly once, the
 * ledger's totals equal the terminal's batch totals, and the audit chain verifies.
 */
let core: RunningCore | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function boot(): Promise<{ core: RunningCore; sim: SimulatedTerminal }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-faults-'));
  core = await startCore({
    dataDir,
    log: silentLogger,
    backend: 'simulator',
    simStatusIntervalMs: 0,
    sessionTuning: { responseTimeoutMs: 400, ackTimeoutMs: 150, pollIntervalMs: 50 },
  });
  return { core, sim: core.terminal.simulator! };
}

function assertConsistent(running: RunningCore, sim: SimulatedTerminal) {
  const stored = running.ledger.history({ limit: 1000 });
  const approved = sim.charges;
  expect(stored).toHaveLength(approved.length);
  const byKey = new Map(stored.map((c) => [`${c.terminalId}/${c.batch}/${c.trace}`, c]));
  for (const charge of approved) {
    const row = byKey.get(`${charge.fields.TI}/${charge.batch}/${charge.trace}`);
    expect(row, `charge ${charge.trace}`).toBeDefined();
    expect(row!.amountMinor).toBe(charge.amountMinor);
  }
  const ledgerSales = stored.reduce((sum, c) => sum + c.amountMinor, 0);
  const totals = sim.totals();
  expect(stored.length).toBe(totals.saleCount);
  expect(ledgerSales).toBe(totals.saleMinor);
  expect(running.ledger.verifyAudit()).toMatchObject({ ok: true });
}

const chargeFaults: [string, SimFault[]][] = [
  ['a corrupted byte (NAK, resend)', [{ kind: 'corrupt-next-frame' }]],
  ['a lost ACK (the terminal retransmits, the host dedupes)', [{ kind: 'drop-next-ack', direction: 'from-host' }]],
  ['reports split into 1..3-byte pieces', [{ kind: 'split-reports', maxChunk: 3 }]],
  ['frames merged into shared reports', [{ kind: 'merge-reports', on: true }]],
  ['noise between frames', [{ kind: 'noise', count: 7 }]],
  ['everything at once', [{ kind: 'split-reports', maxChunk: 5 }, { kind: 'noise', count: 3 }, { kind: 'corrupt-next-frame' }, { kind: 'drop-next-ack' }]],
];

describe('the ledger stays consistent under each terminal fault', () => {
  it.each(chargeFaults)('%s', async (_name, faults) => {
    const { core: running, sim } = await boot();
    for (const fault of faults) sim.inject(fault);
    const charges = Array.from({ length: 12 }, (_, i) => sim.createCharge({ amountMinor: 1000 + i }));
    await Promise.all(charges.map((c) => c.delivered));
    assertConsistent(running, sim);
  });

  it('an unplug mid-stream and a replug: charges taken meanwhile arrive once', async () => {
    const { core: running, sim } = await boot();
    const before = sim.createCharge({ amountMinor: 500 });
    await before.delivered;
    sim.unplug();
    const during = [sim.createCharge({ amountMinor: 600 }), sim.createCharge({ amountMinor: 700 })];
    await new Promise((r) => setTimeout(r, 100));
    sim.replug();
    await Promise.all(during.map((c) => c.delivered));
    assertConsistent(running, sim);
  });

  it('a flood of 300 charges arrives exactly once, in order', async () => {
    const { core: running, sim } = await boot();
    const flood = sim.flood(300, {});
    await Promise.all(flood.map((c) => c.delivered));
    assertConsistent(running, sim);
    const traces = running.ledger.history({ limit: 1000 }).map((c) => c.trace).reverse();
    expect(traces).toEqual(flood.map((c) => c.trace));
  });

  it('a void answered after the host gave up (delayed past the timeout) is recorded once, by QT or by the late answer', async () => {
    const { core: running, sim } = await boot();
    const charge = sim.createCharge({ amountMinor: 128000 });
    await charge.delivered;
    sim.inject({ kind: 'delay-next-response', ms: 700 });
    const result = await running.requests.execute('VD', { TR: charge.trace, AM: '000000128000' }, 'manager:test');
    expect(result.state).toBe('unknown');
    sim.unplug();
    await new Promise((r) => setTimeout(r, 50));
    sim.replug();
    for (let i = 0; i < 200 && running.ledger.getHostRequest(result.seq)?.state !== 'answered'; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(running.ledger.getHostRequest(result.seq)).toMatchObject({ state: 'answered', rc: '00' });
    expect(sim.executed.filter((e) => e.type === 'VD')).toHaveLength(1);
    expect(sim.totals()).toMatchObject({ voidCount: 1, voidMinor: 128000 });
    expect(running.ledger.verifyAudit()).toMatchObject({ ok: true });
  });
});
