/**
 * The socket HID transport and the simulator daemon: the same 64-byte reports as USB, length-framed
 * over a Unix socket or loopback TCP; a closed socket is an unplug; the terminal outlives its host.
 */
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimControlClient } from '../../../native/sim/daemon.js';
import {
  FRAME_FEATURE,
  FRAME_HELLO,
  FRAME_INPUT,
  FRAME_OUTPUT,
  SocketFrameReader,
  SocketProtocolError,
  createSocketHidBackend,
  encodeSocketFrame,
  openSocketConnection,
  parseSocketAddress,
} from '../../../native/transport/socketHid.js';
import { daemon, sleep, socketSession, tempDir, waitFor } from './helpers.js';

describe('framing', () => {
  it('reassembles frames however the stream is chunked, one byte at a time included', () => {
    const frames = [
      encodeSocketFrame(FRAME_OUTPUT, new Uint8Array(64).fill(7)),
      encodeSocketFrame(FRAME_FEATURE, Uint8Array.of(0x41, 0x01)),
      encodeSocketFrame(FRAME_HELLO, Buffer.from('{"product":"x"}')),
      encodeSocketFrame(FRAME_INPUT, new Uint8Array(64).fill(9)),
    ];
    const stream = Buffer.concat(frames);
    for (const chunk of [1, 2, 3, 5, 64, 67, 1000]) {
      const reader = new SocketFrameReader();
      const got = [];
      for (let i = 0; i < stream.length; i += chunk) got.push(...reader.push(stream.subarray(i, i + chunk)));
      expect(got.map((f) => f.kind)).toEqual([FRAME_OUTPUT, FRAME_FEATURE, FRAME_HELLO, FRAME_INPUT]);
      expect(got[0]!.payload).toEqual(new Uint8Array(64).fill(7));
      expect([...got[1]!.payload]).toEqual([0x41, 0x01]);
      expect(reader.pendingBytes).toBe(0);
    }
  });

  it('keeps a partial frame until the rest arrives', () => {
    const reader = new SocketFrameReader();
    const frame = encodeSocketFrame(FRAME_INPUT, new Uint8Array(64).fill(1));
    expect(reader.push(frame.subarray(0, 40))).toEqual([]);
    expect(reader.pendingBytes).toBe(40);
    expect(reader.push(frame.subarray(40))).toHaveLength(1);
  });

  it('refuses an unknown kind, an empty frame and an oversized report', () => {
    expect(() => new SocketFrameReader().push(Buffer.from([0, 2, 0x7f, 0]))).toThrow(SocketProtocolError);
    expect(() => new SocketFrameReader().push(Buffer.from([0, 1, FRAME_OUTPUT]))).toThrow(/bad length/);
    expect(() => new SocketFrameReader().push(Buffer.from([0, 66, FRAME_INPUT]))).toThrow(/bad length/);
  });

  it('addresses: a path, or loopback TCP only', () => {
    expect(parseSocketAddress('/tmp/t.sock')).toEqual({ kind: 'path', path: '/tmp/t.sock' });
    expect(parseSocketAddress('127.0.0.1:4100')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4100 });
    expect(parseSocketAddress('tcp:4100')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4100 });
    expect(parseSocketAddress('[::1]:4100')).toEqual({ kind: 'tcp', host: '::1', port: 4100 });
    expect(() => parseSocketAddress('10.0.0.5:4100')).toThrow(/on this computer/);
    expect(() => parseSocketAddress('example.com:80')).toThrow(/on this computer/);
    expect(() => parseSocketAddress('')).toThrow();
  });
});

