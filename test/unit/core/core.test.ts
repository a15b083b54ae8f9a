import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import type { ApiEvent, CountersignApi } from '../../../electron/contract/api.js';
import { verifyLogFile } from '../../../electron/ledger/verifyLog.js';

let running: RunningCore | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

async function boot(dataDir: string): Promise<{ core: RunningCore; api: CountersignApi; events: ApiEvent[] }> {
  const core = await startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0 });
  running = core;
  const api = createInProcessApi(core.api);
  const events: ApiEvent[] = [];
  api.subscribe((e) => events.push(e));
  return { core, api, events };
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the core over the in-process transport', () => {
  it('a simulated charge is stored, pushed, confirmed, audited, and survives a restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-core-'));
    let { api, events } = await boot(dataDir);
    const status = await api.invoke('status.get', {});
    expect(status.simulator).toBe(true);
    expect(status.link.kind).toBe('connected');

    const { trace } = await api.invoke('sim.charge', { amountMinor: 128000 });
    const pushed = await until(() => events.find((e) => e.name === 'charge.changed'));
    expect(pushed.name === 'charge.changed' && pushed.payload.trace).toBe(trace);

    const [waiting] = await api.invoke('charges.queue', {});
    expect(waiting).toMatchObject({ trace, amountMinor: 128000, currency: '156', status: 'pending' });
    expect(waiting!.panMasked).toMatch(/^\d{6}\*+\d{4}$/);

    const confirmed = await api.invoke('charges.confirm', { chargeId: waiting!.id });
    expect(confirmed).toMatchObject({ status: 'confirmed', confirmedBy: 'cashier' });
    await expect(api.invoke('charges.confirm', { chargeId: waiting!.id })).rejects.toMatchObject({ code: 'charge.not_pending' });

    await running!.close();
    running = null;
    ({ api, events } = await boot(dataDir));
    expect(await api.invoke('charges.queue', {})).toEqual([]);
    const [stored] = await api.invoke('charges.history', {});
    expect(stored).toMatchObject({ trace, status: 'confirmed' });
    expect(await api.invoke('audit.verify', {})).toMatchObject({ ok: true });
    await running!.close();
    running = null;
    expect(verifyLogFile(path.join(dataDir, 'countersign.db')).ok).toBe(true);
  });

  it('a charge delivered twice (its ACK lost) is stored once', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-core-'));
    const { core, api } = await boot(dataDir);
    core.terminal.simulator!.inject({ kind: 'drop-next-ack', direction: 'from-host' });
    const charge = core.terminal.simulator!.createCharge({ amountMinor: 4200 });
    await charge.delivered;
    const history = await api.invoke('charges.history', {});
    expect(history.filter((c) => c.trace === charge.trace)).toHaveLength(1);
    expect(core.terminal.simulator!.stats.acksDroppedFromHost).toBe(1);
  });

  it('rejects bad input at the boundary with a specific error', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-core-'));
    const { api } = await boot(dataDir);
    await expect(api.invoke('charges.confirm', { chargeId: 999 })).rejects.toMatchObject({ code: 'charge.not_found' });
    await expect(api.invoke('sim.charge', { amountMinor: -5 })).rejects.toMatchObject({ code: 'validation.failed' });
    await expect(api.invoke('sim.script', { script: 'explode now' })).rejects.toMatchObject({ code: 'sim.bad_script' });
  });

  it('a void whose answer is lost is resolved by QT after reconnecting, executed exactly once', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-core-'));
    const { core } = await boot(dataDir);
    const sim = core.terminal.simulator!;
    const charge = sim.createCharge({ amountMinor: 128000 });
    await charge.delivered;
    sim.inject({ kind: 'lose-next-response' });
    const fast = core.requests;
    const pending = fast.execute('VD', { TR: charge.trace, AM: '000000128000' }, 'manager:test');
    // The response is lost: unplug and replug so the session reconnects and asks with QT.
    await new Promise((r) => setTimeout(r, 100));
    sim.unplug();
    const first = await pending;
    expect(first.state).toBe('unknown');
    sim.replug();
    const answered = await until(() => {
      const request = core.ledger.getHostRequest(first.seq);
      return request?.state === 'answered' ? request : undefined;
    }, 10_000);
    expect(answered.rc).toBe('00');
    expect(sim.executed.filter((e) => e.type === 'VD')).toHaveLength(1);
  });
});
