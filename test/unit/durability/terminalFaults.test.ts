/**
 * Terminal faults through the whole core (startCore, ledger, request runner, void/refund service)
 * with the terminal in the simulator daemon behind a socket: the line cut at a chosen byte in the
 * middle of a void, and a terminal that goes silent past every timeout. Afterwards the terminal has
 * executed each request at most once and the ledger agrees with what it did.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, type ApiEvent } from '../../../electron/contract/api.js';
import type { AdjustmentView } from '../../../electron/contract/commands/adjustments.js';
import { coreOverSocket, sleep, waitFor, type CoreHarness } from './helpers.js';

/** One output or input report on the socket: 2 bytes of length, 1 of kind, 64 of report. */
const REPORT_FRAME = 67;

async function pendingCharge(h: CoreHarness, amountMinor: number) {
  const c = h.daemon.sim.createCharge({ amountMinor });
  await c.delivered;
  const charge = (await h.api.invoke('charges.queue', {})).find((x) => x.trace === c.trace);
  if (!charge) throw new Error('the charge did not reach the queue');
  return charge;
}

function adjustmentsOf(h: CoreHarness, chargeId: number): Promise<AdjustmentView[]> {
  return h.api.invoke('adjust.preview', { chargeId }).then((p) => p.adjustments);
}

async function settled(h: CoreHarness, chargeId: number): Promise<AdjustmentView> {
  let last: AdjustmentView | undefined;
  const deadline = Date.now() + 8000;
  while (Date.now() < deadline) {
    last = (await adjustmentsOf(h, chargeId))[0];
    if (last && last.state !== 'sent' && last.state !== 'unknown') return last;
    await sleep(20);
  }
  throw new Error(`the void was not resolved: ${JSON.stringify(last)}`);
}

function requestsOfType(h: CoreHarness, type: string): { seq: string; state: string }[] {
  return h.core.ledger.query((db) => db.prepare('SELECT seq, state FROM host_requests WHERE type = ? ORDER BY id').all(type) as { seq: string; state: string }[]);
}

function executed(h: CoreHarness, type: string) {
  return h.daemon.sim.executed.filter((e) => e.type === type);
}

const voidOf = (chargeId: number, amountMinor: number) =>
  ({ chargeId, mode: 'void', amountMinor, reason: 'wrong_amount', note: 'fault test' }) as const;

