import { afterEach, describe, expect, it } from 'vitest';
import { encodeMessage } from '../../../native/link/codec.js';
import { encodeFrame } from '../../../native/link/framing.js';
import { HostDecoder, type DecodeEvent } from '../../../native/link/hostDecoder.js';
import { bytesToReports } from '../../../native/link/reassembly.js';
import type { LinkMessage } from '../../../native/link/types.js';
import { createRng } from '../../../native/sim/rng.js';
import { SimulatedTerminal, isMaskedPan, parseScript, runScript } from '../../../native/sim/terminal.js';
import { openTerminal } from '../../../native/transport/discovery.js';
import type { HidConnection } from '../../../native/transport/types.js';
import { FIXED_TIME, sleep, waitFor } from './harness.js';
import { UNIONPAY_UNMASKED, VISA_PAN } from '../../support/testPan.js';

const sims: SimulatedTerminal[] = [];
afterEach(() => {
  for (const s of sims.splice(0)) s.stop();
});

function newSim(opts: ConstructorParameters<typeof SimulatedTerminal>[0] = {}) {
  const s = new SimulatedTerminal({ ackTimeoutMs: 30, statusIntervalMs: 0, chargeRetryMs: 20, clock: () => FIXED_TIME, ...opts });
  sims.push(s);
  return s;
}

/** A bare-bones host: decodes input reports with HostDecoder, optionally ACKs, writes raw frames. */
async function rawHost(sim: SimulatedTerminal, { ack = true, enable = true } = {}) {
  const conn: HidConnection = sim.device.openHost();
  const decoder = new HostDecoder({});
  const events: DecodeEvent[] = [];
  const raw: number[] = [];
  const state = { ack };
  conn.onReport((r) => {
    raw.push(...r.subarray(1, 1 + r[0]!));
    for (const e of decoder.pushReport(r)) {
      events.push(e);
      if (e.event === 'send' && (e.hex === '15' || state.ack)) void conn.write(Uint8Array.of(1, parseInt(e.hex, 16)));
    }
  });
  if (enable) await openTerminal(conn);
  const messages = () => events.filter((e): e is Extract<DecodeEvent, { event: 'message' }> => e.event === 'message');
  const send = async (msg: LinkMessage) => {
    for (const r of bytesToReports(encodeFrame(encodeMessage(msg)))) await conn.write(r);
  };
  return { conn, events, messages, send, raw, state };
}

