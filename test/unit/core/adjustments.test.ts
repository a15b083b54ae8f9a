import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import type { CountersignApi } from '../../../electron/contract/api.js';

let core: RunningCore | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function boot() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-adjust-'));
  core = await startCore({
    dataDir,
    log: silentLogger,
    backend: 'simulator',
    simStatusIntervalMs: 0,
    sessionTuning: { responseTimeoutMs: 300, ackTimeoutMs: 150, pollIntervalMs: 50 },
  });
  const api = createInProcessApi(core.api, 'manager-desk');
  return { core, api, sim: core.terminal.simulator! };
}

async function signInOwner(api: CountersignApi) {
  await api.invoke('auth.setupOwner', { ownerName: 'Wang', ownerPin: '482916', managerName: 'Li', managerPin: '739105' });
}

async function chargeOf(running: RunningCore, amountMinor: number) {
  const sim = running.terminal.simulator!;
  const charge = sim.createCharge({ amountMinor });
  await charge.delivered;
  return running.ledger.history({ limit: 1000 }).find((c) => c.trace === charge.trace)!;
}

describe('void and refund through the core', () => {
  it('needs a manager', async () => {
    const { core: running, api } = await boot();
    const charge = await chargeOf(running, 128000);
    await expect(api.invoke('adjust.preview', { chargeId: charge.id })).rejects.toMatchObject({ code: 'auth.required' });
  });

  it('voids a wrong amount in the open batch once, prints both copies, and refuses a second void', async () => {
    const { core: running, api, sim } = await boot();
    await signInOwner(api);
    const charge = await chargeOf(running, 128000);
    const preview = await api.invoke('adjust.preview', { chargeId: charge.id });
    expect(preview).toMatchObject({ mode: 'void', why: 'open_batch', maxMinor: 128000 });

    await expect(
      api.invoke('adjust.execute', { chargeId: charge.id, mode: 'void', amountMinor: 12800, reason: 'wrong_amount', note: 'meant 128.00' }),
    ).rejects.toMatchObject({ code: 'adjust.void_must_be_full' });
    await expect(
      api.invoke('adjust.execute', { chargeId: charge.id, mode: 'refund', amountMinor: 128000, reason: 'wrong_amount', note: 'x' }),
    ).rejects.toMatchObject({ code: 'adjust.must_void' });

    const outcome = await api.invoke('adjust.execute', {
      chargeId: charge.id,
      mode: 'void',
      amountMinor: 128000,
      reason: 'wrong_amount',
      note: 'keyed 1280.00 for 128.00',
    });
    expect(outcome.adjustment).toMatchObject({ state: 'approved', rc: '00', kind: 'void', requestedBy: 'owner:Wang' });
    expect(outcome.adjustment.trace).toMatch(/^\d{6}$/);
    expect(outcome.charge.status).toBe('voided');
    expect(outcome.meaning).toBe('approved');
    expect(outcome.receipts.map((r) => r.copy)).toEqual(['customer', 'merchant']);
    expect(sim.executed.filter((e) => e.type === 'VD')).toHaveLength(1);

    await expect(
      api.invoke('adjust.execute', { chargeId: charge.id, mode: 'void', amountMinor: 128000, reason: 'wrong_amount', note: 'again' }),
    ).rejects.toMatchObject({ code: 'adjust.already_voided' });
    expect(sim.executed.filter((e) => e.type === 'VD')).toHaveLength(1);
    expect(await api.invoke('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('refunds a settled charge in parts and refuses a third refund beyond what remains', async () => {
    const { core: running, api, sim } = await boot();
    await signInOwner(api);
    const charge = await chargeOf(running, 100000);
    await api.invoke('charges.confirm', { chargeId: charge.id });
    await api.invoke('batch.settle', {});
    const preview = await api.invoke('adjust.preview', { chargeId: charge.id });
    expect(preview).toMatchObject({ mode: 'refund', why: 'settled', remainingMinor: 100000 });

    const first = await api.invoke('adjust.execute', { chargeId: charge.id, mode: 'refund', amountMinor: 40000, reason: 'customer_request', note: 'returned one item' });
    expect(first.adjustment.state).toBe('approved');
    expect(first.charge.status).toBe('partially_refunded');
    await expect(
      api.invoke('adjust.execute', { chargeId: charge.id, mode: 'refund', amountMinor: 60001, reason: 'customer_request', note: 'too much' }),
    ).rejects.toMatchObject({ code: 'adjust.refund_beyond_remaining' });
    const rest = await api.invoke('adjust.execute', { chargeId: charge.id, mode: 'refund', amountMinor: 60000, reason: 'customer_request', note: 'returned the rest' });
    expect(rest.charge.status).toBe('refunded');
    await expect(
      api.invoke('adjust.execute', { chargeId: charge.id, mode: 'refund', amountMinor: 1, reason: 'customer_request', note: 'third' }),
    ).rejects.toMatchObject({ code: 'adjust.fully_refunded' });
    expect(sim.executed.filter((e) => e.type === 'RF')).toHaveLength(2);
  });

  it('a void whose answer is lost is resolved by QT after reconnecting, and executed exactly once', async () => {
    const { core: running, api, sim } = await boot();
    await signInOwner(api);
    const charge = await chargeOf(running, 5000);
    sim.inject({ kind: 'lose-next-response' });
    const outcome = await api.invoke('adjust.execute', { chargeId: charge.id, mode: 'void', amountMinor: 5000, reason: 'duplicate', note: 'second swipe' });
    expect(outcome.adjustment.state).toBe('unknown');
    expect(outcome.meaning).toBe('no_answer_yet');
    await expect(
      api.invoke('adjust.execute', { chargeId: charge.id, mode: 'void', amountMinor: 5000, reason: 'duplicate', note: 'again' }),
    ).rejects.toMatchObject({ code: 'adjust.void_in_flight' });
    sim.unplug();
    await new Promise((r) => setTimeout(r, 50));
    sim.replug();
    for (let i = 0; i < 200; i++) {
      if (running.ledger.getCharge(charge.id)?.status === 'voided') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(running.ledger.getCharge(charge.id)?.status).toBe('voided');
    const preview = await api.invoke('adjust.preview', { chargeId: charge.id });
    expect(preview.adjustments).toHaveLength(1);
    expect(preview.adjustments[0]).toMatchObject({ state: 'approved', rc: '00' });
    expect(sim.executed.filter((e) => e.type === 'VD')).toHaveLength(1);
  });

  it('finds charges by card last 4, trace or RRN', async () => {
    const { core: running, api } = await boot();
    await signInOwner(api);
    const charge = await chargeOf(running, 2500);
    const last4 = charge.panMasked.slice(-4);
    expect((await api.invoke('adjust.find', { query: last4 })).map((c) => c.id)).toContain(charge.id);
    expect((await api.invoke('adjust.find', { query: charge.trace })).map((c) => c.id)).toEqual([charge.id]);
    expect((await api.invoke('adjust.find', { query: charge.rrn })).map((c) => c.id)).toEqual([charge.id]);
    expect(await api.invoke('adjust.find', { query: 'zzzz' })).toEqual([]);
  });
});

describe('settlement report', () => {
  it('prints the terminal figures on the default printer when the batch settles', async () => {
    const { core: running, api } = await boot();
    await signInOwner(api);
    const charge = await chargeOf(running, 3000);
    await api.invoke('charges.confirm', { chargeId: charge.id });
    await api.invoke('batch.settle', {});
    const jobs = await api.invoke('printJobs.list', {});
    const report = jobs.find((j) => j.kind === 'SETTLEMENT');
    expect(report).toMatchObject({ kind: 'SETTLEMENT', copy: 'merchant', amountMinor: 3000, currency: '156' });
    expect(report!.state).not.toBe('queued');
  });
});
