/**
 * A simulated card terminal: the TERMINAL side of the ECR-HID link (spec ecr-hid-link.md), at byte
 * level, over the memory HID pair. It uses the same link stack as the host (reassembly, framing via
 * LinkEndpoint, codec), so what it puts on the wire is what a real terminal would.
 *
 * Terminal behaviour (choices where the spec is silent are marked "choice"):
 * - One open batch (BT) and a trace counter (TR, one per sale / void / refund), an RRN (12 digits:
 *   year digit, day of year, hour, trace) and a 6-character auth code per transaction.
 * - `charge()` queues a `CH` with every required field; charges are delivered in order, one frame
 *   at a time (stop-and-wait); a charge whose frame failed at the link (no ACK after 3 sends) is
 *   kept and sent again after `chargeRetryMs` and after every replug (choice) — a terminal never
 *   gives up on telling the till about money it took.
 * - Responses (RS) jump ahead of queued charges (choice). An RS whose frame failed, or that was
 *   still queued at unplug, is dropped (choice): the host resolves it with QT.
 * - Host requests are executed at most once per host SEQ: the same SEQ again (a retransmitted frame
 *   or a re-sent request) gets the stored response, never a second execution. The store keeps the
 *   last `responseStoreSize` SEQs (default 1000), so a SEQ reused after the 999999 wrap is new.
 * - A host message that does not decode but has a readable host TYPE and SEQ is answered RC 12 and
 *   that answer is stored for the SEQ (choice); anything else undecodable is ignored.
 * - VD: TR of a sale in the OPEN batch, AM equal to it. Unknown TR -> 25; TR of a settled batch, a
 *   void/refund trace, or a sale already voided -> 12; AM different -> 13.
 * - RF: RF (RRN) + OD (date of the sale) of a sale in a SETTLED batch. Unknown RRN, or OD not its
 *   date -> 25; RRN of the open batch (void it instead) or of a voided sale -> 12; AM 0 or more
 *   than what is left to refund -> 13.
 * - SE: closes the batch. SC/SA count every sale approved in the batch (voided ones included),
 *   VC/VA the voids, FC/FA the refunds made in it, so net = SA - VA - FA (choice); NB = next batch.
 * - QT: replays the stored response to QS with RQ = QS (under a new terminal SEQ), or RC 25.
 * - Declined responses carry only RQ and RC.
 * - `ST` (SS IDLE, PP paper) every `statusIntervalMs` (default 5000, 0 = never) while idle: link
 *   up and nothing queued or in flight.
 */
import { encodeFrame } from '../link/framing.js';
import { decodeMessage, encodeMessage } from '../link/codec.js';
import { LinkEndpoint } from '../link/linkEndpoint.js';
import { reportToBytes } from '../link/reassembly.js';
import { ACK, HOST_TYPES, MAX_REPORT_DATA, STX, type LinkMessage } from '../link/types.js';
import { MemoryHidDevice, type MemoryHidDeviceOptions } from '../transport/memoryHid.js';
import { createRng, type SimRng } from './rng.js';
import { CANARY_VARIANTS, canaryChargeData } from './canary.js';

export type EntryMode = 'S' | 'C' | 'T' | 'M' | 'F';
export type PaperState = 'OK' | 'LOW' | 'OUT';
export type TerminalStatus = 'IDLE' | 'BUSY' | 'OFFLINE';

export interface SimulatedTerminalOptions {
  /** RNG seed for amounts, PAN tails and auth codes. Default 0x5eed. */
  seed?: number;
  terminalId?: string;
  merchantId?: string;
  /** MN (UTF-8, at most 40 bytes); undefined = not sent. */
  merchantName?: string;
  currency?: string;
  /** First batch number. Default 1. */
  batch?: number;
  /** Next trace number. Default 1. */
  trace?: number;
  /** Status interval while idle. Default 5000; 0 disables. */
  statusIntervalMs?: number;
  paper?: PaperState;
  /** Link timing (spec: 1000 ms, 3 sends). */
  ackTimeoutMs?: number;
  maxSends?: number;
  /** Retry delay for a charge whose frame failed at the link. Default 2000. */
  chargeRetryMs?: number;
  /** Merge mode: how long a partial report is held for more bytes. Default 2. */
  mergeHoldMs?: number;
  /** How many host SEQs keep their stored response. Default 1000. */
  responseStoreSize?: number;
  /**
   * PAN canary (canary.ts): before every `panCanaryEvery`-th charge (default 2), also send a CH
   * whose PN is an unmasked test card number, or with track data / a spaced card number in MN or
   * CB. The host must refuse each one (`pan-unmasked`) and keep its digits nowhere.
   */
  panCanary?: boolean;
  panCanaryEvery?: number;
  /** Terminal local time. Default: the system clock. */
  clock?: () => Date;
  device?: MemoryHidDeviceOptions;
}

export interface ChargeOptions {
  /** Minor units; default a random amount 1.00 .. 2000.00 from the seeded RNG. */
  amountMinor?: number;
  /** Masked PAN (digits only in the first 6 and last 4 positions). Default 622848******<random 4>. */
  pan?: string;
  entryMode?: EntryMode;
  /** CB; default "UnionPay Debit". */
  brand?: string;
  /** AI (EMV AID); default A000000333010101 for chip/contactless, none otherwise. */
  aid?: string;
  /** TC; not sent by default (absent means SALE). */
  transactionClass?: string;
  /** Time of the transaction; default the terminal clock. */
  at?: Date;
}

export interface SimCharge {
  /** The terminal SEQ of the CH message. */
  seq: string;
  fields: Record<string, string>;
  batch: string;
  trace: string;
  rrn: string;
  authCode: string;
  amountMinor: number;
  /** Resolves once the host ACKed the CH frame. Never rejects. */
  delivered: Promise<void>;
}