describe('simulated terminal', () => {
  it('is deterministic per seed (amounts, PAN tails, auth codes)', () => {
    const a = newSim({ seed: 7 }).flood(5);
    const b = newSim({ seed: 7 }).flood(5);
    const c = newSim({ seed: 8 }).flood(5);
    expect(a.map((x) => x.fields)).toEqual(b.map((x) => x.fields));
    expect(a.map((x) => x.fields.PN + x.authCode)).not.toEqual(c.map((x) => x.fields.PN + x.authCode));
    const rng = createRng(1);
    const seen = new Set(Array.from({ length: 50 }, () => rng.int(1, 3)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it('refuses anything but a masked PAN and invalid amounts; never builds a CH with a full PAN', () => {
    const sim = newSim();
    expect(() => sim.createCharge({ amountMinor: 100, pan: VISA_PAN })).toThrow(/masked/);
    expect(() => sim.createCharge({ amountMinor: 100, pan: '411111**11111111' })).toThrow(/masked/);
    expect(() => sim.createCharge({ amountMinor: 0 })).toThrow(RangeError);
    expect(() => sim.createCharge({ amountMinor: 1.5 })).toThrow(RangeError);
    expect(isMaskedPan('622848******1234')).toBe(true);
    expect(isMaskedPan('378282*****0005')).toBe(true);
    expect(isMaskedPan(UNIONPAY_UNMASKED)).toBe(false);
    expect(sim.charges).toHaveLength(0);
    const c = sim.createCharge({ amountMinor: 100 });
    expect(c.fields.PN).toMatch(/^622848\*{6}[0-9]{4}$/);
  });

  it('charge() returns the trace (amount optional, from the seeded RNG); stop() keeps the queue, start() resumes it', async () => {
    const sim = newSim({ seed: 3 });
    const trace = sim.charge();
    expect(trace).toBe('000001');
    expect(sim.charge({ amountMinor: 250 })).toBe('000002');
    expect(sim.charges[0]!.amountMinor).toBeGreaterThanOrEqual(100);
    expect(sim.charges[1]!.fields.AM).toBe('000000000250');
    sim.stop();
    sim.stop(); // idempotent
    const host = await rawHost(sim);
    await sleep(40);
    expect(host.messages()).toHaveLength(0); // powered off: nothing sent
    sim.start();
    sim.start(); // idempotent
    await sim.whenIdle(2000);
    expect(host.messages().map((m) => m.fields.TR)).toEqual(['000001', '000002']);
  });

  it('sends nothing before the host enables the bridge; then the CH decodes cleanly', async () => {
    const sim = newSim();
    const host = await rawHost(sim, { enable: false });
    const c = sim.createCharge({ amountMinor: 12800, pan: '622848******1234', brand: 'UnionPay Debit', entryMode: 'S' });
    await sleep(80); // past several ACK timeouts
    expect(host.raw).toHaveLength(0);
    await openTerminal(host.conn);
    await c.delivered;
    const msgs = host.messages();
    expect(msgs).toHaveLength(1);
    expect(host.events.filter((e) => e.event === 'error')).toEqual([]);
    expect(msgs[0]!.fields).toEqual({
      AM: '000000012800',
      CU: '156',
      TR: c.trace,
      BT: '000001',
      RF: c.rrn,
      AC: c.authCode,
      PN: '622848******1234',
      EM: 'S',
      DT: '20261123143005',
      TI: '10293847',
      MI: '898310058120001',
      RC: '00',
      CB: 'UnionPay Debit',
    });
    expect(c.rrn).toMatch(/^[0-9]{12}$/);
  });

  it('retransmits the identical frame when no ACK comes, 3 sends per attempt, and retries the charge later', async () => {
    const sim = newSim();
    const host = await rawHost(sim, { ack: false });
    sim.createCharge({ amountMinor: 500 });
    await waitFor(() => host.messages().length >= 3, 2000);
    const frames = host.messages();
    expect(frames.every((m) => m.seq === frames[0]!.seq)).toBe(true);
    expect(frames.slice(1).every((m) => m.duplicate)).toBe(true);
    await waitFor(() => sim.stats.chargeSendFailures >= 1, 2000);
    host.state.ack = true;
    await sim.whenIdle(2000);
    expect(sim.pendingFrames).toBe(0);
  });

  it('answers a malformed host request with RC 12 and executes nothing', async () => {
    const sim = newSim();
    const host = await rawHost(sim);
    // VD without AM, written by hand (the codec would refuse to encode it)
    const data = new TextEncoder().encode('1VD000005TR006000001');
    for (const r of bytesToReports(encodeFrame(data))) await host.conn.write(r);
    await waitFor(() => host.messages().length === 1, 2000);
    expect(host.messages()[0]!.fields).toEqual({ RQ: '000005', RC: '12' });
    expect(sim.executed).toHaveLength(0);
    expect(sim.rejected.map((r) => r.code)).toEqual(['missing-field']);
  });

  it('forgets stored responses beyond responseStoreSize (a SEQ reused after the wrap is a new request)', async () => {
    const sim = newSim({ responseStoreSize: 2 });
    const host = await rawHost(sim);
    for (const seq of ['000001', '000002', '000003']) await host.send({ type: 'SE', seq, fields: {} });
    await waitFor(() => host.messages().length === 3, 2000);
    await host.send({ type: 'QT', seq: '000004', fields: { QS: '000001' } });
    await host.send({ type: 'QT', seq: '000005', fields: { QS: '000003' } });
    await waitFor(() => host.messages().length === 5, 2000);
    const [q1, q3] = host.messages().slice(3);
    expect(q1!.fields).toEqual({ RQ: '000001', RC: '25' });
    expect(q3!.fields).toMatchObject({ RQ: '000003', RC: '00', BT: '000003', NB: '000004' });
  });

  it('sends ST only while idle and connected', async () => {
    const sim = newSim({ statusIntervalMs: 15 });
    await sleep(50);
    expect(sim.pendingFrames).toBe(0); // not connected: nothing queued
    const host = await rawHost(sim);
    await waitFor(() => host.messages().some((m) => m.type === 'ST'), 2000);
    sim.setPaper('OUT');
    await waitFor(() => host.messages().some((m) => m.type === 'ST' && m.fields.PP === 'OUT'), 2000);
    expect(host.messages().find((m) => m.type === 'ST')!.fields).toEqual({ SS: 'IDLE', PP: 'OK' });
  });

  it('parseScript understands every step and rejects unknown ones', () => {
    const steps = parseScript(`
      # a day at the till
      charge 128.00 pan=622848******1234 em=T brand=UnionPay Debit
      charge 5
      flood 3
      burst 2
      wait 10
      idle 500
      status BUSY
      paper LOW
      corrupt-next-frame
      drop-next-ack to-host
      drop-next-ack
      delay-next-response 35000
      lose-next-response
      split 3
      split off
      merge on
      noise 4
      unplug
      replug
    `);
    expect(steps[0]).toEqual({ do: 'charge', amountMinor: 12800, pan: '622848******1234', entryMode: 'T', brand: 'UnionPay Debit' });
    expect(steps[1]).toEqual({ do: 'charge', amountMinor: 500 });
    expect(steps.slice(2, 8)).toEqual([
      { do: 'flood', count: 3 },
      { do: 'burst', count: 2 },
      { do: 'wait', ms: 10 },
      { do: 'idle', timeoutMs: 500 },
      { do: 'status', status: 'BUSY' },
      { do: 'paper', state: 'LOW' },
    ]);
    expect(steps.slice(8).map((s) => (s.do === 'fault' ? s.fault : s))).toEqual([
      { kind: 'corrupt-next-frame' },
      { kind: 'drop-next-ack', direction: 'to-host' },
      { kind: 'drop-next-ack', direction: 'from-host' },
      { kind: 'delay-next-response', ms: 35000 },
      { kind: 'lose-next-response' },
      { kind: 'split-reports', maxChunk: 3 },
      { kind: 'split-reports', maxChunk: 0 },
      { kind: 'merge-reports', on: true },
      { kind: 'noise', count: 4 },
      { do: 'unplug' },
      { do: 'replug' },
    ]);
    expect(() => parseScript('refund 12')).toThrow(/line 1: unknown step refund/);
    expect(() => parseScript('charge 12.345')).toThrow(/not an amount/);
    expect(() => parseScript('charge 1 em=X')).toThrow(/em is one of/);
  });

  it('runScript drives the terminal end to end (with faults and an unplug on the way)', async () => {
    const sim = newSim();
    const host = await rawHost(sim);
    const seen: string[] = [];
    const result = await runScript(
      sim,
      parseScript(`
        noise 3
        split 5
        charge 12.80
        corrupt-next-frame
        flood 3
        idle 3000
        unplug
        charge 1
      `),
      { onStep: (s) => seen.push(s.do) },
    );
    expect(seen).toEqual(['fault', 'fault', 'charge', 'fault', 'flood', 'idle', 'unplug', 'charge']);
    expect(result.charges).toHaveLength(5);
    const before = new Set(host.messages().map((m) => m.fields.TR));
    expect(before.size).toBe(4);
    // replug: the host side must open and enable again; the queued charge then arrives
    sim.replug();
    const host2 = await rawHost(sim);
    await sim.whenIdle(2000);
    expect(host2.messages().map((m) => m.fields.AM)).toEqual(['000000000100']);
  });
});
