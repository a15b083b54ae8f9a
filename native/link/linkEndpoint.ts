/**
 * The ARQ half of the link (spec section 2), shared by the host session and the simulated
 * terminal: stop-and-wait with ACK/NAK, 1000 ms ACK timeout, at most 3 sends of the same frame.
 *
 * - Receiving: a good frame is handed to `onFrame`; only once that resolves is ACK (0x06) written.
 *   If `onFrame` throws / rejects or returns 'no-ack', nothing is written (the peer retransmits).
 *   A link error (lrc / length / etx) is reported to `onLinkError` and answered with NAK (0x15).
 *   Frames are handled one at a time, in arrival order; ACK/NAK answers leave in that order too.
 * - Sending: `sendFrame` queues the frame; one frame is in flight at a time. On NAK or when no
 *   answer arrives within `ackTimeoutMs` after the write completed, the SAME frame is sent again,
 *   `maxSends` sends in all; then the promise rejects with LinkSendFailedError.
 *   ACK/NAK bytes arriving while nothing is in flight are ignored.
 * - Full duplex: frames from the peer are handled while a send waits for its ACK.
 * - All writes (frames, ACK, NAK) go through one queue, so a one-byte ACK never lands inside a
 *   frame that the transport is still writing report by report.
 * - `reset()` (after unplug): pending sends are rejected (reason 'reset'), the parser is cleared,
 *   and answers still owed for frames of the old connection are not written.
 * - Inter-byte timeout: when a partial frame has seen no new byte for `interByteTimeoutMs`, it is
 *   abandoned silently and the bytes after its STX are re-scanned (FrameParser.flushAtEnd), so a
 *   corrupted, too-large LEN cannot make the receiver swallow the peer's retransmissions. The flush
 *   runs one timer turn after the timeout fired, so bytes that were already queued behind a stalled
 *   event loop are delivered first.
 */
import { FrameParser, encodeFrame, type FrameEvent } from './framing.js';
import { ACK, ACK_TIMEOUT_MS, MAX_SENDS, NAK, type LinkErrorEvent } from './types.js';

export type LinkSendFailureReason = 'nak' | 'timeout' | 'write' | 'reset';

export class LinkSendFailedError extends Error {
  readonly reason: LinkSendFailureReason;
  /** How many times the frame was written. */
  readonly sends: number;
  constructor(reason: LinkSendFailureReason, sends: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkSendFailedError';
    this.reason = reason;
    this.sends = sends;
  }
}

export interface LinkTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LinkEndpointOptions {
  /** Write raw link bytes (a whole frame, or one ACK/NAK byte). Calls are never overlapped. */
  writeBytes(bytes: Uint8Array): void | Promise<void>;
  /** A good frame's DATA. ACK is written after this resolves; throw or return 'no-ack' to withhold it. */
  onFrame(data: Uint8Array): void | 'no-ack' | Promise<void | 'no-ack'>;
  /** A frame that was bad at the link level (it is NAKed). Details carry no card data. */
  onLinkError?(error: LinkErrorEvent): void;
  /** onFrame threw or rejected (the frame is left un-ACKed). */
  onFrameError?(error: unknown): void;
  ackTimeoutMs?: number;
  maxSends?: number;
  /** Silence inside a frame after which the partial frame is abandoned (default 200 ms; 0 = never). */
  interByteTimeoutMs?: number;
  timers?: LinkTimers;
}

export const INTER_BYTE_TIMEOUT_MS = 200;

interface Pending {
  frame: Uint8Array;
  resolve: () => void;
  reject: (e: Error) => void;
}
interface InFlight extends Pending {
  sends: number;
  timer: unknown;
  timerSet: boolean;
  lastReason: 'nak' | 'timeout';
  done: boolean;
}

const ACK_BYTES = Uint8Array.of(ACK);
const NAK_BYTES = Uint8Array.of(NAK);

