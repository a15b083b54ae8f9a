/**
 * The host side of the ECR-HID link: finds the terminal, keeps the link up across unplug / replug /
 * read errors, hands charges and statuses to the core, and sends the core's requests.
 *
 * - Discovery: list -> match -> open -> UART enable + 115200 8N1 feature reports -> connected.
 *   No matching device: state 'searching' (or 'reconnecting' after a loss), the device list is
 *   polled every `pollIntervalMs`. A device that lists but cannot be opened / enabled: back-off
 *   250 ms doubling to 10 s. After a loss the list is polled at min(back-off, pollIntervalMs).
 * - A read error / unplug / failed write: the link is reset, every request in flight resolves
 *   `unknown`, state 'reconnecting'. Nothing the core acknowledged is lost: a CH is ACKed only after
 *   `onCharge` resolved (LinkEndpoint), so a CH cut off by an unplug is sent again by the terminal.
 * - Incoming: CH -> onCharge (duplicates included: the core dedupes by TI/BT/TR; they are ACKed
 *   again); ST -> onStatus; RS -> the pending request whose key is RQ (a request's own SEQ, or QS
 *   for a QT, since the terminal replays with RQ = QS), validated as that request type's response,
 *   else onUnsolicitedResponse.
 * - A message that does not decode is reported to onLinkError and logged masked (without the frame
 *   at all for card-data faults), and still ACKed: the frame was good at the link level and a
 *   retransmission would fail the same way (same rule as hostDecoder / `countersign decode`).
 *   If onCharge throws, the CH is not ACKed and the terminal retries.
 * - `send` never resends with a new SEQ: link failure, response timeout, unplug or "not connected"
 *   -> `{kind:'unknown'}`; the core asks QT later. A request that cannot be encoded rejects with
 *   the codec's MessageFormatError (a caller bug; nothing was sent).
 */
import { decodeMessage, encodeMessage, latin1, type ResponseContext } from '../link/codec.js';
import { LinkEndpoint, type LinkTimers } from '../link/linkEndpoint.js';
import { maskForLog } from '../link/panGuard.js';
import { bytesToReports, padReport, reportToBytes } from '../link/reassembly.js';
import type { LinkMessage } from '../link/types.js';
import { filterDevices, openTerminal } from '../transport/discovery.js';
import { DEFAULT_MATCH, type HidBackend, type HidConnection, type HidDeviceInfo, type HidMatch } from '../transport/types.js';
import type {
  DeviceLog,
  HostRequest,
  LinkState,
  RequestOutcome,
  TerminalSession,
  TerminalSessionHandlers,
} from './types.js';

export interface ReconnectOptions {
  /** First back-off delay. Default 250 ms. */
  initialMs?: number;
  /** Back-off ceiling. Default 10 000 ms. */
  maxMs?: number;
}

export interface TerminalSessionOptions {
  backend: HidBackend;
  /** Default DEFAULT_MATCH (0x10C4:0xEA80, usage page 0xFF00). */
  match?: HidMatch;
  handlers: TerminalSessionHandlers;
  /** Wait for an RS after the request frame was ACKed. Default 30 000 ms. */
  responseTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  /** Device-list polling while no terminal is present. Default 2000 ms. */
  pollIntervalMs?: number;
  /** Link timing (spec: 1000 ms, 3 sends); injectable for tests. */
  ackTimeoutMs?: number;
  maxSends?: number;
  linkTimers?: LinkTimers;
  log?: DeviceLog;
}

export interface SessionStats {
  /** Noise bytes skipped between frames (all connections). */
  noiseBytes: number;
  /** Link-level errors (lrc / length / etx / report). */
  linkErrors: number;
  /** Frames good at the link level whose message was rejected. */
  rejectedMessages: number;
  chargesDelivered: number;
  connects: number;
}

interface PendingRequest {
  key: string;
  ctx: ResponseContext;
  resolve: (outcome: RequestOutcome) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
}

interface Active {
  gen: number;
  conn: HidConnection;
  link: LinkEndpoint;
  device: HidDeviceInfo;
  ready: boolean;
  unsubscribe: (() => void)[];
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : typeof e === 'string' ? e : String(e));

export class HidTerminalSession implements TerminalSession {
  private readonly backend: HidBackend;
  private readonly match: HidMatch;
  private readonly handlers: TerminalSessionHandlers;
  private readonly responseTimeoutMs: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly pollIntervalMs: number;
  private readonly opts: TerminalSessionOptions;