describe('unplug mid-void: the line cut at a chosen byte', () => {
  it.each([1, 10, 40, 66])('inside the VD report (%i bytes reach the terminal): never executed, QT says so, declined once', async (afterBytes) => {
    const h = await coreOverSocket();
    const charge = await pendingCharge(h, 128_000);
    h.daemon.inject({ kind: 'cut', direction: 'from-host', afterBytes });
    const out = await h.api.invoke('adjust.execute', voidOf(charge.id, 128_000));
    expect(out.adjustment.state).toBe('unknown');
    expect(out.meaning).toBe('no_answer_yet');
    const final = await settled(h, charge.id);
    expect(final).toMatchObject({ state: 'declined', rc: '25' });
    expect(executed(h, 'VD')).toHaveLength(0);
    expect(requestsOfType(h, 'VD')).toEqual([{ seq: out.adjustment.requestSeq, state: 'answered' }]);
    expect(h.core.ledger.getCharge(charge.id)?.status).toBe('pending');
    expect(h.daemon.sim.totals()).toMatchObject({ voidCount: 0 });
    // Nothing happened, so it may be voided again, and that one goes through.
    const again = await h.api.invoke('adjust.execute', voidOf(charge.id, 128_000));
    expect(again.adjustment.state).toBe('approved');
    expect(executed(h, 'VD')).toHaveLength(1);
    expect(h.core.ledger.verifyAudit().ok).toBe(true);
  });

  it('right after the whole VD report: executed once, its answer lost with the line, recovered by QT', async () => {
    const h = await coreOverSocket();
    const charge = await pendingCharge(h, 5_000);
    h.daemon.inject({ kind: 'cut', direction: 'from-host', afterBytes: REPORT_FRAME });
    const out = await h.api.invoke('adjust.execute', voidOf(charge.id, 5_000));
    expect(out.adjustment.state).toBe('unknown');
    const final = await settled(h, charge.id);
    expect(final.state).toBe('approved');
    expect(executed(h, 'VD')).toHaveLength(1);
    expect(final.trace).toBe(executed(h, 'VD')[0]!.response.TR);
    expect(h.core.ledger.getCharge(charge.id)?.status).toBe('voided');
    expect(h.daemon.sim.totals()).toMatchObject({ voidCount: 1, voidMinor: 5_000 });
    expect(requestsOfType(h, 'VD')).toHaveLength(1);
  });

  it.each([1, 20, 66])('inside the RS on its way back (%i bytes of it arrive): executed once, approved once via QT', async (intoRs) => {
    const h = await coreOverSocket();
    const charge = await pendingCharge(h, 7_700);
    // Toward the host come the terminal's ACK of the VD (one report), then the RS.
    h.daemon.inject({ kind: 'cut', direction: 'to-host', afterBytes: REPORT_FRAME + intoRs });
    const out = await h.api.invoke('adjust.execute', voidOf(charge.id, 7_700));
    expect(out.adjustment.state).toBe('unknown');
    const final = await settled(h, charge.id);
    expect(final.state).toBe('approved');
    expect(executed(h, 'VD')).toHaveLength(1);
    expect(executed(h, 'QT').length).toBeGreaterThanOrEqual(1);
    expect(h.core.ledger.getCharge(charge.id)?.status).toBe('voided');
    expect(requestsOfType(h, 'VD')).toHaveLength(1);
    // The void is in the ledger exactly once.
    const approved = h.core.ledger.query((db) => db.prepare("SELECT count(*) FROM adjustments WHERE state = 'approved'").pluck().get());
    expect(approved).toBe(1);
  });
});