export interface SimExecution {
  /** Host SEQ of the request. */
  seq: string;
  type: 'VD' | 'RF' | 'SE' | 'QT';
  rc: string;
  request: Record<string, string>;
  response: Record<string, string>;
}

/** A host request as the terminal took it in (see `onRequest`). */
export interface SimRequestEvent {
  seq: string;
  type: SimExecution['type'];
  rc: string;
  replay: boolean;
}

/** One transaction of the terminal's batches (`transactions()`). */
export interface SimTransaction {
  kind: 'sale' | 'void' | 'refund';
  batch: string;
  trace: string;
  rrn: string;
  amountMinor: number;
  voided: boolean;
  refundedMinor: number;
}

export interface BatchTotals {
  batch: string;
  saleCount: number;
  saleMinor: number;
  voidCount: number;
  voidMinor: number;
  refundCount: number;
  refundMinor: number;
}

export type SimFault =
  /** Flip a bit in the DATA of the next frame the terminal sends (host NAKs, terminal resends). */
  | { kind: 'corrupt-next-frame' }
  /**
   * Lose the next ACK. `from-host` (default): the host's ACK of a terminal frame never arrives, the
   * terminal retransmits, the host sees the frame twice. `to-host`: the terminal's own ACK of a host
   * frame is lost, the host retransmits its request.
   */
  | { kind: 'drop-next-ack'; direction?: 'from-host' | 'to-host' }
  /** Hold the next response `ms` before sending it (set it past the host's response timeout). */
  | { kind: 'delay-next-response'; ms: number }
  /** Execute the next request and store its response, but never send it. */
  | { kind: 'lose-next-response' }
  /** Send reports of 1..maxChunk data bytes (random) instead of 63; 0 = off. */
  | { kind: 'split-reports'; maxChunk: number }
  /** Coalesce output into shared reports (an ACK and the next frame, a frame tail and the next). */
  | { kind: 'merge-reports'; on: boolean }
  /** `count` noise bytes (never STX/ACK/NAK) before every frame; 0 = off. */
  | { kind: 'noise'; count: number }
  /**
   * The next SE answer reports SC/SA off by these deltas (clamped at 0): a terminal whose totals
   * disagree with the till's. The batch itself is settled as usual.
   */
  | { kind: 'skew-next-settlement'; saleCountDelta: number; saleAmountDelta: number }
  | { kind: 'unplug' }
  | { kind: 'replug' };

export interface SimStats {
  framesSent: number;
  framesCorrupted: number;
  acksDroppedToHost: number;
  acksDroppedFromHost: number;
  noiseBytes: number;
  reportsSent: number;
  reportsLost: number;
  responsesLost: number;
  responsesDropped: number;
  replays: number;
  linkErrors: number;
  chargeSendFailures: number;
  /** PAN canary frames queued (see SimulatedTerminalOptions.panCanary). */
  canaryFrames: number;
}

interface OutItem {
  kind: 'CH' | 'RS' | 'ST' | 'RAW';
  seq: string;
  data: Uint8Array;
  delayMs: number;
  onDelivered?: () => void;
  /** For RS: the host SEQ it answers (suppresses queuing the same replay twice). */
  answers?: string;
}

interface Txn {
  kind: 'sale' | 'void' | 'refund';
  batch: number;
  trace: string;
  rrn: string;
  authCode: string;
  amountMinor: number;
  dt: string;
  voided: boolean;
  refundedMinor: number;
}

interface Batch {
  number: number;
  txns: Txn[];
  settled: boolean;
}

const DEFAULT_BIN = '622848';
const UNIONPAY_AID = 'A000000333010101';
const NOISE_POOL = [0x00, 0x01, 0x03, 0x11, 0x13, 0x20, 0x41, 0x7f, 0x80, 0xaa, 0xff] as const;
const HOST_TYPE_SET: ReadonlySet<string> = new Set(HOST_TYPES);

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function formatTerminalTime(d: Date): string {
  return (
    pad(d.getFullYear(), 4) +
    pad(d.getMonth() + 1, 2) +
    pad(d.getDate(), 2) +
    pad(d.getHours(), 2) +
    pad(d.getMinutes(), 2) +
    pad(d.getSeconds(), 2)
  );
}

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  return Math.floor((d.getTime() - start.getTime()) / 86_400_000) + 1;
}

/** PN masking rule: 12..19 of digits and '*', digits only in the first 6 and last 4 positions. */
export function isMaskedPan(pan: string): boolean {
  if (!/^[0-9*]{12,19}$/.test(pan)) return false;
  return /^\**$/.test(pan.slice(6, pan.length - 4));
}

const next6 = (n: number): number => (n >= 999_999 ? 1 : n + 1);

export class SimulatedTerminal {
  readonly device: MemoryHidDevice;
  /** Every host request actually executed (not replays), in order. */
  readonly executed: SimExecution[] = [];
  /** Every charge created, in order. */
  readonly charges: SimCharge[] = [];
  /** Host frames that did not decode (code + detail, no values). */
  readonly rejected: { code: string; detail: string }[] = [];
  readonly stats: SimStats = {
    framesSent: 0,
    framesCorrupted: 0,
    acksDroppedToHost: 0,
    acksDroppedFromHost: 0,
    noiseBytes: 0,
    reportsSent: 0,
    reportsLost: 0,
    responsesLost: 0,
    responsesDropped: 0,
    replays: 0,
    linkErrors: 0,
    chargeSendFailures: 0,
    canaryFrames: 0,
  };
  readonly rng: SimRng;
  readonly terminalId: string;
  readonly merchantId: string;
  readonly currency: string;

