/**
 * A HID transport over a socket: the one device is a Unix-domain socket (a named pipe on Windows)
 * or a loopback TCP port, carrying the same 64-byte input/output reports and feature reports as USB
 * HID, length-framed. It lets the simulated terminal run in its own process (`countersign sim serve`,
 * native/sim/daemon.ts), so that killing the host does not kill the terminal.
 *
 * Wire format, both directions: `[length u16 big-endian][kind u8][payload: length-1 bytes]`.
 * - OUTPUT  (0x01, host -> device): one output report, 64 bytes, `[n, b1..bn, 0…]`.
 * - FEATURE (0x02, host -> device): one feature report, 1..64 bytes (`[0x41, 0x01]` enables the UART…).
 * - INPUT   (0x03, device -> host): one input report, 64 bytes.
 * - HELLO   (0x10, device -> host): sent once when the device accepts a connection; JSON device
 *   information (at most 1024 bytes). `open` succeeds only once it arrived: a device that is
 *   "unplugged" closes new connections without a HELLO, so they fail to open.
 * Anything else (unknown kind, a length of 0 or above the kind's maximum) is a protocol error: the
 * receiver closes the socket.
 *
 * A closed socket is an unplug: the connection's `onError` fires once with node-hid's message
 * ("could not read from HID device"), later writes refuse, and a frame cut off mid-way is dropped.
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import { DEFAULT_MATCH, type BackendAvailability, type HidBackend, type HidConnection, type HidDeviceInfo } from './types.js';

export const SOCKET_REPORT_BYTES = 64;
export const FRAME_OUTPUT = 0x01;
export const FRAME_FEATURE = 0x02;
export const FRAME_INPUT = 0x03;
export const FRAME_HELLO = 0x10;
const MAX_HELLO_BYTES = 1024;
/** How long `open` waits for the device's HELLO. */
export const OPEN_TIMEOUT_MS = 2000;
/** node-hid's (hidapi's) message for a read failure after unplug, as the memory transport uses. */
export const SOCKET_UNPLUG_MESSAGE = 'could not read from HID device';
/** The path prefix of the socket device in enumeration records (and `--backend socket:PATH`). */
export const SOCKET_PATH_PREFIX = 'socket:';

export type SocketAddress = { kind: 'path'; path: string } | { kind: 'tcp'; host: string; port: number };

/**
 * `PATH` (a Unix-domain socket, or a named pipe such as `\\.\pipe\countersign-sim` on Windows), or a
 * loopback TCP port: `tcp:PORT`, `tcp:127.0.0.1:PORT`, `127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`.
 * Anything but loopback is refused: the terminal link never leaves this computer.
 */
export function parseSocketAddress(text: string): SocketAddress {
  if (typeof text !== 'string' || text.trim() === '') throw new RangeError('a socket address is a path or a loopback TCP port');
  const t = text.trim();
  const tcp = /^(?:tcp:)?(?:(127\.0\.0\.1|localhost|\[::1\]):)?(\d{1,5})$/.exec(t);
  if (tcp && (tcp[1] !== undefined || t.startsWith('tcp:'))) {
    const port = Number(tcp[2]);
    if (port > 65535) throw new RangeError(`TCP port ${port} is out of range`);
    const host = tcp[1] === '[::1]' ? '::1' : '127.0.0.1';
    return { kind: 'tcp', host, port };
  }
  if (/^(?:tcp:)?[^/\\:]+:\d+$/.test(t)) {
    throw new RangeError(`the terminal socket must be on this computer (a path or 127.0.0.1:PORT), not ${t}`);
  }
  return { kind: 'path', path: t };
}

export function formatSocketAddress(address: SocketAddress): string {
  return address.kind === 'path' ? address.path : `${address.host === '::1' ? '[::1]' : address.host}:${address.port}`;
}

export class SocketProtocolError extends Error {
  override name = 'SocketProtocolError';
}

/** One length-framed message. */
export function encodeSocketFrame(kind: number, payload: Uint8Array): Buffer {
  const len = payload.length + 1;
  if (len > 0xffff) throw new RangeError('socket frame too long');
  const out = Buffer.allocUnsafe(len + 2);
  out.writeUInt16BE(len, 0);
  out[2] = kind;
  out.set(payload, 3);
  return out;
}

export interface SocketFrame {
  kind: number;
  payload: Uint8Array;
}