describe('the terminal behind a socket', () => {
  it('delivers charges to the host session like the USB bridge (list, open, UART enable, reports)', async () => {
    const d = await daemon();
    const h = await socketSession(d.address);
    await waitFor(() => h.session.state.kind === 'connected', 'connected');
    expect(h.session.state).toEqual({ kind: 'connected', backend: 'simulator', device: `socket:${d.address}` });
    await waitFor(() => d.sim.device.ready, 'the UART enabled and configured');
    expect(d.sim.device.featureReports.map((r) => [...r.subarray(0, 2)])).toEqual([
      [0x41, 0x01],
      [0x50, 0x00],
    ]);
    const made = [d.sim.createCharge({ amountMinor: 12800 }), d.sim.createCharge({ amountMinor: 500 })];
    await Promise.all(made.map((c) => c.delivered));
    expect(h.charges.map((m) => m.fields.AM)).toEqual(['000000012800', '000000000500']);
    expect(d.state().charges).toHaveLength(2);
  });

  it('works over loopback TCP too', async () => {
    const d = await daemon({ socket: '127.0.0.1:0' });
    expect(d.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(d.controlAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    const h = await socketSession(d.address);
    await d.sim.createCharge({ amountMinor: 4200 }).delivered;
    expect(h.charges).toHaveLength(1);
  });

  it('lists no device while the socket file is missing, and finds it once the daemon is up', async () => {
    const file = path.join(tempDir(), 'later.sock');
    const backend = createSocketHidBackend(file);
    expect(await backend.list()).toEqual([]);
    const d = await daemon({ socket: file });
    const listed = await backend.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ path: `socket:${file}`, vendorId: 0x10c4, productId: 0xea80, usagePage: 0xff00 });
    const h = await socketSession(d.address);
    await d.sim.createCharge({ amountMinor: 1 }).delivered;
    expect(h.charges).toHaveLength(1);
  });

  it('a host that dies (socket closed, nothing ACKed) leaves its charge to the next host: delivered once', async () => {
    const d = await daemon();
    // A "host" that enables the UART and then dies without ever ACKing.
    const { connection } = await openSocketConnection(parseSocketAddress(d.address));
    await connection.sendFeatureReport(Uint8Array.of(0x41, 0x01));
    await connection.sendFeatureReport(Uint8Array.of(0x50, 0x00, 0x01, 0xc2, 0x00, 0x00, 0x00, 0x03, 0x00));
    const got: Uint8Array[] = [];
    connection.onReport((r) => got.push(r));
    const c = d.sim.createCharge({ amountMinor: 777 });
    await waitFor(() => got.length > 0, 'the CH reached the first host');
    await connection.close();
    const h = await socketSession(d.address);
    await c.delivered;
    expect([...h.keys.values()]).toEqual([1]);
    expect(d.state()).toMatchObject({ connections: 2 });
  });

  it('a second host replaces the first: the first sees an unplug, the second gets the charges', async () => {
    const d = await daemon();
    const first = await openSocketConnection(parseSocketAddress(d.address));
    const errors: string[] = [];
    first.connection.onError((e) => errors.push(e.message));
    const h = await socketSession(d.address);
    await waitFor(() => errors.length === 1, 'the first host unplugged');
    expect(errors[0]).toMatch(/could not read from HID device/);
    await d.sim.createCharge({ amountMinor: 10 }).delivered;
    expect(h.charges).toHaveLength(1);
  });

  it('control unplug: opening fails while unplugged; charges taken meanwhile arrive once after replug', async () => {
    const d = await daemon();
    const h = await socketSession(d.address);
    await d.sim.createCharge({ amountMinor: 100 }).delivered;
    d.inject({ kind: 'unplug' });
    await waitFor(() => h.session.state.kind === 'reconnecting', 'reconnecting');
    await expect(openSocketConnection(parseSocketAddress(d.address), 500)).rejects.toThrow(/refused|did not answer/);
    const during = [d.sim.createCharge({ amountMinor: 200 }), d.sim.createCharge({ amountMinor: 300 })];
    await sleep(100);
    expect(h.charges).toHaveLength(1);
    d.inject({ kind: 'replug' });
    await Promise.all(during.map((c) => c.delivered));
    expect([...h.keys.values()]).toEqual([1, 1, 1]);
    expect(h.states.some((s) => s.kind === 'reconnecting')).toBe(true);
    expect(h.session.state.kind).toBe('connected');
  });

  // The CH input report travels as 3 + 64 bytes: cut inside the length, the kind, the report ID,
  // the frame's header, its data, its last byte, and right after it.
  it.each([1, 2, 3, 4, 6, 30, 66, 67])('unplug mid-frame toward the host (socket closed after %i bytes): the charge arrives once', async (afterBytes) => {
    const d = await daemon();
    const h = await socketSession(d.address);
    await d.sim.createCharge({ amountMinor: 1 }).delivered;
    d.inject({ kind: 'cut', direction: 'to-host', afterBytes });
    const c = d.sim.createCharge({ amountMinor: 2 });
    await c.delivered;
    await d.sim.createCharge({ amountMinor: 3 }).delivered;
    expect([...h.keys.values()]).toEqual([1, 1, 1]);
    expect(d.state().connections).toBeGreaterThanOrEqual(2);
  });

  it.each([1, 3, 20, 66])('unplug mid-frame from the host (its ACK cut after %i bytes): the terminal resends, stored once', async (afterBytes) => {
    const d = await daemon();
    const h = await socketSession(d.address);
    await d.sim.createCharge({ amountMinor: 1 }).delivered;
    d.inject({ kind: 'cut', direction: 'from-host', afterBytes });
    await d.sim.createCharge({ amountMinor: 2 }).delivered;
    // The ACK never arrived: the CH came twice (to two connections), the key once.
    expect(h.charges.filter((m) => m.fields.AM === '000000000002').length).toBeGreaterThanOrEqual(1);
    expect([...h.keys.keys()]).toHaveLength(2);
    expect(d.state().connections).toBe(2);
  });

  it('a peer speaking garbage is disconnected, and the next host works', async () => {
    const d = await daemon();
    const garbage = net.createConnection({ path: d.address });
    await new Promise((r) => garbage.once('connect', r));
    const closed = new Promise((r) => garbage.once('close', r));
    garbage.resume(); // read (and drop) the HELLO, so the close is seen
    garbage.write(Buffer.from([0, 5, 0x7f, 1, 2, 3, 4]));
    await closed;
    const h = await socketSession(d.address);
    await d.sim.createCharge({ amountMinor: 5 }).delivered;
    expect(h.charges).toHaveLength(1);
  });
});