  private readonly opts: SimulatedTerminalOptions;
  private readonly clock: () => Date;
  private link: LinkEndpoint;
  private seq = 0;
  private traceNo: number;
  private batches: Batch[] = [];
  private openBatch: Batch;
  private readonly responses = new Map<string, Record<string, string>>();
  private outbox: OutItem[] = [];
  private pumpToken = 0;
  private pumpActive = false;
  private stopped = false;
  private started = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private statusTimer: ReturnType<typeof setInterval> | undefined;
  private paper: PaperState;
  private idleWaiters: (() => void)[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private readonly requestListeners = new Set<(event: SimRequestEvent) => void>();

  // faults
  private corruptFrames = 0;
  private dropAcksToHost = 0;
  private dropAcksFromHost = 0;
  private delayNextResponseMs = 0;
  private loseResponses = 0;
  private splitMax = 0;
  private merge = false;
  private mergeBuffer: number[] = [];
  private mergeTimer: ReturnType<typeof setTimeout> | undefined;
  private noisePerFrame = 0;
  private settlementSkew: { saleCountDelta: number; saleAmountDelta: number } | null = null;

  constructor(options: SimulatedTerminalOptions = {}) {
    this.opts = options;
    this.rng = createRng(options.seed ?? 0x5eed);
    this.clock = options.clock ?? (() => new Date());
    this.terminalId = options.terminalId ?? '10293847';
    this.merchantId = options.merchantId ?? '898310058120001';
    this.currency = options.currency ?? '156';
    this.paper = options.paper ?? 'OK';
    this.traceNo = options.trace ?? 1;
    if (!/^[A-Za-z0-9]{8}$/.test(this.terminalId)) throw new RangeError('terminalId must be 8 alphanumerics');
    if (!/^[A-Za-z0-9]{15}$/.test(this.merchantId)) throw new RangeError('merchantId must be 15 alphanumerics');
    if (!/^[0-9]{3}$/.test(this.currency)) throw new RangeError('currency must be 3 digits');
    this.openBatch = { number: options.batch ?? 1, txns: [], settled: false };
    this.batches.push(this.openBatch);
    this.device = new MemoryHidDevice(options.device);
    this.link = this.createLink();
    this.start();
  }

  /**
   * Power the terminal on: listen to the bridge, start the idle status timer, send what is queued.
   * The constructor calls it; after `stop()` it resumes with the same batch, counters and queue.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopped = false;
    this.unsubscribe.push(
      this.device.terminal.onReport((r) => this.onReport(r)),
      this.device.terminal.onReady(() => this.kick()),
      this.device.terminal.onUnplug(() => this.onUnplugged()),
    );
    const interval = this.opts.statusIntervalMs ?? 5000;
    if (interval > 0) {
      this.statusTimer = setInterval(() => this.maybeSendStatus(), interval);
      this.statusTimer.unref?.();
    }
    if (this.device.ready) this.kick();
  }

  // ---- public API ----------------------------------------------------------------------------

  /** Create an approved charge in the open batch and queue its CH. Returns its trace (TR). */
  charge(options: ChargeOptions = {}): string {
    return this.createCharge(options).trace;
  }

  /** Like `charge`, returning the whole record (fields, RRN, auth code, a `delivered` promise). */
  createCharge(options: ChargeOptions = {}): SimCharge {
    const amount = options.amountMinor ?? this.randomAmount();
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > 999_999_999_999) {
      throw new RangeError('amountMinor must be an integer 1..999999999999');
    }
    const pan = options.pan ?? `${DEFAULT_BIN}******${this.rng.digits(4)}`;
    if (!isMaskedPan(pan)) {
      throw new RangeError('pan must be masked: digits only in the first 6 and last 4 positions');
    }
    const entryMode = options.entryMode ?? 'C';
    const at = options.at ?? this.clock();
    const txn = this.newTxn('sale', amount, at);
    const fields: Record<string, string> = {
      AM: pad(amount, 12),
      CU: this.currency,
      TR: txn.trace,
      BT: pad(txn.batch, 6),
      RF: txn.rrn,
      AC: txn.authCode,
      PN: pan,
      EM: entryMode,
      DT: txn.dt,
      TI: this.terminalId,
      MI: this.merchantId,
      RC: '00',
      CB: options.brand ?? 'UnionPay Debit',
    };
    const aid = options.aid ?? (entryMode === 'C' || entryMode === 'T' ? UNIONPAY_AID : undefined);
    if (aid) fields.AI = aid;
    if (options.transactionClass !== undefined) fields.TC = options.transactionClass; // absent = SALE
    if (this.opts.merchantName !== undefined) fields.MN = this.opts.merchantName;
    const seq = this.nextSeq();
    const data = encodeMessage({ type: 'CH', seq, fields });
    let resolve!: () => void;
    const delivered = new Promise<void>((r) => (resolve = r));
    const charge: SimCharge = {
      seq,
      fields,
      batch: fields.BT!,
      trace: txn.trace,
      rrn: txn.rrn,
      authCode: txn.authCode,
      amountMinor: amount,
      delivered,
    };
    this.charges.push(charge);
    this.maybeSendCanary(fields);
    this.enqueue({ kind: 'CH', seq, data, delayMs: 0, onDelivered: resolve });
    return charge;
  }

  /** `count` charges with random amounts (1.00 .. 2000.00) and random PAN tails. */
  flood(count: number, options: ChargeOptions = {}): SimCharge[] {
    const out: SimCharge[] = [];
    for (let i = 0; i < count; i++) out.push(this.createCharge(options));
    return out;
  }

  private randomAmount(): number {
    return this.rng.int(100, 200_000);
  }

