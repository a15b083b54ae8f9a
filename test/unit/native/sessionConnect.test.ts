import { afterEach, describe, expect, it } from 'vitest';
import { createTerminalSession, type HidTerminalSession } from '../../../native/session/terminalSession.js';
import type { LinkState } from '../../../native/session/types.js';
import { SimulatedTerminal } from '../../../native/sim/terminal.js';
import { createMemoryBackend } from '../../../native/transport/memoryHid.js';
import { LIBUSB_MISSING_REASON, createNodeHidBackend } from '../../../native/transport/nodeHid.js';
import { DEFAULT_MATCH, type HidBackend } from '../../../native/transport/types.js';
import { FakeLedger, sleep, waitFor } from './harness.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function session(backend: HidBackend, extra: Partial<Parameters<typeof createTerminalSession>[0]> = {}) {
  const states: LinkState[] = [];
  const ledger = new FakeLedger();
  const s: HidTerminalSession = createTerminalSession({
    backend,
    handlers: { onCharge: (m) => ledger.onCharge(m), onLinkState: (st) => states.push(st) },
    pollIntervalMs: 20,
    reconnect: { initialMs: 5, maxMs: 40 },
    ackTimeoutMs: 30,
    responseTimeoutMs: 200,
    ...extra,
  });
  cleanup.push(() => s.stop());
  return { s, states, ledger };
}

function sim(opts: ConstructorParameters<typeof SimulatedTerminal>[0] = {}) {
  const t = new SimulatedTerminal({ ackTimeoutMs: 30, statusIntervalMs: 0, chargeRetryMs: 20, ...opts });
  cleanup.push(() => t.stop());
  return t;
}

describe('session connection management', () => {
  it('node-hid without libusb: state unavailable with the reason, start() does not throw, send() -> unknown', async () => {
    const backend = createNodeHidBackend({
      loader: async () => {
        throw Object.assign(new Error('libusb-1.0.so.0: cannot open shared object file'), { code: 'ERR_DLOPEN_FAILED' });
      },
    });
    const { s, states } = session(backend);
    await s.start();
    expect(s.state).toEqual({ kind: 'unavailable', backend: 'node-hid', reason: LIBUSB_MISSING_REASON });
    expect(states).toHaveLength(1);
    expect(await s.send({ seq: '000001', type: 'SE', fields: {} })).toEqual({ kind: 'unknown', reason: 'terminal not connected' });
    await s.stop();
    expect(s.state).toEqual({ kind: 'stopped' });
  });

  it('real node-hid on this machine: no terminal attached -> searching, polling the list', async () => {
    const { s } = session(createNodeHidBackend(), { pollIntervalMs: 30 });
    await s.start();
    expect(s.state).toEqual({ kind: 'searching', backend: 'node-hid' });
    await sleep(80);
    expect(s.state.kind).toBe('searching');
  });

  it('a device that lists but cannot be opened: reconnecting with doubling back-off up to the ceiling', async () => {
    const t = sim();
    const inner = createMemoryBackend([t.device]);
    let failOpens = 6;
    const backend: HidBackend = {
      kind: 'simulator',
      availability: () => inner.availability(),
      list: () => inner.list(),
      open: async (path) => {
        if (failOpens-- > 0) throw new Error('EACCES: permission denied');
        return inner.open(path);
      },
    };
    const { s, states } = session(backend);
    await s.start();
    await waitFor(() => s.state.kind === 'connected', 3000);
    const delays = states.filter((x) => x.kind === 'reconnecting').map((x) => (x.kind === 'reconnecting' ? x.nextRetryMs : 0));
    expect(delays).toEqual([5, 10, 20, 40, 40, 40]);
    const first = states.find((x) => x.kind === 'reconnecting');
    expect(first?.kind === 'reconnecting' && first.reason).toMatch(/cannot open .*permission denied/);
  });

  it('several terminals attached: the match pins one by serial number', async () => {
    const a = sim({ device: { serialNumber: 'TERM-A', pathPrefix: 'mem://a' }, terminalId: 'AAAAAAAA' });
    const b = sim({ device: { serialNumber: 'TERM-B', pathPrefix: 'mem://b' }, terminalId: 'BBBBBBBB' });
    const backend = createMemoryBackend([a.device, b.device], {
      extraDevices: [{ path: 'mem://keyboard', vendorId: 0x046d, productId: 0xc31c, usagePage: 1 }],
    });
    const { s, ledger } = session(backend, { match: { ...DEFAULT_MATCH, serialNumber: 'TERM-B' } });
    await s.start();
    await waitFor(() => s.state.kind === 'connected', 2000);
    expect(s.state).toEqual({ kind: 'connected', backend: 'simulator', device: 'mem://b/1' });
    expect(a.device.ready).toBe(false);
    await b.createCharge({ amountMinor: 100 }).delivered;
    expect(ledger.deliveries.map((m) => m.fields.TI)).toEqual(['BBBBBBBB']);
  });

  it('stop() while searching cancels polling; start() again works', async () => {
    const t = sim();
    t.unplug();
    const backend = createMemoryBackend([t.device]);
    const { s } = session(backend);
    await s.start();
    expect(s.state.kind).toBe('searching');
    await s.stop();
    const calls = backend.listCalls;
    await sleep(60);
    expect(backend.listCalls).toBe(calls);
    t.replug();
    await s.start();
    await waitFor(() => s.state.kind === 'connected', 2000);
  });
});