const defaultTimers: LinkTimers = {
  // Late-bound so that fake timers installed after construction still apply.
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

class ResetSignal extends Error {}

export class LinkEndpoint {
  private readonly opts: LinkEndpointOptions;
  private readonly ackTimeoutMs: number;
  private readonly maxSends: number;
  private readonly timers: LinkTimers;
  private readonly parser = new FrameParser();
  private queue: Pending[] = [];
  private inFlight: InFlight | null = null;
  private writeChain: Promise<void> = Promise.resolve();
  private rxChain: Promise<void> = Promise.resolve();
  private generation = 0;
  private readonly interByteMs: number;
  private rxCount = 0;
  private ibTimer: unknown;
  private ibTimerSet = false;

  constructor(options: LinkEndpointOptions) {
    this.opts = options;
    this.ackTimeoutMs = options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.interByteMs = options.interByteTimeoutMs ?? INTER_BYTE_TIMEOUT_MS;
    this.maxSends = Math.max(1, options.maxSends ?? MAX_SENDS);
    this.timers = options.timers ?? defaultTimers;
  }

  /** Noise bytes skipped by the receive parser. */
  get noiseBytes(): number {
    return this.parser.noiseBytes;
  }

  /** Frames queued or in flight. */
  get pendingSends(): number {
    return this.queue.length + (this.inFlight ? 1 : 0);
  }

  /** Bytes from the peer (already taken out of reports). */
  receive(bytes: Uint8Array): void {
    this.rxCount++;
    this.handle(this.parser.push(bytes));
    this.armInterByte();
  }

  private armInterByte(): void {
    this.clearInterByte();
    if (this.interByteMs <= 0 || this.parser.pendingBytes === 0) return;
    const at = this.rxCount;
    const gen = this.generation;
    this.ibTimerSet = true;
    this.ibTimer = this.timers.setTimeout(() => {
      // Second turn: let reports already queued (e.g. behind a stalled event loop) arrive first.
      this.ibTimer = this.timers.setTimeout(() => {
        this.ibTimerSet = false;
        if (at !== this.rxCount || gen !== this.generation) return;
        this.handle(this.parser.flushAtEnd());
      }, 0);
    }, this.interByteMs);
  }

  private clearInterByte(): void {
    if (this.ibTimerSet) {
      this.timers.clearTimeout(this.ibTimer);
      this.ibTimerSet = false;
    }
  }

  private handle(events: FrameEvent[]): void {
    for (const ev of events) {
      switch (ev.kind) {
        case 'ack':
          this.onAck();
          break;
        case 'nak':
          this.onNak();
          break;
        case 'error': {
          const err: LinkErrorEvent = { code: ev.code, detail: ev.detail };
          try {
            this.opts.onLinkError?.(err);
          } catch {
            // a failing observer must not stop the link
          }
          const gen = this.generation;
          this.rx(async () => {
            if (gen === this.generation) this.write(NAK_BYTES, gen).catch(noop);
          });
          break;
        }
        case 'frame': {
          const data = ev.data;
          const gen = this.generation;
          this.rx(async () => {
            if (gen !== this.generation) return;
            let r: void | 'no-ack';
            try {
              r = await this.opts.onFrame(data);
            } catch (e) {
              this.opts.onFrameError?.(e);
              return;
            }
            if (r === 'no-ack' || gen !== this.generation) return;
            this.write(ACK_BYTES, gen).catch(noop);
          });
          break;
        }
      }
    }
  }

  /** Send one frame of DATA; resolves on ACK, rejects with LinkSendFailedError. */
  sendFrame(data: Uint8Array): Promise<void> {
    let frame: Uint8Array;
    try {
      frame = encodeFrame(data);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame, resolve, reject });
      this.pump();
    });
  }

  /** After unplug: reject pending sends, clear the parser, forget answers owed to the old connection. */
  reset(): void {
    this.generation++;
    this.parser.reset();
    this.clearInterByte();
    const f = this.inFlight;
    const queued = this.queue;
    this.inFlight = null;
    this.queue = [];
    this.writeChain = Promise.resolve();
    if (f) {
      this.clearTimer(f);
      f.done = true;
      f.reject(new LinkSendFailedError('reset', f.sends, 'link reset (device disconnected) before the frame was acknowledged'));
    }
    for (const p of queued) p.reject(new LinkSendFailedError('reset', 0, 'link reset (device disconnected) before the frame was sent'));
  }

  /** Resolves once the receive handling and writes queued so far have settled (for tests and shutdown). */
  async whenIdle(): Promise<void> {
    await this.rxChain;
    await this.writeChain;
  }

  private rx(task: () => Promise<void>): void {
    this.rxChain = this.rxChain.then(task).catch(noop);
  }

  private write(bytes: Uint8Array, gen: number): Promise<void> {
    const p = this.writeChain.then(() => {
      if (gen !== this.generation) throw new ResetSignal('reset');
      return this.opts.writeBytes(bytes);
    });
    this.writeChain = p.then(noop, noop);
    return p;
  }

  private pump(): void {
    if (this.inFlight) return;
    const p = this.queue.shift();
    if (!p) return;
    this.inFlight = { ...p, sends: 0, timer: undefined, timerSet: false, lastReason: 'timeout', done: false };
    this.attempt(this.inFlight);
  }

  private attempt(f: InFlight): void {
    if (f.sends >= this.maxSends) {
      const why = f.lastReason === 'nak' ? 'NAK' : `no answer within ${this.ackTimeoutMs} ms`;
      this.finish(
        f,
        new LinkSendFailedError(f.lastReason, f.sends, `frame not acknowledged after ${f.sends} sends (last: ${why})`),
      );
      return;
    }
    f.sends++;
    const thisSend = f.sends;
    const gen = this.generation;
    this.write(f.frame, gen).then(
      () => {
        if (f.done || f.sends !== thisSend || this.inFlight !== f) return;
        f.timerSet = true;
        f.timer = this.timers.setTimeout(() => {
          f.timerSet = false;
          if (f.done || f.sends !== thisSend || this.inFlight !== f) return;
          f.lastReason = 'timeout';
          this.attempt(f);
        }, this.ackTimeoutMs);
      },
      (e: unknown) => {
        if (f.done || this.inFlight !== f) return;
        this.finish(f, new LinkSendFailedError('write', f.sends, 'writing the frame failed', { cause: e }));
      },
    );
  }

  private onAck(): void {
    const f = this.inFlight;
    if (!f) return; // nothing in flight: ignored
    this.finish(f, null);
  }

  private onNak(): void {
    const f = this.inFlight;
    if (!f) return;
    this.clearTimer(f);
    f.lastReason = 'nak';
    this.attempt(f);
  }

  private finish(f: InFlight, error: Error | null): void {
    if (f.done) return;
    f.done = true;
    this.clearTimer(f);
    if (this.inFlight === f) this.inFlight = null;
    if (error) f.reject(error);
    else f.resolve();
    this.pump();
  }

  private clearTimer(f: InFlight): void {
    if (f.timerSet) {
      this.timers.clearTimeout(f.timer);
      f.timerSet = false;
    }
  }
}

function noop(): void {}