function maxPayload(kind: number): number {
  switch (kind) {
    case FRAME_OUTPUT:
    case FRAME_INPUT:
      return SOCKET_REPORT_BYTES;
    case FRAME_FEATURE:
      return SOCKET_REPORT_BYTES;
    case FRAME_HELLO:
      return MAX_HELLO_BYTES;
    default:
      return -1;
  }
}

/** Incremental decoder: bytes in any chunking -> whole frames; a partial frame waits for more. */
export class SocketFrameReader {
  private buffer: Buffer = Buffer.alloc(0);

  /** Bytes of a frame received so far but not complete. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  /** Throws SocketProtocolError on a malformed frame (the caller closes the socket). */
  push(chunk: Uint8Array): SocketFrame[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const frames: SocketFrame[] = [];
    let offset = 0;
    while (this.buffer.length - offset >= 3) {
      const len = this.buffer.readUInt16BE(offset);
      const kind = this.buffer[offset + 2]!;
      const max = maxPayload(kind);
      if (max < 0) throw new SocketProtocolError(`unknown frame kind 0x${kind.toString(16).padStart(2, '0')}`);
      if (len < 2 || len - 1 > max) throw new SocketProtocolError(`frame of kind 0x${kind.toString(16)} with bad length ${len}`);
      if (this.buffer.length - offset < 2 + len) break;
      frames.push({ kind, payload: Uint8Array.from(this.buffer.subarray(offset + 3, offset + 2 + len)) });
      offset += 2 + len;
    }
    this.buffer = offset === 0 ? this.buffer : Buffer.from(this.buffer.subarray(offset));
    return frames;
  }
}

export function connectSocket(address: SocketAddress): net.Socket {
  return address.kind === 'path'
    ? net.createConnection({ path: address.path })
    : net.createConnection({ host: address.host, port: address.port });
}

/** The device information the daemon announces in its HELLO (all optional, bounded). */
export interface SocketHello {
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
}

class SocketHidConnection implements HidConnection {
  private readonly reportListeners = new Set<(report: Uint8Array) => void>();
  private readonly errorListeners = new Set<(error: Error) => void>();
  private dead: Error | null = null;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly reader: SocketFrameReader,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error(`${SOCKET_UNPLUG_MESSAGE} (the terminal socket closed)`)));
  }

  /** Frames that arrived together with the HELLO. */
  deliver(frames: SocketFrame[]): void {
    for (const f of frames) this.onFrame(f);
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.dead) return;
    let frames: SocketFrame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.socket.destroy();
      this.fail(new Error(`${SOCKET_UNPLUG_MESSAGE} (${(e as Error).message})`));
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(frame: SocketFrame): void {
    if (this.closed || this.dead) return;
    if (frame.kind !== FRAME_INPUT) return; // a second HELLO or a host-only kind from the device: ignored
    const report = new Uint8Array(SOCKET_REPORT_BYTES);
    report.set(frame.payload);
    for (const l of [...this.reportListeners]) {
      try {
        l(report.slice());
      } catch {
        // a listener's failure must not break the transport
      }
    }
  }

  private fail(error: Error): void {
    if (this.closed || this.dead) return;
    this.dead = error.message.startsWith(SOCKET_UNPLUG_MESSAGE) ? error : new Error(`${SOCKET_UNPLUG_MESSAGE} (${error.message})`);
    const dead = this.dead;
    for (const l of [...this.errorListeners]) {
      try {
        l(dead);
      } catch {
        // ignore
      }
    }
  }

  private send(kind: number, payload: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.socket.write(encodeSocketFrame(kind, payload), (error) => (error ? reject(error) : resolve()));
    });
  }

  async write(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('Cannot write to a closed HID device');
    if (this.dead) throw new Error(`Cannot write to hid device (${this.dead.message})`);
    if (report.length === 0 || report.length > SOCKET_REPORT_BYTES) {
      throw new RangeError(`report must be 1..${SOCKET_REPORT_BYTES} bytes, got ${report.length}`);
    }
    const padded = new Uint8Array(SOCKET_REPORT_BYTES);
    padded.set(report);
    try {
      await this.send(FRAME_OUTPUT, padded);
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
  }

  async sendFeatureReport(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('Cannot send a feature report to a closed HID device');
    if (this.dead) throw new Error(`could not send feature report to device (${this.dead.message})`);
    if (report.length === 0 || report.length > SOCKET_REPORT_BYTES) {
      throw new RangeError(`feature report must be 1..${SOCKET_REPORT_BYTES} bytes, got ${report.length}`);
    }
    await this.send(FRAME_FEATURE, report);
  }

  onReport(listener: (report: Uint8Array) => void): () => void {
    this.reportListeners.add(listener);
    return () => {
      this.reportListeners.delete(listener);
    };
  }

  onError(listener: (error: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => {
      this.errorListeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reportListeners.clear();
    this.errorListeners.clear();
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      // a peer that never closes its side must not hold us up
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 200).unref();
    });
  }
}