  private current: LinkState = { kind: 'stopped' };
  private running = false;
  private gen = 0;
  private active: Active | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;
  private everConnected = false;
  private connecting = false;
  private readonly pending = new Map<string, PendingRequest[]>();
  private noiseOfClosedLinks = 0;
  private readonly counters = { linkErrors: 0, rejectedMessages: 0, chargesDelivered: 0, connects: 0 };

  constructor(options: TerminalSessionOptions) {
    this.opts = options;
    this.backend = options.backend;
    this.match = options.match ?? DEFAULT_MATCH;
    this.handlers = options.handlers;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 30_000;
    this.backoffInitialMs = options.reconnect?.initialMs ?? 250;
    this.backoffMaxMs = options.reconnect?.maxMs ?? 10_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
  }

  get state(): LinkState {
    return this.current;
  }

  get stats(): SessionStats {
    return {
      ...this.counters,
      noiseBytes: this.noiseOfClosedLinks + (this.active?.link.noiseBytes ?? 0),
    };
  }

  /** The device currently connected, if any. */
  get device(): HidDeviceInfo | undefined {
    return this.active?.ready ? this.active.device : undefined;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.everConnected = false;
    let availability;
    try {
      availability = await this.backend.availability();
    } catch (e) {
      availability = { available: false as const, reason: errText(e) };
    }
    if (!this.running) return;
    if (!availability.available) {
      this.logAt('error', `HID backend ${this.backend.kind} unavailable: ${availability.reason}`);
      if (this.backend.kind === 'node-hid') {
        // A missing module or libusb does not fix itself while running: report and stay down.
        this.setState({ kind: 'unavailable', backend: 'node-hid', reason: availability.reason });
        return;
      }
      this.setState({ kind: 'searching', backend: this.backend.kind });
      this.schedule(this.pollIntervalMs);
      return;
    }
    this.setState({ kind: 'searching', backend: this.backend.kind });
    await this.tryConnect();
  }

  async stop(): Promise<void> {
    if (!this.running && this.current.kind === 'stopped') return;
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const a = this.active;
    this.dropActive();
    this.failAllPending('session stopped');
    if (a) await a.conn.close().catch(() => {});
    this.setState({ kind: 'stopped' });
  }

  async send(request: HostRequest): Promise<RequestOutcome> {
    const message: LinkMessage = { type: request.type, seq: request.seq, fields: request.fields };
    const data = encodeMessage(message); // throws MessageFormatError: nothing is sent
    const a = this.active;
    if (!this.running || !a || !a.ready) {
      this.logAt('warn', `${request.type} ${request.seq} not sent: terminal not connected`);
      return { kind: 'unknown', reason: 'terminal not connected' };
    }
    const key = request.type === 'QT' ? request.fields.QS! : request.seq;
    const ctx: ResponseContext =
      request.type === 'QT'
        ? request.originalType
          ? { responseTo: 'QT', originalType: request.originalType }
          : { responseTo: 'QT' }
        : { responseTo: request.type };
    return new Promise<RequestOutcome>((resolve) => {
      const p: PendingRequest = { key, ctx, resolve, timer: undefined, done: false };
      const list = this.pending.get(key);
      if (list) list.push(p);
      else this.pending.set(key, [p]);
      this.logAt('info', `sending ${request.type} ${request.seq}`);
      a.link.sendFrame(data).then(
        () => {
          if (p.done) return;
          p.timer = setTimeout(() => {
            this.finish(p, { kind: 'unknown', reason: `no response within ${this.responseTimeoutMs} ms` });
          }, this.responseTimeoutMs);
        },
        (e: unknown) => {
          if (p.done) return;
          this.finish(p, { kind: 'unknown', reason: `link: ${errText(e)}` });
        },
      );
    });
  }

  // ---- connection management -----------------------------------------------------------------

  private setState(state: LinkState): void {
    this.current = state;
    try {
      this.handlers.onLinkState?.(state);
    } catch (e) {
      this.logAt('error', `onLinkState handler failed: ${errText(e)}`);
    }
  }

