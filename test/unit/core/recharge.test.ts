/**
 * The void/refund screen's core additions: "charge the correct amount" (补刷) linking the next
 * matching charge to the incident, the "sent" announcement before the terminal answers, and the
 * receipts of a void whose answer only QT found.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import type { ApiEvent } from '../../../electron/contract/api.js';
import { getIncident } from '../../../electron/ledger/incidents.js';
import { RECHARGE_WINDOW_MS, checkRechargeRequest, matchesRecharge } from '../../../electron/domain/recharge.js';
import { faultFrom } from '../../../electron/host/commands/sim.js';

let core: RunningCore | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

const CARD = '622848******4321';

async function boot() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-recharge-'));
  core = await startCore({
    dataDir,
    log: silentLogger,
    backend: 'simulator',
    simStatusIntervalMs: 0,
    sessionTuning: { responseTimeoutMs: 300, ackTimeoutMs: 150, pollIntervalMs: 50 },
  });
  const api = createInProcessApi(core.api, 'manager-desk');
  const events: ApiEvent[] = [];
  core.api.subscribe((e) => events.push(e));
  await api.invoke('auth.setupOwner', { ownerName: 'Wang', ownerPin: '482916', managerName: 'Li', managerPin: '739105' });
  return { core, api, sim: core.terminal.simulator!, events };
}

async function chargeOf(running: RunningCore, amountMinor: number, pan = CARD) {
  const charge = running.terminal.simulator!.createCharge({ amountMinor, pan });
  await charge.delivered;
  return running.ledger.history({ limit: 1000 }).find((c) => c.trace === charge.trace)!;
}

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('charge the correct amount (补刷)', () => {
  it('links the next charge of the intended amount on the same card to the incident, once', async () => {
    const { core: running, api, events } = await boot();
    const wrong = await chargeOf(running, 128000);
    const { incident } = await api.invoke('charges.flag', { chargeId: wrong.id, intendedMinor: 12800, cause: 'operator_error', note: 'extra zero' });

    const before = await api.invoke('adjust.preview', { chargeId: wrong.id });
    expect(before.incident).toMatchObject({ id: incident.id, kind: 'over_charge', intendedMinor: 12800, chargedMinor: 128000, relatedChargeId: null });
    expect(before.recharge).toBeNull();
    // Not before the wrong charge is voided.
    await expect(api.invoke('adjust.expectRecharge', { incidentId: incident.id, amountMinor: 12800 })).rejects.toMatchObject({
      code: 'adjust.recharge_not_voided',
    });

    const voided = await api.invoke('adjust.execute', { chargeId: wrong.id, mode: 'void', amountMinor: 128000, reason: 'wrong_amount', note: 'keyed 1280.00' });
    expect(voided.adjustment.state).toBe('approved');
    const waiting = await api.invoke('adjust.expectRecharge', { incidentId: incident.id, amountMinor: 12800 });
    expect(waiting).toMatchObject({ incidentId: incident.id, voidedChargeId: wrong.id, amountMinor: 12800, panMasked: CARD, state: 'waiting', chargeId: null });
    expect(events.some((e) => e.name === 'adjustment.recharge' && e.payload.state === 'waiting')).toBe(true);

    // Other cards and other amounts are not it.
    await chargeOf(running, 12800, '622848******9999');
    await chargeOf(running, 12900);
    expect(getIncident(running.ledger, incident.id)?.relatedChargeId).toBeNull();

    const right = await chargeOf(running, 12800);
    await until(() => getIncident(running.ledger, incident.id)?.relatedChargeId === right.id, 'the link');
    const linked = events.find((e) => e.name === 'adjustment.recharge' && e.payload.state === 'linked');
    expect(linked?.payload).toMatchObject({ incidentId: incident.id, chargeId: right.id, trace: right.trace });

    // A second charge of the same amount is not linked as well.
    const again = await chargeOf(running, 12800);
    expect(getIncident(running.ledger, incident.id)?.relatedChargeId).toBe(right.id);
    expect((await api.invoke('adjust.preview', { chargeId: again.id })).rechargeOf).toBeNull();

    expect((await api.invoke('adjust.preview', { chargeId: right.id })).rechargeOf).toMatchObject({ incidentId: incident.id, state: 'linked' });
    expect((await api.invoke('adjust.preview', { chargeId: wrong.id })).recharge).toMatchObject({ state: 'linked', chargeId: right.id });
    expect((await api.invoke('adjust.recharges', {}))[0]).toMatchObject({ incidentId: incident.id, chargeId: right.id });
    await expect(api.invoke('adjust.expectRecharge', { incidentId: incident.id, amountMinor: 12800 })).rejects.toMatchObject({
      code: 'adjust.recharge_already_linked',
    });

    const audit = running.ledger.auditRows(1, 1000).map((r) => r.action);
    expect(audit.filter((a) => a === 'incident.recharge_expected')).toHaveLength(1);
    expect(audit.filter((a) => a === 'incident.recharge_linked')).toHaveLength(1);
    const linkRow = running.ledger.auditRows(1, 1000).find((r) => r.action === 'incident.recharge_linked')!;
    expect(linkRow.actor).toBe('system:recharge');
    expect(linkRow.data).toMatchObject({ incidentId: incident.id, chargeId: right.id, expectedBy: 'owner:Wang' });
    expect(await api.invoke('audit.verify', {})).toMatchObject({ ok: true });
  });

  it('needs a manager, an existing incident about an amount, and a positive amount', async () => {
    const { core: running, api } = await boot();
    const dup = await chargeOf(running, 5000);
    const { incident } = await api.invoke('charges.flag', { chargeId: dup.id, intendedMinor: 0, cause: 'duplicate' });
    await api.invoke('adjust.execute', { chargeId: dup.id, mode: 'void', amountMinor: 5000, reason: 'duplicate', note: 'second swipe' });
    await expect(api.invoke('adjust.expectRecharge', { incidentId: incident.id, amountMinor: 5000 })).rejects.toMatchObject({
      code: 'adjust.recharge_wrong_incident',
    });
    await expect(api.invoke('adjust.expectRecharge', { incidentId: 999, amountMinor: 5000 })).rejects.toMatchObject({ code: 'incident.not_found' });
    await expect(api.invoke('adjust.expectRecharge', { incidentId: incident.id, amountMinor: 0 })).rejects.toMatchObject({ code: 'validation.failed' });
    await api.invoke('auth.signOut', {});
    await expect(api.invoke('adjust.expectRecharge', { incidentId: incident.id, amountMinor: 5000 })).rejects.toMatchObject({ code: 'auth.required' });
  });

  it('the rules: same amount and currency, same card when known, within the window', () => {
    const expectation = { amountMinor: 12800, currency: '156', panMasked: CARD, expectedAt: '2026-01-01T10:00:00.000Z' };
    const charge = { amountMinor: 12800, currency: '156', panMasked: CARD, receivedAt: '2026-01-01T10:01:00.000Z' };
    expect(matchesRecharge(expectation, charge)).toBe(true);
    expect(matchesRecharge(expectation, { ...charge, amountMinor: 12801 })).toBe(false);
    expect(matchesRecharge(expectation, { ...charge, currency: '840' })).toBe(false);
    expect(matchesRecharge(expectation, { ...charge, panMasked: '622848******9999' })).toBe(false);
    expect(matchesRecharge({ ...expectation, panMasked: null }, { ...charge, panMasked: '622848******9999' })).toBe(true);
    expect(matchesRecharge(expectation, { ...charge, receivedAt: '2026-01-01T09:59:59.000Z' })).toBe(false);
    const late = new Date(Date.parse(expectation.expectedAt) + RECHARGE_WINDOW_MS + 1000).toISOString();
    expect(matchesRecharge(expectation, { ...charge, receivedAt: late })).toBe(false);

    const incident = { kind: 'over_charge', chargeId: 1, intendedMinor: 12800, relatedChargeId: null, chargeStatus: 'voided' };
    expect(checkRechargeRequest(incident)).toEqual({ ok: true });
    expect(checkRechargeRequest({ ...incident, chargeStatus: 'flagged' })).toEqual({ ok: false, code: 'recharge_not_voided' });
    expect(checkRechargeRequest({ ...incident, intendedMinor: 0 })).toEqual({ ok: false, code: 'recharge_no_intended_amount' });
    expect(checkRechargeRequest({ ...incident, relatedChargeId: 7 })).toEqual({ ok: false, code: 'recharge_already_linked' });
    expect(checkRechargeRequest({ ...incident, kind: 'settlement_mismatch', chargeId: null })).toEqual({ ok: false, code: 'recharge_wrong_incident' });
  });
});

describe('progress and late answers', () => {
  it('announces the void as sent before the answer, and prints both copies once when QT finds a lost answer', async () => {
    const { core: running, api, sim, events } = await boot();
    const charge = await chargeOf(running, 5000);
    sim.inject({ kind: 'lose-next-response' });
    const outcome = await api.invoke('adjust.execute', { chargeId: charge.id, mode: 'void', amountMinor: 5000, reason: 'duplicate', note: 'second swipe' });
    expect(outcome.adjustment.state).toBe('unknown');
    expect(outcome.receipts).toEqual([]);
    const states = events.filter((e) => e.name === 'adjustment.changed').map((e) => (e.payload as { state: string }).state);
    expect(states).toEqual(['sent', 'unknown']);

    sim.unplug();
    await new Promise((r) => setTimeout(r, 50));
    sim.replug();
    await until(() => running.ledger.getCharge(charge.id)?.status === 'voided', 'the QT answer');
    await until(() => events.filter((e) => e.name === 'printJob.changed' && e.payload.state !== 'queued').length >= 2, 'the receipts');
    const final = events.filter((e) => e.name === 'adjustment.changed').at(-1)!.payload as { state: string; rc: string | null };
    expect(final).toMatchObject({ state: 'approved', rc: '00' });
    const jobs = await api.invoke('printJobs.list', {});
    expect(jobs.filter((j) => j.kind === 'VOID' && j.chargeId === charge.id).map((j) => j.copy).sort()).toEqual(['customer', 'merchant']);
    expect(sim.executed.filter((e) => e.type === 'VD')).toHaveLength(1);
    expect(await api.invoke('sim.executed', {})).toMatchObject({ VD: 1, QT: 1 });
  });

  it('a void answered at once prints its two copies exactly once', async () => {
    const { core: running, api } = await boot();
    const charge = await chargeOf(running, 7000);
    const outcome = await api.invoke('adjust.execute', { chargeId: charge.id, mode: 'void', amountMinor: 7000, reason: 'customer_request', note: 'changed mind' });
    expect(outcome.receipts.map((r) => r.copy)).toEqual(['customer', 'merchant']);
    await new Promise((r) => setTimeout(r, 100));
    const jobs = await api.invoke('printJobs.list', {});
    expect(jobs.filter((j) => j.kind === 'VOID')).toHaveLength(2);
  });
});

describe('sim fault from the command line', () => {
  it('turns the arguments into a sim.fault input, with clear usage errors', () => {
    expect(faultFrom('lose-next-response', undefined)).toEqual({ kind: 'lose-next-response' });
    expect(faultFrom('corrupt-next-frame', undefined)).toEqual({ kind: 'corrupt-next-frame' });
    expect(faultFrom('drop-next-ack', undefined)).toEqual({ kind: 'drop-next-ack' });
    expect(faultFrom('drop-next-ack', 'to-host')).toEqual({ kind: 'drop-next-ack', direction: 'to-host' });
    expect(faultFrom('delay-next-response', '35000')).toEqual({ kind: 'delay-next-response', ms: 35000 });
    expect(() => faultFrom('delay-next-response', undefined)).toThrow(/needs a delay in ms/);
    expect(() => faultFrom('delay-next-response', '1.5')).toThrow(/needs a delay in ms/);
    expect(() => faultFrom('drop-next-ack', 'sideways')).toThrow(/from-host or to-host/);
    expect(() => faultFrom('melt', undefined)).toThrow(/lose-next-response, corrupt-next-frame, drop-next-ack, delay-next-response/);
  });
});