  /**
   * Stress helper: `count` charges whose CH frames are written back to back into shared reports
   * WITHOUT waiting for each ACK (a peer that pipelines frames). Only while nothing else is queued.
   * The charges are recorded; their `delivered` resolves once written.
   */
  private canaryTick = 0;
  private bursting = false;

  /** The PAN canary: a CH with card data the host must refuse, queued ahead of a real charge. */
  private maybeSendCanary(real: Record<string, string>): void {
    if (!this.opts.panCanary || this.bursting) return;
    const every = Math.max(1, this.opts.panCanaryEvery ?? 2);
    const tick = this.canaryTick++;
    if (tick % every !== 0) return;
    const variant = CANARY_VARIANTS[Math.floor(tick / every) % CANARY_VARIANTS.length]!;
    const data = canaryChargeData(variant, {
      seq: this.nextSeq(),
      terminalId: this.terminalId,
      merchantId: this.merchantId,
      currency: this.currency,
      batch: real.BT!,
      dateTime: real.DT!,
    });
    this.stats.canaryFrames++;
    this.enqueue({ kind: 'RAW', seq: '', data, delayMs: 0 });
  }

  chargeBurst(count: number, options: ChargeOptions = {}): SimCharge[] {
    if (this.outbox.length > 0 || this.pumpActive) throw new Error('chargeBurst needs an idle outbox');
    const made: SimCharge[] = [];
    const frames: Uint8Array[] = [];
    this.bursting = true; // no canary frames inside a burst: the burst bypasses the link's queue
    try {
      for (let i = 0; i < count; i++) {
        const c = this.createCharge(options);
        const item = this.outbox.pop()!; // take it back out of the ordinary queue
        frames.push(encodeFrame(item.data));
        item.onDelivered?.();
        made.push(c);
      }
    } finally {
      this.bursting = false;
    }
    let total = 0;
    for (const f of frames) total += f.length;
    const all = new Uint8Array(total);
    let o = 0;
    for (const f of frames) {
      all.set(f, o);
      o += f.length;
    }
    this.stats.framesSent += frames.length;
    this.emitBytes(all);
    return made;
  }

  /** Queue an arbitrary frame DATA (e.g. a malformed message) through the link, ACK-awaited. */
  sendRawData(data: Uint8Array): Promise<void> {
    let resolve!: () => void;
    const p = new Promise<void>((r) => (resolve = r));
    this.enqueue({ kind: 'RAW', seq: '', data, delayMs: 0, onDelivered: resolve });
    return p;
  }

  /** Write bytes as they are, outside the link (noise, hand-made frames). */
  sendRawBytes(bytes: Uint8Array): void {
    this.emitBytes(bytes);
  }

  /** Queue a status message now. */
  sendStatus(status: TerminalStatus = 'IDLE'): void {
    const seq = this.nextSeq();
    const data = encodeMessage({ type: 'ST', seq, fields: { SS: status, PP: this.paper } });
    this.enqueue({ kind: 'ST', seq, data, delayMs: 0 });
  }

  setPaper(state: PaperState): void {
    this.paper = state;
  }

  inject(fault: SimFault): void {
    switch (fault.kind) {
      case 'corrupt-next-frame':
        this.corruptFrames++;
        break;
      case 'drop-next-ack':
        if (fault.direction === 'to-host') this.dropAcksToHost++;
        else this.dropAcksFromHost++;
        break;
      case 'delay-next-response':
        this.delayNextResponseMs = Math.max(1, fault.ms);
        break;
      case 'lose-next-response':
        this.loseResponses++;
        break;
      case 'split-reports':
        this.splitMax = Math.max(0, Math.min(MAX_REPORT_DATA, Math.floor(fault.maxChunk)));
        break;
      case 'merge-reports':
        this.merge = fault.on;
        if (!fault.on) this.flushMerge();
        break;
      case 'noise':
        this.noisePerFrame = Math.max(0, Math.floor(fault.count));
        break;
      case 'skew-next-settlement':
        if (!Number.isSafeInteger(fault.saleCountDelta) || !Number.isSafeInteger(fault.saleAmountDelta)) {
          throw new RangeError('settlement skew deltas are integers');
        }
        this.settlementSkew = { saleCountDelta: fault.saleCountDelta, saleAmountDelta: fault.saleAmountDelta };
        break;
      case 'unplug':
        this.unplug();
        break;
      case 'replug':
        this.replug();
        break;
    }
  }

  unplug(): void {
    this.device.unplug();
  }

  replug(): void {
    this.device.replug();
  }

  /**
   * Every host request the terminal takes in: executed (`replay: false`, exactly once per SEQ) or
   * answered again from the stored response (`replay: true`). Called before the answer is queued.
   */
  onRequest(listener: (event: SimRequestEvent) => void): () => void {
    this.requestListeners.add(listener);
    return () => {
      this.requestListeners.delete(listener);
    };
  }

  private notifyRequest(event: SimRequestEvent): void {
    for (const l of [...this.requestListeners]) {
      try {
        l(event);
      } catch {
        // an observer must not change what the terminal does
      }
    }
  }

  /** Every batch so far, oldest first, with its totals (same counting as the SE answer) and whether it is settled. */
  batchReports(): (BatchTotals & { settled: boolean })[] {
    return this.batches.map((b) => ({ ...this.batchTotals(b), settled: b.settled }));
  }

  /** Every transaction (sales, voids, refunds) in order, with the batch it belongs to. */
  transactions(): SimTransaction[] {
    const out: SimTransaction[] = [];
    for (const b of this.batches) {
      for (const t of b.txns) {
        out.push({
          kind: t.kind,
          batch: pad(t.batch, 6),
          trace: t.trace,
          rrn: t.rrn,
          amountMinor: t.amountMinor,
          voided: t.voided,
          refundedMinor: t.refundedMinor,
        });
      }
    }
    return out;
  }

