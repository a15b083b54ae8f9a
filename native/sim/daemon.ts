/**
 * The simulated terminal in its own process (`countersign sim serve --socket PATH`): a
 * SimulatedTerminal whose CP2110 bridge is reached over a socket (native/transport/socketHid.ts)
 * instead of in memory. Killing the host does not kill the terminal: its batch, its trace counter,
 * the charges it still has to deliver and its at-most-once log of executed host requests live on,
 * and the next host that connects picks up where the last one stopped.
 *
 * - Data socket (PATH): one host at a time. A new connection replaces the old one (the cable moved
 *   to the new host). A closed connection is an unplug followed by a replug: the bridge goes back to
 *   its power-on state (UART off), the terminal drops answers it could not deliver (the host asks QT)
 *   and keeps every charge it has not delivered.
 * - Control socket (PATH.ctl, or the TCP port after the data port): JSON lines for tests and the crash
 *   harness. Request `{"id":1,"cmd":"charge","amountMinor":12800}`, answer
 *   `{"id":1,"ok":true,"result":{…}}` or `{"id":1,"ok":false,"error":"…"}`. Commands: `ping`,
 *   `charge`, `state`, `idle`, `fault`, `subscribe` (then events `{"event":"request",…}` for every host
 *   request the terminal takes in, `{"event":"host","state":"connected"|"disconnected"}`).
 * - Socket faults on top of the terminal's own (SimFault): `cut` closes the data connection after
 *   a chosen number of bytes in one direction (mid-frame, mid-void…); `silence` drops every byte
 *   while keeping the connection open (a terminal that stops talking).
 */
import { rmSync } from 'node:fs';
import net from 'node:net';
import type { HidConnection } from '../transport/types.js';
import {
  FRAME_FEATURE,
  FRAME_HELLO,
  FRAME_INPUT,
  FRAME_OUTPUT,
  SocketFrameReader,
  connectSocket,
  encodeSocketFrame,
  formatSocketAddress,
  parseSocketAddress,
  type SocketAddress,
} from '../transport/socketHid.js';
import {
  SimulatedTerminal,
  type BatchTotals,
  type ChargeOptions,
  type EntryMode,
  type SimExecution,
  type SimFault,
  type SimRequestEvent,
  type SimStats,
  type SimTransaction,
  type SimulatedTerminalOptions,
} from './terminal.js';

export type SocketFault =
  /** Close the data connection once `afterBytes` more bytes went that way (0 = at once); the rest of that write is lost. */
  | { kind: 'cut'; direction: 'to-host' | 'from-host'; afterBytes: number }
  /** Drop every byte (`both` directions, or only what the terminal sends `to-host`) while the connection stays open. */
  | { kind: 'silence'; on: boolean; direction?: 'both' | 'to-host' };

export type DaemonFault = SimFault | SocketFault;

export interface SimDaemonOptions {
  /** Data socket: a path, or a loopback TCP port (`127.0.0.1:0` picks one). */
  socket: string;
  /** Control socket; default `<path>.ctl`, or the next TCP port (a free one when the data port is 0). */
  control?: string;
  seed?: number;
  /** ST interval while idle; default 5000, 0 = never. */
  statusIntervalMs?: number;
  /** More terminal options (clock, link timing…). */
  terminal?: Omit<SimulatedTerminalOptions, 'seed' | 'statusIntervalMs'>;
  log?: (message: string) => void;
}

export interface DaemonCharge {
  seq: string;
  batch: string;
  trace: string;
  rrn: string;
  amountMinor: number;
  terminalId: string;
  delivered: boolean;
}

export interface SimDaemonState {
  terminalId: string;
  merchantId: string;
  currency: string;
  openBatch: string;
  connected: boolean;
  cable: 'in' | 'out';
  silence: 'off' | 'both' | 'to-host';
  /** Host connections accepted so far. */
  connections: number;
  pendingFrames: number;
  charges: DaemonCharge[];
  /** Host requests executed (never the replays), in order: the at-most-once log. */
  executed: SimExecution[];
  transactions: SimTransaction[];
  batches: (BatchTotals & { settled: boolean })[];
  stats: SimStats;
}