describe('a terminal silent past every timeout', () => {
  it('hears nothing: the void is unknown at once (not stuck), cannot be sent twice, and is settled by QT when it speaks again', async () => {
    const h = await coreOverSocket({ daemon: { statusIntervalMs: 100 } });
    const charge = await pendingCharge(h, 2_500);
    h.daemon.inject({ kind: 'silence', on: true });
    const started = Date.now();
    const out = await h.api.invoke('adjust.execute', voidOf(charge.id, 2_500));
    // 3 sends × the ACK timeout, then a clear answer: no answer yet.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(out.adjustment.state).toBe('unknown');
    expect(out.meaning).toBe('no_answer_yet');
    const changes = h.events.filter((e): e is Extract<ApiEvent, { name: 'adjustment.changed' }> => e.name === 'adjustment.changed');
    expect(changes.at(-1)?.payload.state).toBe('unknown');
    // The screen can tell: the charge refuses a second void while the first is in doubt.
    const preview = await h.api.invoke('adjust.preview', { chargeId: charge.id });
    expect(preview).toMatchObject({ mode: null, refusal: 'void_in_flight' });
    await expect(h.api.invoke('adjust.execute', voidOf(charge.id, 2_500))).rejects.toMatchObject({ code: 'adjust.void_in_flight' });
    expect((await h.api.invoke('status.get', {})).link.kind).toBe('connected'); // the bridge is there; the terminal is not answering
    await sleep(400);
    expect(executed(h, 'VD')).toHaveLength(0);
    expect(requestsOfType(h, 'VD')).toHaveLength(1);

    h.daemon.inject({ kind: 'silence', on: false });
    const final = await settled(h, charge.id);
    expect(final).toMatchObject({ state: 'declined', rc: '25' }); // it never heard the void
    expect(executed(h, 'VD')).toHaveLength(0);
    expect(requestsOfType(h, 'VD')).toHaveLength(1);
  });

  it('hears but never answers: executed once (the resent frames are replayed, not executed), approved once when it speaks again', async () => {
    const h = await coreOverSocket({ daemon: { statusIntervalMs: 100 } });
    const charge = await pendingCharge(h, 9_900);
    h.daemon.inject({ kind: 'silence', on: true, direction: 'to-host' });
    const out = await h.api.invoke('adjust.execute', voidOf(charge.id, 9_900));
    expect(out.adjustment.state).toBe('unknown');
    await sleep(300);
    expect(executed(h, 'VD')).toHaveLength(1);
    expect(h.daemon.sim.stats.replays).toBeGreaterThanOrEqual(1); // the same SEQ came again: answered from the store
    h.daemon.inject({ kind: 'silence', on: false });
    const final = await settled(h, charge.id);
    expect(final.state).toBe('approved');
    expect(executed(h, 'VD')).toHaveLength(1);
    expect(requestsOfType(h, 'VD')).toHaveLength(1);
    expect(h.daemon.sim.totals()).toMatchObject({ voidCount: 1, voidMinor: 9_900 });
    expect(h.core.ledger.getCharge(charge.id)?.status).toBe('voided');
  });

  it('a settlement into the silence: settle_unknown, then settle_in_doubt (nothing sent twice), recorded once it speaks again', async () => {
    const h = await coreOverSocket({ daemon: { statusIntervalMs: 100 } });
    const charge = await pendingCharge(h, 4_000);
    await h.api.invoke('charges.confirm', { chargeId: charge.id });
    h.daemon.inject({ kind: 'silence', on: true, direction: 'to-host' });
    const first = await h.api.invoke('batch.settle', {}).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ApiError);
    expect((first as ApiError).code).toBe('batch.settle_unknown');
    await expect(h.api.invoke('batch.settle', {})).rejects.toMatchObject({ code: 'batch.settle_in_doubt' });
    expect(executed(h, 'SE')).toHaveLength(1);
    h.daemon.inject({ kind: 'silence', on: false });
    await waitFor(() => requestsOfType(h, 'SE')[0]?.state === 'answered', 'the SE answer recovered by QT');
    const status = await h.api.invoke('batch.status', {});
    expect(status.lastSettlement).toMatchObject({ batch: '000001', matched: true });
    expect(status.inDoubtSeq).toBeNull();
    expect(executed(h, 'SE')).toHaveLength(1);
    expect(requestsOfType(h, 'SE')).toHaveLength(1);
  });
});

describe('the answer and what it means are one transaction', () => {
  it('when applying an answer fails, the answer is not kept either: asked again by QT, applied once', async () => {
    const h = await coreOverSocket({ daemon: { statusIntervalMs: 100 } });
    const charge = await pendingCharge(h, 3_300);
    let failures = 1;
    // A listener that fails once, inside the transaction of the VD's answer (as a crash there would).
    h.core.requests.onResult(() => {
      if (failures-- > 0) throw new Error('simulated failure while applying the answer');
    });
    await expect(h.api.invoke('adjust.execute', voidOf(charge.id, 3_300))).rejects.toThrow();
    // Neither the answer nor the void's approval was kept; the request waits for QT.
    expect(requestsOfType(h, 'VD')).toEqual([{ seq: expect.any(String), state: 'unknown' }]);
    expect((await adjustmentsOf(h, charge.id))[0]?.state).toBe('sent');
    expect(h.core.ledger.getCharge(charge.id)?.status).toBe('pending');
    const final = await settled(h, charge.id); // the next ST makes the host ask
    expect(final.state).toBe('approved');
    expect(executed(h, 'VD')).toHaveLength(1);
    expect(h.core.ledger.getCharge(charge.id)?.status).toBe('voided');
    const voids = h.core.ledger.auditRows(1, 10_000).filter((r) => r.action === 'void.approved');
    expect(voids).toHaveLength(1);
    expect(h.core.ledger.verifyAudit().ok).toBe(true);
  });
});