  /** Totals of the open batch. */
  totals(): BatchTotals {
    return this.batchTotals(this.openBatch);
  }

  get batchNumber(): string {
    return pad(this.openBatch.number, 6);
  }

  /** Charges (and other frames) still waiting to be delivered. */
  get pendingFrames(): number {
    return this.outbox.length;
  }

  /** Resolves when nothing is queued or in flight (rejects after timeoutMs). */
  whenIdle(timeoutMs = 10_000): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        reject(new Error(`simulated terminal not idle after ${timeoutMs} ms (${this.outbox.length} queued)`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(t);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  /** Power off: stop timers, detach from the bridge. Queued charges are kept for `start()`. */
  stop(): void {
    if (!this.started) return;
    this.started = false;
    this.stopped = true;
    this.pumpToken++;
    this.pumpActive = false;
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.mergeTimer) clearTimeout(this.mergeTimer);
    this.mergeTimer = undefined;
    this.mergeBuffer = [];
    this.link.reset();
    this.link = this.createLink();
    for (const u of this.unsubscribe.splice(0)) u();
  }

  // ---- link plumbing -------------------------------------------------------------------------

  private createLink(): LinkEndpoint {
    return new LinkEndpoint({
      writeBytes: (bytes: Uint8Array) => this.writeFromLink(bytes),
      onFrame: (data: Uint8Array) => this.onFrame(data),
      onLinkError: () => {
        this.stats.linkErrors++;
      },
      ackTimeoutMs: this.opts.ackTimeoutMs ?? 1000,
      maxSends: this.opts.maxSends ?? 3,
    });
  }

  private onReport(report: Uint8Array): void {
    if (this.stopped) return;
    const r = reportToBytes(report);
    if (!r.ok) return;
    if (this.dropAcksFromHost > 0 && r.bytes.length === 1 && r.bytes[0] === ACK) {
      this.dropAcksFromHost--;
      this.stats.acksDroppedFromHost++;
      return;
    }
    this.link.receive(r.bytes.slice());
  }

  private writeFromLink(bytes: Uint8Array): void {
    if (this.stopped) return;
    if (bytes.length === 1 && bytes[0] === ACK && this.dropAcksToHost > 0) {
      this.dropAcksToHost--;
      this.stats.acksDroppedToHost++;
      return;
    }
    let out = bytes;
    if (bytes.length >= 5 && bytes[0] === STX) {
      this.stats.framesSent++;
      if (this.corruptFrames > 0 && bytes.length > 5) {
        this.corruptFrames--;
        this.stats.framesCorrupted++;
        out = bytes.slice();
        const dataLen = bytes.length - 5;
        out[3 + Math.floor(dataLen / 2)]! ^= 0x01; // DATA byte: LEN still frames it, the LRC fails
      }
      if (this.noisePerFrame > 0) {
        const noisy = new Uint8Array(this.noisePerFrame + out.length);
        for (let i = 0; i < this.noisePerFrame; i++) noisy[i] = this.rng.pick(NOISE_POOL);
        noisy.set(out, this.noisePerFrame);
        this.stats.noiseBytes += this.noisePerFrame;
        out = noisy;
      }
    }
    this.emitBytes(out);
  }

  /** Bytes -> input reports, honouring the split / merge settings. */
  private emitBytes(bytes: Uint8Array): void {
    if (this.merge) {
      for (const b of bytes) this.mergeBuffer.push(b);
      if (!this.mergeTimer) {
        this.mergeTimer = setTimeout(() => {
          this.mergeTimer = undefined;
          this.flushMerge();
        }, this.opts.mergeHoldMs ?? 2);
      }
      return;
    }
    this.sendChunks(bytes);
  }

  private flushMerge(): void {
    if (this.mergeTimer) {
      clearTimeout(this.mergeTimer);
      this.mergeTimer = undefined;
    }
    if (this.mergeBuffer.length === 0) return;
    const bytes = Uint8Array.from(this.mergeBuffer);
    this.mergeBuffer = [];
    this.sendChunks(bytes);
  }

  private sendChunks(bytes: Uint8Array): void {
    let i = 0;
    while (i < bytes.length) {
      const max = this.splitMax > 0 ? this.rng.int(1, this.splitMax) : MAX_REPORT_DATA;
      const n = Math.min(max, bytes.length - i);
      const report = new Uint8Array(n + 1);
      report[0] = n;
      report.set(bytes.subarray(i, i + n), 1);
      if (this.device.terminal.sendReport(report)) this.stats.reportsSent++;
      else this.stats.reportsLost++;
      i += n;
    }
  }

  private onUnplugged(): void {
    this.pumpToken++;
    this.pumpActive = false;
    this.link.reset();
    this.link = this.createLink();
    this.mergeBuffer = [];
    // Queued responses and statuses are dropped; the host asks QT for answers it did not get.
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((i) => i.kind === 'CH' || i.kind === 'RAW');
    this.stats.responsesDropped += before - this.outbox.length;
  }

  // ---- outbox --------------------------------------------------------------------------------

  private enqueue(item: OutItem): void {
    this.outbox.push(item);
    this.kick();
  }

  private kick(): void {
    if (this.pumpActive || this.stopped) return;
    this.pumpActive = true;
    const token = ++this.pumpToken;
    // Deferred: the ACK of a host frame (sent when onFrame returns) goes out before the response.
    setImmediate(() => void this.pump(token));
  }

  private nextItem(): OutItem | undefined {
    return this.outbox.find((i) => i.kind === 'RS') ?? this.outbox[0];
  }

  private async pump(token: number): Promise<void> {
    try {
      while (token === this.pumpToken && !this.stopped && this.device.ready) {
        const item = this.nextItem();
        if (!item) break;
        if (item.delayMs > 0) {
          const d = item.delayMs;
          item.delayMs = 0;
          await this.sleep(d);
          continue;
        }
        const link = this.link;
        let ok = true;
        try {
          await link.sendFrame(item.data);
        } catch {
          ok = false;
        }
        if (token !== this.pumpToken) return; // abandoned (unplug / stop): the item stays queued
        if (ok) {
          this.remove(item);
          item.onDelivered?.();
          continue;
        }
        if (item.kind === 'CH' || item.kind === 'RAW') {
          this.stats.chargeSendFailures++;
          this.later(() => this.kick(), this.opts.chargeRetryMs ?? 2000);
          break;
        }
        this.remove(item);
        this.stats.responsesDropped++;
      }
    } finally {
      if (token === this.pumpToken) {
        this.pumpActive = false;
        if (this.isIdle()) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      }
    }
  }

  private remove(item: OutItem): void {
    const i = this.outbox.indexOf(item);
    if (i >= 0) this.outbox.splice(i, 1);
  }

  private isIdle(): boolean {
    return this.outbox.length === 0 && !this.pumpActive;
  }

  private maybeSendStatus(): void {
    if (this.stopped || !this.device.ready || !this.isIdle()) return;
    this.sendStatus('IDLE');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.later(resolve, ms));
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private nextSeq(): string {
    this.seq = next6(this.seq);
    return pad(this.seq, 6);
  }

  // ---- host requests -------------------------------------------------------------------------

  private onFrame(data: Uint8Array): void {
    if (this.stopped) return;
    const d = decodeMessage(data);
    if (!d.ok) {
      this.rejected.push({ code: d.code, detail: d.detail });
      const type = String.fromCharCode(data[1] ?? 0, data[2] ?? 0);
      const seq = String.fromCharCode(...data.subarray(3, 9));
      if (data[0] === 0x31 && HOST_TYPE_SET.has(type) && /^[0-9]{6}$/.test(seq) && seq !== '000000') {
        if (!this.responses.has(seq)) this.store(seq, { RQ: seq, RC: '12' });
        this.respond(seq, this.responses.get(seq)!, false);
      }
      return;
    }
    const msg = d.message;
    if (!HOST_TYPE_SET.has(msg.type)) return; // CH/RS/ST are not for a terminal
    const stored = this.responses.get(msg.seq);
    if (stored) {
      this.stats.replays++;
      this.notifyRequest({ seq: msg.seq, type: msg.type as SimExecution['type'], rc: stored.RC ?? '', replay: true });
      this.respond(msg.seq, stored, false);
      return;
    }
    const response = this.execute(msg);
    this.store(msg.seq, response);
    this.executed.push({
      seq: msg.seq,
      type: msg.type as SimExecution['type'],
      rc: response.RC!,
      request: { ...msg.fields },
      response: { ...response },
    });
    this.notifyRequest({ seq: msg.seq, type: msg.type as SimExecution['type'], rc: response.RC!, replay: false });
    this.respond(msg.seq, response, true);
  }

  private store(seq: string, response: Record<string, string>): void {
    this.responses.delete(seq);
    this.responses.set(seq, response);
    const cap = this.opts.responseStoreSize ?? 1000;
    while (this.responses.size > cap) {
      const oldest = this.responses.keys().next().value;
      if (oldest === undefined) break;
      this.responses.delete(oldest);
    }
  }

  /** Queue an RS (fresh terminal SEQ). `fresh` = the first answer to a newly executed request. */
  private respond(answers: string, fields: Record<string, string>, fresh: boolean): void {
    if (fresh && this.loseResponses > 0) {
      this.loseResponses--;
      this.stats.responsesLost++;
      return;
    }
    // A retransmitted request whose answer is still queued does not queue a second copy.
    if (this.outbox.some((i) => i.kind === 'RS' && i.answers === answers)) return;
    const seq = this.nextSeq();
    const data = encodeMessage({ type: 'RS', seq, fields });
    const delayMs = this.delayNextResponseMs;
    this.delayNextResponseMs = 0;
    this.enqueue({ kind: 'RS', seq, data, delayMs, answers });
  }

  private execute(msg: LinkMessage): Record<string, string> {
    const f = msg.fields;
    const decline = (rc: string) => ({ RQ: msg.seq, RC: rc });
    switch (msg.type) {
      case 'VD': {
        const amount = Number(f.AM);
        const sale = this.openBatch.txns.find((t) => t.trace === f.TR);
        if (!sale) {
          const elsewhere = this.batches.some((b) => b !== this.openBatch && b.txns.some((t) => t.trace === f.TR));
          return decline(elsewhere ? '12' : '25');
        }
        if (sale.kind !== 'sale' || sale.voided) return decline('12');
        if (amount !== sale.amountMinor) return decline('13');
        sale.voided = true;
        const v = this.newTxn('void', amount, this.clock());
        return { RQ: msg.seq, RC: '00', TR: v.trace, RF: v.rrn, AC: v.authCode, DT: v.dt };
      }
      case 'RF': {
        const amount = Number(f.AM);
        const sale = this.findSaleByRrn(f.RF!);
        if (!sale) return decline('25');
        if (sale.dt.slice(0, 8) !== f.OD) return decline('25');
        if (!this.isSettled(sale.batch)) return decline('12'); // still in the open batch: void it instead
        if (sale.voided) return decline('12');
        if (amount < 1 || amount > sale.amountMinor - sale.refundedMinor) return decline('13');
        sale.refundedMinor += amount;
        const r = this.newTxn('refund', amount, this.clock());
        return { RQ: msg.seq, RC: '00', TR: r.trace, RF: r.rrn, AC: r.authCode, DT: r.dt };
      }
      case 'SE': {
        const closed = this.openBatch;
        const t = this.batchTotals(closed);
        if (this.settlementSkew) {
          t.saleCount = Math.max(0, t.saleCount + this.settlementSkew.saleCountDelta);
          t.saleMinor = Math.min(999_999_999_999, Math.max(0, t.saleMinor + this.settlementSkew.saleAmountDelta));
          this.settlementSkew = null;
        }
        closed.settled = true;
        this.openBatch = { number: next6(closed.number), txns: [], settled: false };
        this.batches.push(this.openBatch);
        return {
          RQ: msg.seq,
          RC: '00',
          BT: t.batch,
          SC: pad(Math.min(t.saleCount, 9999), 4),
          SA: pad(t.saleMinor, 12),
          VC: pad(Math.min(t.voidCount, 9999), 4),
          VA: pad(t.voidMinor, 12),
          FC: pad(Math.min(t.refundCount, 9999), 4),
          FA: pad(t.refundMinor, 12),
          NB: pad(this.openBatch.number, 6),
        };
      }
      case 'QT': {
        const qs = f.QS!;
        const stored = this.responses.get(qs);
        return stored ? { ...stored, RQ: qs } : { RQ: qs, RC: '25' };
      }
      default:
        return decline('12');
    }
  }

  private isSettled(batch: number): boolean {
    return this.batches.some((b) => b.number === batch && b.settled);
  }

  private findSaleByRrn(rrn: string): Txn | undefined {
    for (let i = this.batches.length - 1; i >= 0; i--) {
      const t = this.batches[i]!.txns.find((x) => x.kind === 'sale' && x.rrn === rrn);
      if (t) return t;
    }
    return undefined;
  }

  private newTxn(kind: Txn['kind'], amountMinor: number, at: Date): Txn {
    const trace = pad(this.traceNo, 6);
    this.traceNo = next6(this.traceNo);
    const year = at.getFullYear() % 10;
    const rrn = `${year}${pad(dayOfYear(at), 3)}${pad(at.getHours(), 2)}${trace}`;
    const txn: Txn = {
      kind,
      batch: this.openBatch.number,
      trace,
      rrn,
      authCode: this.rng.alnum(6),
      amountMinor,
      dt: formatTerminalTime(at),
      voided: false,
      refundedMinor: 0,
    };
    this.openBatch.txns.push(txn);
    return txn;
  }

  private batchTotals(b: Batch): BatchTotals {
    const t: BatchTotals = {
      batch: pad(b.number, 6),
      saleCount: 0,
      saleMinor: 0,
      voidCount: 0,
      voidMinor: 0,
      refundCount: 0,
      refundMinor: 0,
    };
    for (const x of b.txns) {
      if (x.kind === 'sale') {
        t.saleCount++;
        t.saleMinor += x.amountMinor;
      } else if (x.kind === 'void') {
        t.voidCount++;
        t.voidMinor += x.amountMinor;
      } else {
        t.refundCount++;
        t.refundMinor += x.amountMinor;
      }
    }
    return t;
  }
}

export function createSimulatedTerminal(options: SimulatedTerminalOptions = {}): SimulatedTerminal {
  return new SimulatedTerminal(options);
}

// ---- scripting (for `countersign sim`) ------------------------------------------------------

export type SimStep =
  | { do: 'charge'; amountMinor?: number; pan?: string; entryMode?: EntryMode; brand?: string }
  | { do: 'flood'; count: number }
  | { do: 'burst'; count: number }
  | { do: 'wait'; ms: number }
  /** Wait until every queued frame was delivered. */
  | { do: 'idle'; timeoutMs?: number }
  | { do: 'status'; status?: TerminalStatus }
  | { do: 'paper'; state: PaperState }
  | { do: 'unplug' }
  | { do: 'replug' }
  | { do: 'fault'; fault: SimFault };

export interface ScriptOptions {
  /** Called before each step (e.g. to print it). */
  onStep?: (step: SimStep, index: number) => void;
}

export interface ScriptResult {
  steps: number;
  charges: SimCharge[];
}

/** Run steps in order against a simulated terminal. */
export async function runScript(
  sim: SimulatedTerminal,
  steps: readonly SimStep[],
  options: ScriptOptions = {},
): Promise<ScriptResult> {
  const charges: SimCharge[] = [];
  let index = 0;
  for (const step of steps) {
    options.onStep?.(step, index++);
    switch (step.do) {
      case 'charge': {
        const c: ChargeOptions = {};
        if (step.amountMinor !== undefined) c.amountMinor = step.amountMinor;
        if (step.pan !== undefined) c.pan = step.pan;
        if (step.entryMode !== undefined) c.entryMode = step.entryMode;
        if (step.brand !== undefined) c.brand = step.brand;
        charges.push(sim.createCharge(c));
        break;
      }
      case 'flood':
        charges.push(...sim.flood(step.count));
        break;
      case 'burst':
        await sim.whenIdle();
        charges.push(...sim.chargeBurst(step.count));
        break;
      case 'wait':
        await new Promise((r) => setTimeout(r, step.ms));
        break;
      case 'idle':
        await sim.whenIdle(step.timeoutMs);
        break;
      case 'status':
        sim.sendStatus(step.status);
        break;
      case 'paper':
        sim.setPaper(step.state);
        break;
      case 'unplug':
        sim.unplug();
        break;
      case 'replug':
        sim.replug();
        break;
      case 'fault':
        sim.inject(step.fault);
        break;
    }
  }
  return { steps: steps.length, charges };
}

/** Decimal major units ("128.00", "128") -> minor units (2 decimals). */
function parseAmount(text: string): number {
  const m = /^([0-9]{1,10})(?:\.([0-9]{1,2}))?$/.exec(text);
  if (!m) throw new SyntaxError(`not an amount: ${text}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

/**
 * Parse a text script, one step per line (`#` starts a comment):
 *
 *   charge 128.00 [pan=622848******1234] [em=C] [brand=UnionPay Debit]
 *   flood 200 | burst 3 | wait 500 | idle [timeoutMs] | status [IDLE|BUSY|OFFLINE] | paper LOW
 *   unplug | replug | corrupt-next-frame | drop-next-ack [from-host|to-host]
 *   delay-next-response 35000 | lose-next-response | split 3|off | merge on|off | noise 4|off
 *   skew-next-settlement 1 12800   (the next SE reports SC/SA off by these deltas)
 */
export function parseScript(text: string): SimStep[] {
  const steps: SimStep[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const [cmd, ...rest] = line.split(/\s+/);
    const arg = rest[0];
    const where = `line ${i + 1}`;
    const int = (s: string | undefined, name: string): number => {
      if (s === undefined || !/^[0-9]+$/.test(s)) throw new SyntaxError(`${where}: ${name} needs a whole number`);
      return Number(s);
    };
    switch (cmd) {
      case 'charge': {
        const step: Extract<SimStep, { do: 'charge' }> = { do: 'charge' };
        const kv = line.slice('charge'.length).trim();
        const parts = kv.match(/(?:[a-z]+=(?:[^=]+?)(?=\s+[a-z]+=|$))|\S+/g) ?? [];
        for (const p of parts) {
          const eq = p.indexOf('=');
          if (eq < 0) {
            step.amountMinor = parseAmount(p);
            continue;
          }
          const k = p.slice(0, eq);
          const v = p.slice(eq + 1).trim();
          if (k === 'pan') step.pan = v;
          else if (k === 'em') {
            if (!/^[SCTMF]$/.test(v)) throw new SyntaxError(`${where}: em is one of S C T M F`);
            step.entryMode = v as EntryMode;
          } else if (k === 'brand') step.brand = v;
          else throw new SyntaxError(`${where}: unknown charge option ${k}`);
        }
        steps.push(step);
        break;
      }
      case 'flood':
        steps.push({ do: 'flood', count: int(arg, 'flood') });
        break;
      case 'burst':
        steps.push({ do: 'burst', count: int(arg, 'burst') });
        break;
      case 'wait':
        steps.push({ do: 'wait', ms: int(arg, 'wait') });
        break;
      case 'idle':
        steps.push(arg === undefined ? { do: 'idle' } : { do: 'idle', timeoutMs: int(arg, 'idle') });
        break;
      case 'status':
        if (arg !== undefined && !['IDLE', 'BUSY', 'OFFLINE'].includes(arg)) {
          throw new SyntaxError(`${where}: status is IDLE, BUSY or OFFLINE`);
        }
        steps.push(arg === undefined ? { do: 'status' } : { do: 'status', status: arg as TerminalStatus });
        break;
      case 'paper':
        if (arg !== 'OK' && arg !== 'LOW' && arg !== 'OUT') throw new SyntaxError(`${where}: paper is OK, LOW or OUT`);
        steps.push({ do: 'paper', state: arg });
        break;
      case 'unplug':
        steps.push({ do: 'unplug' });
        break;
      case 'replug':
        steps.push({ do: 'replug' });
        break;
      case 'corrupt-next-frame':
        steps.push({ do: 'fault', fault: { kind: 'corrupt-next-frame' } });
        break;
      case 'drop-next-ack':
        if (arg !== undefined && arg !== 'from-host' && arg !== 'to-host') {
          throw new SyntaxError(`${where}: drop-next-ack from-host|to-host`);
        }
        steps.push({ do: 'fault', fault: { kind: 'drop-next-ack', direction: arg ?? 'from-host' } });
        break;
      case 'delay-next-response':
        steps.push({ do: 'fault', fault: { kind: 'delay-next-response', ms: int(arg, 'delay-next-response') } });
        break;
      case 'lose-next-response':
        steps.push({ do: 'fault', fault: { kind: 'lose-next-response' } });
        break;
      case 'split':
        steps.push({ do: 'fault', fault: { kind: 'split-reports', maxChunk: arg === 'off' ? 0 : int(arg, 'split') } });
        break;
      case 'merge':
        if (arg !== 'on' && arg !== 'off') throw new SyntaxError(`${where}: merge on|off`);
        steps.push({ do: 'fault', fault: { kind: 'merge-reports', on: arg === 'on' } });
        break;
      case 'noise':
        steps.push({ do: 'fault', fault: { kind: 'noise', count: arg === 'off' ? 0 : int(arg, 'noise') } });
        break;
      case 'skew-next-settlement': {
        // skew-next-settlement <saleCountDelta> <saleAmountDelta in minor units>, each may be negative
        const signed = (s: string | undefined, name: string): number => {
          if (s === undefined || !/^-?[0-9]+$/.test(s)) throw new SyntaxError(`${where}: ${name} needs a whole number`);
          return Number(s);
        };
        steps.push({
          do: 'fault',
          fault: { kind: 'skew-next-settlement', saleCountDelta: signed(arg, 'sale count delta'), saleAmountDelta: signed(rest[1], 'sale amount delta') },
        });
        break;
      }
      default:
        throw new SyntaxError(`${where}: unknown step ${cmd}`);
    }
  });
  return steps;
}

