/**
 * Throughput benchmark of the host receive pipeline (reassembly + framing + codec + duplicate
 * tracking), as used by `countersign decode` and the session. Not a test: call it and print.
 */
import { encodeMessage } from './codec.js';
import { encodeFrame } from './framing.js';
import { HostDecoder } from './hostDecoder.js';
import { bytesToReports, padReport } from './reassembly.js';
import type { LinkMessage } from './types.js';

export interface BenchResult {
  reports: number;
  seconds: number;
  reportsPerSecond: number;
  /** MB (10^6 bytes) of 64-byte input reports per second. */
  mbPerSecond: number;
}

export interface BenchOptions {
  /** Frames in the stream (default 20,000: ~55,000 reports). */
  frames?: number;
  /** Times the stream is decoded after one warm-up pass (default 5). */
  rounds?: number;
}

const BRANDS = ['UnionPay Debit', 'VISA CREDIT', 'Mastercard', 'AMEX', 'JCB', 'QuickPass'];
const AIDS = ['A000000333010101', 'A000000333010102', 'A0000000031010', 'A0000000041010', 'A0000000651010'];
const NAMES = ['Countersign Cafe', '老街面馆', 'Golden Dragon 金龙酒家', 'Mini Mart 24h', '深圳湾书店'];
const PANS = ['622848******1234', '411111******1111', '555555******4444', '378282*****0005', '622848******5678'];

/** A deterministic, realistic terminal->host byte stream. */
export function buildBenchStream(frames: number): Uint8Array {
  let seed = 42;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const pad = (v: number, w: number) => String(v).padStart(w, '0');
  const chunks: Uint8Array[] = [];
  let total = 0;
  let seq = 0;
  for (let i = 0; i < frames; i++) {
    seq = (seq % 999999) + 1;
    let msg: LinkMessage;
    if (i % 10 === 9) {
      msg = { type: 'ST', seq: pad(seq, 6), fields: { SS: ['IDLE', 'BUSY', 'OFFLINE'][rnd(3)]!, PP: ['OK', 'LOW', 'OUT'][rnd(3)]! } };
    } else {
      const fields: Record<string, string> = {
        AM: pad(rnd(10_000_000), 12),
        CU: '156',
        TR: pad((i % 999999) + 1, 6),
        BT: pad(27 + Math.floor(i / 999999), 6),
        RF: pad(331822000000 + i, 12),
        AC: pad(rnd(1_000_000), 6).replace(/^./, 'K'),
        PN: PANS[rnd(PANS.length)]!,
        EM: 'SCTMF'[rnd(5)]!,
        DT: `2026112${1 + rnd(8)}1${rnd(10)}${pad(rnd(60), 2)}${pad(rnd(60), 2)}`,
        TI: '10293847',
        MI: '898310058120001',
        RC: '00',
      };
      if (rnd(2)) fields.CB = BRANDS[rnd(BRANDS.length)]!;
      if (rnd(2)) fields.AI = AIDS[rnd(AIDS.length)]!;
      if (rnd(3) === 0) fields.TC = 'SALE';
      if (rnd(2)) fields.MN = NAMES[rnd(NAMES.length)]!;
      msg = { type: 'CH', seq: pad(seq, 6), fields };
    }
    const f = encodeFrame(encodeMessage(msg));
    chunks.push(f);
    total += f.length;
    if (rnd(20) === 0) {
      // line noise between frames (never STX/ACK/NAK)
      const noise = new Uint8Array(1 + rnd(8)).map(() => 0x20 + rnd(0x50));
      chunks.push(noise);
      total += noise.length;
    }
    // the terminal's ACKs for the host's own requests share the stream
    if (rnd(4) === 0) {
      chunks.push(Uint8Array.of(0x06));
      total += 1;
    }
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export function benchDecode(options: BenchOptions = {}): BenchResult {
  const frames = options.frames ?? 20_000;
  const rounds = options.rounds ?? 5;
  const reports = bytesToReports(buildBenchStream(frames)).map(padReport);
  const run = () => {
    const dec = new HostDecoder();
    let events = 0;
    for (let i = 0; i < reports.length; i++) events += dec.pushReport(reports[i]!).length;
    events += dec.end().length;
    return events;
  };
  run(); // warm-up (JIT)
  const t0 = performance.now();
  let sink = 0;
  for (let r = 0; r < rounds; r++) sink += run();
  const seconds = (performance.now() - t0) / 1000;
  if (sink < 0) throw new Error('unreachable');
  const n = reports.length * rounds;
  return {
    reports: n,
    seconds,
    reportsPerSecond: Math.round(n / seconds),
    mbPerSecond: Math.round(((n * 64) / 1e6 / seconds) * 100) / 100,
  };
}