describe('the control socket (JSON lines)', () => {
  it('charge, state, idle, faults and the request events', async () => {
    const d = await daemon();
    await socketSession(d.address);
    const ctl = await SimControlClient.connect(d.controlAddress);
    try {
      expect(await ctl.request('ping')).toEqual({ pong: true });
      const c = await ctl.charge({ amountMinor: 12345 });
      expect(c).toMatchObject({ amountMinor: 12345, batch: '000001', delivered: false });
      await ctl.idle(5000);
      const state = await ctl.state();
      expect(state.charges).toEqual([{ ...c, delivered: true }]);
      expect(state.batches).toEqual([expect.objectContaining({ batch: '000001', saleCount: 1, saleMinor: 12345, settled: false })]);
      expect(state).toMatchObject({ connected: true, cable: 'in', silence: 'off', executed: [] });
      await ctl.fault({ kind: 'silence', on: true });
      expect((await ctl.state()).silence).toBe('both');
      await ctl.fault({ kind: 'silence', on: false });
      await expect(ctl.request('nonsense')).rejects.toThrow(/unknown command/);
      await expect(ctl.charge({ amountMinor: -5 })).rejects.toThrow(/amountMinor/);
    } finally {
      ctl.close();
    }
  });

  it('answers a line that is not JSON with an error, and keeps going', async () => {
    const d = await daemon();
    const sock = net.createConnection({ path: d.controlAddress });
    sock.setEncoding('utf8');
    let text = '';
    sock.on('data', (t: string) => (text += t));
    await new Promise((r) => sock.once('connect', r));
    sock.write('{oops\n{"id":7,"cmd":"ping"}\n');
    await waitFor(() => text.split('\n').filter(Boolean).length >= 2, 'two answers');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ ok: false, error: 'not JSON' });
    expect(lines[1]).toMatchObject({ id: 7, ok: true, result: { pong: true } });
    sock.destroy();
  });
});