/** Opens one connection: resolves after the device's HELLO, rejects if it closes first or is silent. */
export function openSocketConnection(address: SocketAddress, timeoutMs = OPEN_TIMEOUT_MS): Promise<{ connection: HidConnection; hello: SocketHello }> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(address);
    const reader = new SocketFrameReader();
    let settled = false;
    const finish = (error: Error | null, value?: { connection: HidConnection; hello: SocketHello }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(value!);
    };
    const timer = setTimeout(() => finish(new Error(`the terminal socket ${formatSocketAddress(address)} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const onError = (e: Error) => finish(new Error(`cannot connect to the terminal socket ${formatSocketAddress(address)}: ${e.message}`));
    const onClose = () => finish(new Error(`the terminal socket ${formatSocketAddress(address)} refused the connection (device unplugged or busy)`));
    const onData = (chunk: Buffer) => {
      let frames: SocketFrame[];
      try {
        frames = reader.push(chunk);
      } catch (e) {
        finish(new Error(`the terminal socket sent garbage: ${(e as Error).message}`));
        return;
      }
      const first = frames[0];
      if (!first) return;
      if (first.kind !== FRAME_HELLO) {
        finish(new Error('the terminal socket did not start with HELLO'));
        return;
      }
      let hello: SocketHello = {};
      try {
        const parsed = JSON.parse(Buffer.from(first.payload).toString('utf8')) as unknown;
        if (parsed && typeof parsed === 'object') hello = parsed as SocketHello;
      } catch {
        // a HELLO without readable details is still a HELLO
      }
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      const connection = new SocketHidConnection(socket, reader);
      settled = true;
      clearTimeout(timer);
      resolve({ connection, hello });
      connection.deliver(frames.slice(1));
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

export interface SocketHidBackend extends HidBackend {
  readonly address: SocketAddress;
  /** The enumeration path of the one device: `socket:<address>`. */
  readonly devicePath: string;
}

/**
 * The backend: one device, present while the socket can be reached (a Unix socket: while its file
 * exists; TCP: always listed, `open` finds out). Its record matches the CP2110 bridge (DEFAULT_MATCH),
 * so the terminal session treats it like the USB one. `kind` is 'simulator': what answers on the
 * socket is the simulated terminal's daemon.
 */
export function createSocketHidBackend(addressText: string, options: { openTimeoutMs?: number } = {}): SocketHidBackend {
  const address = parseSocketAddress(addressText);
  const devicePath = `${SOCKET_PATH_PREFIX}${formatSocketAddress(address)}`;
  let lastHello: SocketHello = {};
  const info = (): HidDeviceInfo => ({
    path: devicePath,
    vendorId: DEFAULT_MATCH.vendorId,
    productId: DEFAULT_MATCH.productId,
    usagePage: DEFAULT_MATCH.usagePage ?? 0xff00,
    usage: 0x0001,
    serialNumber: typeof lastHello.serialNumber === 'string' ? lastHello.serialNumber.slice(0, 64) : 'SOCKET',
    manufacturer: typeof lastHello.manufacturer === 'string' ? lastHello.manufacturer.slice(0, 64) : 'Countersign',
    product: typeof lastHello.product === 'string' ? lastHello.product.slice(0, 64) : 'CP2110 over a socket',
    interface: 0,
  });
  return {
    kind: 'simulator',
    address,
    devicePath,
    async availability(): Promise<BackendAvailability> {
      return { available: true };
    },
    async list(): Promise<HidDeviceInfo[]> {
      if (address.kind === 'path' && process.platform !== 'win32' && !existsSync(address.path)) return [];
      return [info()];
    },
    async open(path: string): Promise<HidConnection> {
      if (path !== devicePath) throw new Error(`cannot open device with path ${path}`);
      const { connection, hello } = await openSocketConnection(address, options.openTimeoutMs ?? OPEN_TIMEOUT_MS);
      lastHello = hello;
      return connection;
    },
  };
}