  private backoff(attempt: number): number {
    const ms = this.backoffInitialMs * 2 ** Math.max(0, attempt - 1);
    return Math.min(ms, this.backoffMaxMs);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.tryConnect();
    }, ms);
  }

  /** One discovery + open attempt; on failure, schedules the next one. */
  private async tryConnect(): Promise<void> {
    if (!this.running || this.active || this.connecting) return;
    this.connecting = true;
    try {
      await this.connectOnce();
    } finally {
      this.connecting = false;
    }
  }

  private async connectOnce(): Promise<void> {
    let devices: HidDeviceInfo[];
    try {
      devices = filterDevices(await this.backend.list(), this.match);
    } catch (e) {
      this.retry(`device enumeration failed: ${errText(e)}`, false);
      return;
    }
    if (!this.running) return;
    const device = devices[0];
    if (!device) {
      this.retry('no terminal found', true);
      return;
    }
    let conn: HidConnection;
    try {
      conn = await this.backend.open(device.path);
    } catch (e) {
      this.retry(`cannot open ${device.path}: ${errText(e)}`, false);
      return;
    }
    if (!this.running) {
      await conn.close().catch(() => {});
      return;
    }
    const gen = ++this.gen;
    const link = this.createLink(gen);
    const a: Active = { gen, conn, link, device, ready: false, unsubscribe: [] };
    this.active = a;
    a.unsubscribe.push(
      conn.onReport((r) => {
        if (this.active === a) this.onReport(a, r);
      }),
      conn.onError((e) => {
        if (this.active === a) this.lost(`read error: ${errText(e)}`);
      }),
    );
    try {
      await openTerminal(conn);
    } catch (e) {
      if (this.active === a) {
        this.dropActive();
        await conn.close().catch(() => {});
        this.retry(`cannot enable the terminal's UART on ${device.path}: ${errText(e)}`, false);
      }
      return;
    }
    if (this.active !== a || !this.running) return; // lost while enabling
    a.ready = true;
    this.attempt = 0;
    this.everConnected = true;
    this.counters.connects++;
    this.logAt('info', `terminal connected on ${device.path}`);
    this.setState({ kind: 'connected', backend: this.backend.kind, device: device.path });
    try {
      const r = this.handlers.onConnected?.() as unknown;
      if (r && typeof (r as Promise<unknown>).catch === 'function') {
        (r as Promise<unknown>).catch((e) => this.logAt('error', `onConnected handler failed: ${errText(e)}`));
      }
    } catch (e) {
      this.logAt('error', `onConnected handler failed: ${errText(e)}`);
    }
  }

  /** Schedule the next attempt. `absent`: no device listed (poll), else back-off. */
  private retry(reason: string, absent: boolean): void {
    if (!this.running) return;
    if (absent && !this.everConnected && this.attempt === 0) {
      this.setState({ kind: 'searching', backend: this.backend.kind });
      this.schedule(this.pollIntervalMs);
      return;
    }
    this.attempt++;
    let delay = this.backoff(this.attempt);
    if (absent) delay = Math.min(delay, this.pollIntervalMs);
    this.logAt(absent ? 'debug' : 'warn', `${reason}; retry ${this.attempt} in ${delay} ms`);
    this.setState({
      kind: 'reconnecting',
      backend: this.backend.kind,
      attempt: this.attempt,
      nextRetryMs: delay,
      reason,
    });
    this.schedule(delay);
  }

  /** The connection died: reset the link, fail requests in flight, reconnect with back-off. */
  private lost(reason: string): void {
    const a = this.active;
    if (!a) return;
    const wasReady = a.ready;
    this.dropActive();
    void a.conn.close().catch(() => {});
    this.failAllPending(`device disconnected (${reason})`);
    this.logAt('warn', `terminal link lost: ${reason}`);
    if (!this.running) return;
    if (wasReady) this.attempt = 0;
    this.retry(reason, false);
  }

  private dropActive(): void {
    const a = this.active;
    if (!a) return;
    this.active = undefined;
    this.gen++;
    for (const u of a.unsubscribe) u();
    this.noiseOfClosedLinks += a.link.noiseBytes;
    a.link.reset();
  }

  private createLink(gen: number): LinkEndpoint {
    return new LinkEndpoint({
      writeBytes: async (bytes: Uint8Array) => {
        const a = this.active;
        if (!a || a.gen !== gen) throw new Error('connection closed');
        try {
          for (const r of bytesToReports(bytes)) await a.conn.write(padReport(r));
        } catch (e) {
          if (this.active === a) this.lost(`write failed: ${errText(e)}`);
          throw e;
        }
      },
      onFrame: (data: Uint8Array) => this.onFrame(data),
      onLinkError: (err) => {
        this.counters.linkErrors++;
        this.reportLinkError(err.code, err.detail);
      },
      onFrameError: (e) => this.logAt('warn', `frame handler failed, frame left un-ACKed: ${errText(e)}`),
      ...(this.opts.ackTimeoutMs !== undefined ? { ackTimeoutMs: this.opts.ackTimeoutMs } : {}),
      ...(this.opts.maxSends !== undefined ? { maxSends: this.opts.maxSends } : {}),
      ...(this.opts.linkTimers ? { timers: this.opts.linkTimers } : {}),
    });
  }

  // ---- receiving -----------------------------------------------------------------------------

  private onReport(a: Active, report: Uint8Array): void {
    const r = reportToBytes(report);
    if (!r.ok) {
      this.counters.linkErrors++;
      this.reportLinkError('report', r.detail);
      return;
    }
    a.link.receive(r.bytes.slice());
  }

  private async onFrame(data: Uint8Array): Promise<void | 'no-ack'> {
    const d = decodeMessage(data);
    if (!d.ok) {
      this.counters.rejectedMessages++;
      this.reportLinkError(d.code, d.detail);
      if (d.code === 'pan-unmasked') {
        this.logAt('warn', `rejected a frame (${d.code}): ${d.detail}; frame not kept`);
      } else {
        this.logAt('warn', `rejected a frame (${d.code}): ${d.detail}; frame: ${latin1(data)}`);
      }
      return; // ACKed: good at the link level, a retransmission would not decode either
    }
    const msg = d.message;
    switch (msg.type) {
      case 'CH':
        try {
          await this.handlers.onCharge(msg);
        } catch (e) {
          this.logAt('error', `charge ${msg.fields.TI}/${msg.fields.BT}/${msg.fields.TR} not stored, not ACKed: ${errText(e)}`);
          return 'no-ack';
        }
        this.counters.chargesDelivered++;
        this.logAt('debug', `charge ${msg.fields.TI}/${msg.fields.BT}/${msg.fields.TR} stored`);
        return;
      case 'ST':
        try {
          this.handlers.onStatus?.(msg);
        } catch (e) {
          this.logAt('error', `onStatus handler failed: ${errText(e)}`);
        }
        return;
      case 'RS':
        this.onResponse(data, msg);
        return;
      default:
        this.logAt('warn', `ignored a ${msg.type} message from the terminal (a host message type)`);
        return;
    }
  }

  private onResponse(data: Uint8Array, loose: LinkMessage): void {
    const rq = loose.fields.RQ!;
    const waiting = this.pending.get(rq);
    if (!waiting || waiting.length === 0) {
      this.logAt('info', `response to ${rq} matches no pending request (RC ${loose.fields.RC})`);
      try {
        this.handlers.onUnsolicitedResponse?.(loose);
      } catch (e) {
        this.logAt('error', `onUnsolicitedResponse handler failed: ${errText(e)}`);
      }
      return;
    }
    for (const p of [...waiting]) {
      const strict = decodeMessage(data, p.ctx);
      if (strict.ok) {
        this.finish(p, { kind: 'response', response: strict.message });
      } else {
        this.counters.rejectedMessages++;
        this.reportLinkError(strict.code, strict.detail);
        this.finish(p, { kind: 'unknown', reason: `malformed response (${strict.code}: ${strict.detail})` });
      }
    }
  }

  private finish(p: PendingRequest, outcome: RequestOutcome): void {
    if (p.done) return;
    p.done = true;
    if (p.timer) clearTimeout(p.timer);
    const list = this.pending.get(p.key);
    if (list) {
      const i = list.indexOf(p);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.pending.delete(p.key);
    }
    if (outcome.kind === 'unknown') this.logAt('warn', `request for ${p.key}: outcome unknown (${outcome.reason})`);
    p.resolve(outcome);
  }

  private failAllPending(reason: string): void {
    for (const list of [...this.pending.values()]) {
      for (const p of [...list]) this.finish(p, { kind: 'unknown', reason });
    }
  }

  private reportLinkError(code: string, detail: string): void {
    try {
      this.handlers.onLinkError?.({ code, detail: maskForLog(detail) });
    } catch (e) {
      this.logAt('error', `onLinkError handler failed: ${errText(e)}`);
    }
  }

  private logAt(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    const log = this.opts.log;
    if (!log) return;
    const fn = log[level];
    if (!fn) return;
    try {
      fn.call(log, maskForLog(message));
    } catch {
      // a logger failure must not take the link down
    }
  }
}

export function createTerminalSession(options: TerminalSessionOptions): HidTerminalSession {
  return new HidTerminalSession(options);
}