export interface SimDaemon {
  readonly sim: SimulatedTerminal;
  /** The data socket as listened on (the real port for TCP). */
  readonly address: string;
  readonly controlAddress: string;
  inject(fault: DaemonFault): void;
  state(): SimDaemonState;
  /** Resolves when a host has the bridge open and its UART enabled. */
  whenConnected(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

interface Client {
  socket: net.Socket;
  conn: HidConnection;
  reader: SocketFrameReader;
  gone: boolean;
  /** A from-host cut happened: nothing more is read from this connection. */
  cutting: boolean;
}

const MAX_CONTROL_LINE = 64 * 1024;

function controlAddressFor(data: SocketAddress, explicit?: string): SocketAddress {
  if (explicit) return parseSocketAddress(explicit);
  if (data.kind === 'path') return { kind: 'path', path: `${data.path}.ctl` };
  return { kind: 'tcp', host: data.host, port: data.port === 0 ? 0 : data.port + 1 };
}

async function listen(server: net.Server, address: SocketAddress): Promise<SocketAddress> {
  if (address.kind === 'path' && process.platform !== 'win32') rmSync(address.path, { force: true }); // a stale socket file
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (address.kind === 'path') server.listen(address.path, () => resolve());
    else server.listen(address.port, address.host, () => resolve());
  });
  if (address.kind === 'path') return address;
  const bound = server.address();
  return { kind: 'tcp', host: address.host, port: typeof bound === 'object' && bound ? bound.port : address.port };
}

export async function startSimDaemon(options: SimDaemonOptions): Promise<SimDaemon> {
  const log = options.log ?? (() => {});
  const dataAddress = parseSocketAddress(options.socket);
  const sim = new SimulatedTerminal({
    ...options.terminal,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    statusIntervalMs: options.statusIntervalMs ?? 5000,
  });
  const delivered = new Set<string>();
  const tracked = new WeakSet<object>();
  /** Every charge the terminal made (however it was asked to), with whether the host has ACKed it. */
  const trackCharges = () => {
    for (const c of sim.charges) {
      if (tracked.has(c)) continue;
      tracked.add(c);
      void c.delivered.then(() => delivered.add(c.seq));
    }
  };
  let client: Client | null = null;
  let cable: 'in' | 'out' = 'in';
  let silence: 'off' | 'both' | 'to-host' = 'off';
  let cutToHost: number | null = null;
  let cutFromHost: number | null = null;
  let connections = 0;
  const subscribers = new Set<net.Socket>();
  const connectedWaiters = new Set<() => void>();

  const broadcast = (event: Record<string, unknown>) => {
    const line = `${JSON.stringify(event)}\n`;
    for (const s of subscribers) if (!s.destroyed) s.write(line);
  };
  sim.onRequest((e: SimRequestEvent) => broadcast({ event: 'request', ...e }));
  sim.device.terminal.onReady(() => {
    broadcast({ event: 'host', state: 'connected' });
    for (const w of [...connectedWaiters]) w();
  });

  const drop = (c: Client, why: string, graceful = false) => {
    if (c.gone) return;
    c.gone = true;
    if (graceful && !c.socket.destroyed) {
      // Let what was written go out first (a cut delivers exactly its bytes), then close.
      c.socket.end();
      setTimeout(() => c.socket.destroy(), 200).unref();
    } else if (!c.socket.destroyed) c.socket.destroy();
    void c.conn.close();
    if (client === c) {
      client = null;
      log(`host disconnected (${why})`);
      broadcast({ event: 'host', state: 'disconnected', reason: why });
      // The host went away: to the terminal that is an unplug. Plug the bridge straight back in for
      // the next host unless the cable was pulled on purpose.
      sim.device.unplug();
      if (cable === 'in') sim.device.replug();
    }
  };

  const toHost = (c: Client, bytes: Buffer) => {
    if (c.gone || silence !== 'off') return;
    if (cutToHost !== null) {
      if (bytes.length >= cutToHost) {
        const n = cutToHost;
        cutToHost = null;
        if (n > 0) c.socket.write(bytes.subarray(0, n));
        drop(c, 'cut after the chosen byte (to host)', true);
        return;
      }
      cutToHost -= bytes.length;
    }
    c.socket.write(bytes);
  };

  const fromHost = (c: Client, chunk: Buffer) => {
    if (c.gone || c.cutting) return;
    let bytes = chunk;
    let cutNow = false;
    if (cutFromHost !== null) {
      if (bytes.length >= cutFromHost) {
        bytes = bytes.subarray(0, cutFromHost);
        cutFromHost = null;
        cutNow = true;
      } else cutFromHost -= bytes.length;
    }
    if (silence === 'both') bytes = Buffer.alloc(0);
    let frames;
    try {
      frames = c.reader.push(bytes);
    } catch (e) {
      drop(c, `protocol error: ${(e as Error).message}`);
      return;
    }
    for (const f of frames) {
      if (f.kind === FRAME_OUTPUT) c.conn.write(f.payload).catch(() => {});
      else if (f.kind === FRAME_FEATURE) c.conn.sendFeatureReport(f.payload).catch(() => {});
      else {
        drop(c, `unexpected frame kind ${f.kind} from the host`);
        return;
      }
    }
    if (cutNow) {
      // What arrived before the cut reaches the terminal (delivery is a microtask), then the line goes dead.
      c.cutting = true;
      setImmediate(() => drop(c, 'cut after the chosen byte (from host)'));
    }
  };

  const dataServer = net.createServer((socket) => {
    socket.setNoDelay?.(true);
    if (client) drop(client, 'replaced by a new connection');
    if (cable === 'out') {
      socket.destroy(); // unplugged: no HELLO, the host's open fails
      return;
    }
    if (!sim.device.plugged) sim.device.replug();
    connections++;
    const conn = sim.device.openHost();
    const c: Client = { socket, conn, reader: new SocketFrameReader(), gone: false, cutting: false };
    client = c;
    conn.onReport((report) => toHost(c, encodeSocketFrame(FRAME_INPUT, report)));
    conn.onError(() => drop(c, 'unplugged'));
    socket.on('data', (chunk: Buffer) => fromHost(c, chunk));
    socket.on('error', () => drop(c, 'socket error'));
    socket.on('close', () => drop(c, 'closed by the host'));
    const hello = { serialNumber: 'SIM-SOCKET', manufacturer: 'Countersign', product: 'Simulated terminal (CP2110 over a socket)' };
    socket.write(encodeSocketFrame(FRAME_HELLO, Buffer.from(JSON.stringify(hello))));
    log(`host connected (#${connections})`);
  });

  const inject = (fault: DaemonFault) => {
    switch (fault.kind) {
      case 'cut':
        if (!Number.isSafeInteger(fault.afterBytes) || fault.afterBytes < 0) throw new RangeError('afterBytes is a whole number');
        if (fault.direction === 'to-host') cutToHost = fault.afterBytes;
        else cutFromHost = fault.afterBytes;
        if (fault.afterBytes === 0 && client) drop(client, 'cut at once');
        return;
      case 'silence':
        silence = fault.on ? (fault.direction ?? 'both') : 'off';
        return;
      case 'unplug':
        cable = 'out';
        if (client) drop(client, 'unplugged');
        sim.device.unplug();
        return;
      case 'replug':
        cable = 'in';
        if (!sim.device.plugged) sim.device.replug();
        return;
      default:
        sim.inject(fault);
    }
  };

  const charge = (input: Record<string, unknown>) => {
    const options: ChargeOptions = {};
    if (input.amountMinor !== undefined) options.amountMinor = Number(input.amountMinor);
    if (typeof input.pan === 'string') options.pan = input.pan;
    if (typeof input.entryMode === 'string') options.entryMode = input.entryMode as EntryMode;
    const c = sim.createCharge(options);
    trackCharges();
    return { seq: c.seq, batch: c.batch, trace: c.trace, rrn: c.rrn, amountMinor: c.amountMinor, terminalId: sim.terminalId, delivered: false };
  };

  const state = (): SimDaemonState => {
    trackCharges();
    return {
    terminalId: sim.terminalId,
    merchantId: sim.merchantId,
    currency: sim.currency,
    openBatch: sim.batchNumber,
    connected: client !== null && sim.device.ready,
    cable,
    silence,
    connections,
    pendingFrames: sim.pendingFrames,
    charges: sim.charges.map((c) => ({
      seq: c.seq,
      batch: c.batch,
      trace: c.trace,
      rrn: c.rrn,
      amountMinor: c.amountMinor,
      terminalId: c.fields.TI ?? sim.terminalId,
      delivered: delivered.has(c.seq),
    })),
    executed: sim.executed.map((e) => ({ ...e, request: { ...e.request }, response: { ...e.response } })),
    transactions: sim.transactions(),
    batches: sim.batchReports(),
    stats: { ...sim.stats },
    };
  };

  const whenConnected = (timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      if (client && sim.device.ready) return resolve();
      const done = () => {
        clearTimeout(timer);
        connectedWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        connectedWaiters.delete(done);
        reject(new Error(`no host connected to the simulated terminal within ${timeoutMs} ms`));
      }, timeoutMs);
      connectedWaiters.add(done);
    });

  async function handleControl(request: Record<string, unknown>, socket: net.Socket): Promise<unknown> {
    switch (request.cmd) {
      case 'ping':
        return { pong: true };
      case 'charge':
        return charge(request);
      case 'state':
        return state();
      case 'idle':
        await sim.whenIdle(typeof request.timeoutMs === 'number' ? request.timeoutMs : 10_000);
        return { idle: true };
      case 'connected':
        await whenConnected(typeof request.timeoutMs === 'number' ? request.timeoutMs : 10_000);
        return { connected: true };
      case 'fault':
        inject(request.fault as DaemonFault);
        return { ok: true };
      case 'subscribe':
        subscribers.add(socket);
        return { subscribed: true };
      default:
        throw new Error(`unknown command ${String(request.cmd)}`);
    }
  }

  const controlServer = net.createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      buffer += text;
      if (buffer.length > MAX_CONTROL_LINE && !buffer.includes('\n')) {
        socket.destroy();
        return;
      }
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        let request: Record<string, unknown>;
        try {
          request = JSON.parse(line) as Record<string, unknown>;
        } catch {
          socket.write(`${JSON.stringify({ id: null, ok: false, error: 'not JSON' })}\n`);
          continue;
        }
        const id = request.id ?? null;
        handleControl(request, socket).then(
          (result) => !socket.destroyed && socket.write(`${JSON.stringify({ id, ok: true, result })}\n`),
          (error: unknown) => !socket.destroyed && socket.write(`${JSON.stringify({ id, ok: false, error: (error as Error).message })}\n`),
        );
      }
    });
    socket.on('close', () => subscribers.delete(socket));
    socket.on('error', () => subscribers.delete(socket));
  });

  const boundData = await listen(dataServer, dataAddress);
  const boundControl = await listen(controlServer, controlAddressFor(boundData, options.control));
  log(`simulated terminal on ${formatSocketAddress(boundData)} (control ${formatSocketAddress(boundControl)})`);

  return {
    sim,
    address: formatSocketAddress(boundData),
    controlAddress: formatSocketAddress(boundControl),
    inject,
    state,
    whenConnected,
    async close() {
      for (const s of subscribers) s.destroy();
      if (client) drop(client, 'daemon stopping');
      const closing = [dataServer, controlServer].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      sim.stop();
      await Promise.all(closing);
      for (const a of [boundData, boundControl]) if (a.kind === 'path' && process.platform !== 'win32') rmSync(a.path, { force: true });
    },
  };
}

/** A client of the control socket (tests, the crash harness). */
export class SimControlClient {
  private buffer = '';
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Set<(event: Record<string, unknown>) => void>();

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.trim()) this.onLine(JSON.parse(line) as Record<string, unknown>);
      }
    });
    const fail = () => {
      for (const w of this.waiting.values()) w.reject(new Error('the simulator control socket closed'));
      this.waiting.clear();
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  static connect(address: string): Promise<SimControlClient> {
    return new Promise((resolve, reject) => {
      const socket = connectSocket(parseSocketAddress(address));
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new SimControlClient(socket));
      });
      socket.once('error', reject);
    });
  }

  private onLine(message: Record<string, unknown>): void {
    if (typeof message.event === 'string') {
      for (const l of [...this.listeners]) l(message);
      return;
    }
    const w = this.waiting.get(message.id as number);
    if (!w) return;
    this.waiting.delete(message.id as number);
    if (message.ok) w.resolve(message.result);
    else w.reject(new Error(String(message.error)));
  }

  request<T = unknown>(cmd: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(`${JSON.stringify({ ...params, id, cmd })}\n`);
    });
  }

  charge(options: { amountMinor?: number; pan?: string; entryMode?: EntryMode } = {}): Promise<DaemonCharge> {
    return this.request('charge', options);
  }

  state(): Promise<SimDaemonState> {
    return this.request('state');
  }

  idle(timeoutMs = 10_000): Promise<void> {
    return this.request('idle', { timeoutMs });
  }

  fault(fault: DaemonFault): Promise<void> {
    return this.request('fault', { fault });
  }

  /** Receive the daemon's events (host requests taken in, host connected/disconnected). */
  async subscribe(listener: (event: Record<string, unknown>) => void): Promise<() => void> {
    this.listeners.add(listener);
    await this.request('subscribe');
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.socket.destroy();
  }
}
