/**
 * A seeded, reproducible mutation fuzzer for the host receive pipeline (HostDecoder: reports ->
 * byte stream -> frames -> messages). Used by linkFuzz.test.ts; `runLinkFuzz` can also be called
 * with a bigger budget from a script.
 *
 * Each case is a short terminal->host stream: a few framed messages (valid ones, and "poison" ones
 * carrying an unmasked PAN or track data with a correct LRC), noise and ACK/NAK bytes between them,
 * cut into input reports. Then it is damaged:
 *   - frame level: bit flip, byte insert, byte delete, LEN corruption, frame truncation, raw noise
 *     (any bytes, STX included) before it;
 *   - report level: duplicated report, report ID 0 / >= 0x40 / a wrong count, dropped report,
 *     truncated report (zero padding), oversized report, a report of noise, empty reports, merged
 *     and split reports, zero or garbage padding to 64 bytes, the input cut short.
 *
 * The damage model: every frame suffers at most ONE damaging event, and every damaging event hits
 * one frame. That is what the link can promise: its check is an 8-bit XOR, so two flips of the
 * same bit in one frame cancel out, and a report lost or repeated across a frame boundary can join
 * the head of one frame to the tail of the next with a matching LRC, 1 time in 256 when the
 * lengths line up. Either gives a well-formed message no receiver could tell from a real one
 * (README.md of native/link, "Limits of the LRC"); the `straddle` option measures the second.
 * Merging, splitting, padding, empty reports and clean noise are not damage: they must change
 * nothing at all.
 *
 * Checked on every case:
 *   1. nothing throws, and no case takes longer than `hangMs` (no hang, no super-linear blow-up);
 *   2. every `message` equals, byte for byte, one of the messages framed in this case, and it is
 *      emitted at most as many times as its exact frame bytes occur in the byte stream the reports
 *      really carried (computed independently of the decoder): no wrong message, no chimera, no
 *      message out of a damaged frame;
 *   3. a poison frame never yields a message; the decoder's duplicate flag is right;
 *   4. the event grammar: message / message-level error -> send 06; lrc/length/etx -> send 15;
 *      report -> nothing; a send never appears on its own;
 *   5. no error detail carries card data: `pan-unmasked` details contain no digit at all, and no
 *      detail contains a run of 6 or more digits;
 *   6. liveness: every frame that lies wholly before the first damage comes out, in order, as its
 *      message (or, for a poison frame, as `pan-unmasked`); a case with no damage at all yields
 *      exactly its messages and nothing else.
 */
import { encodeMessage } from '../../../native/link/codec.js';
import { encodeFrame } from '../../../native/link/framing.js';
import { HostDecoder, type DecodeEvent } from '../../../native/link/hostDecoder.js';
import type { LinkMessage, MessageType } from '../../../native/link/types.js';
import { createRng, type SimRng } from '../../../native/sim/rng.js';
import { rawData } from '../link/fixtures.js';

export interface FuzzOptions {
  seed: number;
  /** Stop once at least this many reports were fed to the decoder. */
  reports: number;
  /** A single case taking longer than this is a hang. */
  hangMs?: number;
  /**
   * Let one report-level damage event hit the two frames a report spans (a dropped or duplicated
   * report at a frame boundary). The head of one frame and the tail of the next can then form a
   * frame whose lengths line up; the 8-bit LRC lets 1 in 256 of those through as a well-formed
   * "chimera" message. With this option such messages are counted (`lrcCollisions`), not failed:
   * it measures the limit of the link's check. Default false: every damage event hits one frame.
   */
  straddle?: boolean;
}

export interface FuzzStats {
  seed: number;
  cases: number;
  reports: number;
  bytes: number;
  frames: number;
  /** Damaging events applied (frame and report level). */
  damageEvents: number;
  poisonFrames: number;
  /** Frames whose delivery was required (before any damage in their case), and undamaged cases. */
  mustDeliver: number;
  pristineCases: number;
  messages: number;
  errors: Record<string, number>;
  mutations: Record<string, number>;
  panUnmasked: number;
  /** Report-level damage events that hit two frames (straddle mode). */
  straddlingEvents: number;
  /** Well-formed messages that differ from everything framed (straddle mode only; else a failure). */
  lrcCollisions: number;
  slowestCaseMs: number;
  seconds: number;
}

export interface FuzzFailure {
  caseIndex: number;
  check: string;
  detail: string;
  /** The (shrunk) input reports, one hex string each: feed them to `countersign decode`. */
  reportsHex: string[];
}

export interface FuzzResult {
  stats: FuzzStats;
  failure: FuzzFailure | null;
}

// ---------------------------------------------------------------- messages

const POOL_SIZE = 4096;
const MERCHANT_NAMES = ['Countersign Cafe', '老街面馆', 'Golden Dragon 金龙酒家', 'Mini Mart 24h', '深圳湾书店', 'Café Ünïcode', '面'];
const BRANDS = ['UnionPay Debit', 'VISA CREDIT', 'Mastercard', 'AMEX', 'JCB', 'QuickPass', ''];
const AIDS = ['A000000333010101', 'A000000333010102', 'A0000000031010', 'A0000000041010', 'A000000333010106', ''];

/** One framed message of a case, with what the decoder must make of it. */
interface Framed {
  frame: Uint8Array;
  /** `type|seq|TAG=value…` of the message the decoder must emit; null for a poison frame. */
  canonical: string | null;
  /** The decoder's duplicate identity (CH: TI BT TR; others: type SEQ). */
  identity: string;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function canonicalOf(type: string, seq: string, fields: Iterable<[string, string]>): string {
  let s = `${type}|${seq}`;
  for (const [tag, value] of fields) s += `\u0000${tag}=${value}`;
  return s;
}

function identityOf(type: string, seq: string, fields: Record<string, string>): string {
  return type === 'CH' ? `CH ${fields.TI} ${fields.BT} ${fields.TR}` : `${type} ${seq}`;
}

function maskedPan(rng: SimRng): string {
  const len = rng.int(12, 19);
  const bin = rng.int(0, 6);
  const last = rng.int(0, 4);
  return rng.digits(bin) + '*'.repeat(len - bin - last) + rng.digits(last);
}

function dateTime(rng: SimRng): string {
  return `${rng.int(2020, 2035)}${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}${pad(rng.int(0, 23), 2)}${pad(rng.int(0, 59), 2)}${pad(rng.int(0, 59), 2)}`;
}

function shuffle<T>(rng: SimRng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** A valid message of every type the decoder knows; unique identity per pool index. */
function poolMessage(rng: SimRng, i: number): LinkMessage {
  const seq = pad(i + 1, 6);
  const roll = rng.next();
  if (roll < 0.7) {
    const f: [string, string][] = [
      ['AM', pad(rng.int(1, 99_999_999), 12)],
      ['CU', rng.pick(['156', '840', '978', '344'])],
      ['TR', pad(i + 1, 6)],
      ['BT', pad(rng.int(1, 40), 6)],
      ['RF', rng.alnum(12)],
      ['AC', rng.alnum(6)],
      ['PN', maskedPan(rng)],
      ['EM', rng.pick(['S', 'C', 'T', 'M', 'F'])],
      ['DT', dateTime(rng)],
      ['TI', rng.pick(['10293847', 'T0000001', 'ab12CD34'])],
      ['MI', rng.alnum(15)],
      ['RC', rng.pick(['00', '00', '00', '05', 'A1'])],
    ];
    if (rng.next() < 0.6) f.push(['CB', rng.pick(BRANDS)]);
    if (rng.next() < 0.5) f.push(['AI', rng.pick(AIDS)]);
    if (rng.next() < 0.3) f.push(['TC', rng.pick(['SALE', 'PREAUTH', ''])]);
    if (rng.next() < 0.5) f.push(['MN', rng.pick(MERCHANT_NAMES)]);
    return { type: 'CH', seq, fields: Object.fromEntries(rng.next() < 0.3 ? shuffle(rng, f) : f) };
  }
  if (roll < 0.85) {
    const fields: Record<string, string> = { SS: rng.pick(['IDLE', 'BUSY', 'OFFLINE']) };
    if (rng.next() < 0.7) fields.PP = rng.pick(['OK', 'LOW', 'OUT']);
    return { type: 'ST', seq, fields };
  }
  if (roll < 0.95) {
    const fields: Record<string, string> = { RQ: pad(rng.int(1, 999_999), 6), RC: rng.pick(['00', '12', '13', '25']) };
    if (fields.RC === '00') {
      if (rng.next() < 0.5) Object.assign(fields, { TR: rng.digits(6), RF: rng.alnum(12), AC: rng.alnum(6), DT: dateTime(rng) });
      else Object.assign(fields, { BT: rng.digits(6), SC: rng.digits(4), SA: rng.digits(12), VC: rng.digits(4), VA: rng.digits(12), FC: rng.digits(4), FA: rng.digits(12), NB: rng.digits(6) });
    }
    return { type: 'RS', seq, fields };
  }
  const type = rng.pick<MessageType>(['VD', 'RF', 'SE', 'QT']);
  const fields: Record<string, string> =
    type === 'VD'
      ? { TR: rng.digits(6), AM: rng.digits(12) }
      : type === 'RF'
        ? { RF: rng.alnum(12), OD: `20${rng.int(20, 35)}${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}`, AM: rng.digits(12) }
        : type === 'QT'
          ? { QS: pad(rng.int(1, 999_999), 6) }
          : {};
  return { type, seq, fields };
}

function buildPool(seed: number): Framed[] {
  const rng = createRng(seed ^ 0x9e3779b9);
  const pool: Framed[] = [];
  for (let i = 0; i < POOL_SIZE; i++) {
    const m = poolMessage(rng, i);
    // A newer terminal's extra tag: on the wire, skipped by the decoder (not in the message).
    const withUnknown = rng.next() < 0.1;
    const entries = Object.entries(m.fields);
    const wire: [string, string][] = withUnknown ? [...entries, ['ZQ', rng.alnum(rng.int(0, 20))]] : entries;
    const data = withUnknown ? rawData(m.type, m.seq, wire) : encodeMessage(m);
    if (withUnknown) encodeMessage(m); // the known part must be valid on its own
    pool.push({ frame: encodeFrame(data), canonical: canonicalOf(m.type, m.seq, entries), identity: identityOf(m.type, m.seq, m.fields) });
  }
  return pool;
}

// ---------------------------------------------------------------- card data (poison frames)

/** A Luhn-valid card number of `len` digits, made up at run time (never a literal in the source). */
export function luhnPan(rng: SimRng, len: number): string {
  let body = String(rng.pick([3, 4, 5, 6])) + rng.digits(len - 2);
  let sum = 0;
  for (let i = body.length - 1, dbl = true; i >= 0; i--, dbl = !dbl) {
    let d = body.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  body += String((10 - (sum % 10)) % 10);
  return body;
}

const POISON_KINDS = ['pn-full', 'pn-middle', 'track1-mn', 'track2-cb', 'track2-unknown', 'luhn-mn', 'spaced-mn', 'dashed-cb', 'luhn-unknown', 'luhn-ai'] as const;

function poisonFrame(rng: SimRng, base: LinkMessage, pan: string): { frame: Uint8Array; kind: string } {
  const kind = rng.pick(POISON_KINDS);
  const f: [string, string][] = Object.entries(base.fields).filter(([t]) => t !== 'MN' && t !== 'CB' && t !== 'AI');
  const set = (tag: string, value: string) => {
    const i = f.findIndex(([t]) => t === tag);
    if (i >= 0) f[i] = [tag, value];
    else f.push([tag, value]);
  };
  switch (kind) {
    case 'pn-full':
      set('PN', pan);
      break;
    case 'pn-middle': // right length, but a digit where only stars may be
      set('PN', pan.slice(0, 6) + '*'.repeat(pan.length - 11) + pan.slice(-5));
      break;
    case 'track1-mn':
      set('MN', `%B${pan}^`.slice(0, 40));
      break;
    case 'track2-cb':
      set('CB', `;${pan}=${rng.digits(4)}`);
      break;
    case 'track2-unknown':
      f.push(['ZT', `;${pan}=${rng.digits(8)}`]);
      break;
    case 'luhn-mn':
      set('MN', `card ${pan}`);
      break;
    case 'spaced-mn':
      set('MN', `card ${pan.replace(/(\d{4})(?=\d)/g, '$1 ')}`);
      break;
    case 'dashed-cb':
      set('CB', pan.replace(/(\d{4})(?=\d)/g, '$1-'));
      break;
    case 'luhn-unknown':
      f.push(['ZP', pan]);
      break;
    case 'luhn-ai':
      set('AI', `A0${pan}`.slice(0, 32));
      break;
  }
  return { frame: encodeFrame(rawData('CH', base.seq, f)), kind };
}

// ---------------------------------------------------------------- one case

interface Report {
  bytes: Uint8Array;
  /** Stream range this report was cut from (before report-level damage). */
  from: number;
  to: number;
}

interface CaseInput {
  reports: Uint8Array[];
  framed: Framed[];
  /** PANs used in poison frames (for the detail check). */
  pans: string[];
  /** Frames that lie wholly before the first damage, in order: what must come out first. */
  mustDeliver: Framed[];
  /** No damage at all: the events must be exactly the outcomes of `framed`. */
  pristine: boolean;
  /**
   * How many damaged copies of each message were sent. A damaged frame may still come out as its
   * own message (e.g. when only an unknown tag's value or the padding was hit): never as another.
   */
  damagedCopies: Map<string, number>;
}

const SPECIAL = [0x02, 0x03, 0x06, 0x15, 0x00, 0x10, 0x01, 0x99, 0xff];

function randomBytes(rng: SimRng, n: number, allowSpecial: boolean): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let v = rng.next() < 0.2 ? rng.pick(SPECIAL) : rng.int(0, 255);
    if (!allowSpecial && v === 0x02) v = 0x2e;
    b[i] = v;
  }
  return b;
}

function concatAll(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Bit flip / insert / delete / LEN corruption / truncation of one frame. */
function damageFrame(rng: SimRng, f: Uint8Array, count: (kind: string) => void): Uint8Array {
  const kind = rng.pick(['flip', 'flip', 'insert', 'delete', 'len', 'truncate-frame', 'flip-stx-etx-lrc']);
  count(kind);
  switch (kind) {
    case 'flip': {
      const g = f.slice();
      g[rng.int(0, g.length - 1)]! ^= 1 << rng.int(0, 7);
      return g;
    }
    case 'flip-stx-etx-lrc': {
      const g = f.slice();
      g[rng.pick([0, g.length - 2, g.length - 1])]! ^= 1 << rng.int(0, 7);
      return g;
    }
    case 'insert': {
      const at = rng.int(0, f.length);
      const b = rng.next() < 0.5 ? rng.pick(SPECIAL) : rng.int(0, 255);
      return concatAll([f.subarray(0, at), Uint8Array.of(b), f.subarray(at)]);
    }
    case 'delete': {
      const at = rng.int(0, f.length - 1);
      return concatAll([f.subarray(0, at), f.subarray(at + 1)]);
    }
    case 'len': {
      const g = f.slice();
      const r = rng.next();
      if (r < 0.4) {
        // another BCD length, possibly above 1024
        const len = rng.int(0, 1099);
        g[1] = (Math.floor(len / 1000) << 4) | (Math.floor(len / 100) % 10);
        g[2] = ((Math.floor(len / 10) % 10) << 4) | len % 10;
      } else if (r < 0.7) {
        g[rng.int(1, 2)] = rng.int(0, 255); // anything, BCD or not
      } else {
        g[1] = rng.pick([0x10, 0x99, 0x1a, 0xa0]);
      }
      if (g[1] === f[1] && g[2] === f[2]) g[2] = (g[2]! + 1) & 0xff;
      return g;
    }
    default: {
      // truncate-frame: the frame stops part-way, the next frame follows
      return f.slice(0, rng.int(1, f.length - 1));
    }
  }
}

function chunkSizes(rng: SimRng): () => number {
  const mode = rng.int(0, 3);
  if (mode === 0) return () => 63; // a CP2110 sending full reports
  if (mode === 1) return () => rng.int(1, 63);
  if (mode === 2) return () => (rng.next() < 0.5 ? rng.int(1, 4) : 63);
  return () => rng.int(20, 63);
}

function makeReport(data: Uint8Array, rng: SimRng, padMode: number): Uint8Array {
  const n = data.length;
  if (padMode === 0) {
    const r = new Uint8Array(n + 1);
    r[0] = n;
    r.set(data, 1);
    return r;
  }
  const r = new Uint8Array(64);
  r[0] = n;
  r.set(data, 1);
  // padMode 2: garbage after the n data bytes (ignored by the CP2110 rule)
  if (padMode === 2) for (let i = n + 1; i < 64; i++) r[i] = rng.int(0, 255);
  return r;
}

function buildCase(rng: SimRng, pool: Framed[], count: (kind: string) => void, straddle: boolean): CaseInput {
  // A few cases are pure garbage: any report at all, nothing framed.
  if (rng.next() < 0.01) {
    count('garbage-case');
    const reports: Uint8Array[] = [];
    const n = rng.int(1, 40);
    for (let i = 0; i < n; i++) {
      const r = rng.next();
      if (r < 0.3) reports.push(randomBytes(rng, rng.int(0, 80), true));
      else {
        // structured garbage: STX + a large BCD LEN, repeated STX, ACK storms
        const body = rng.pick([
          () => Uint8Array.of(0x02, 0x10, 0x24),
          () => new Uint8Array(rng.int(1, 63)).fill(0x02),
          () => new Uint8Array(rng.int(1, 63)).fill(rng.pick([0x06, 0x15, 0x03])),
          () => randomBytes(rng, rng.int(1, 63), true),
        ])();
        reports.push(makeReport(body.subarray(0, 63), rng, rng.int(0, 2)));
      }
    }
    return { reports, framed: [], pans: [], mustDeliver: [], pristine: false, damagedCopies: new Map() };
  }

  const nFrames = rng.int(1, 8);
  const framed: Framed[] = [];
  const pans: string[] = [];
  const parts: Uint8Array[] = [];
  const extents: { start: number; end: number }[] = [];
  const damaged: boolean[] = [];
  let firstDamage = Infinity;
  let pos = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    pos += b.length;
  };
  const damageRate = rng.pick([0, 0.15, 0.35, 0.6]);

  for (let k = 0; k < nFrames; k++) {
    // between frames: clean noise (no STX), ACK/NAK bytes, or raw noise (damage to the next frame)
    const between = rng.next();
    let rawNoise = false;
    if (between < 0.1) push(randomBytes(rng, rng.int(1, 12), false));
    else if (between < 0.18) push(Uint8Array.of(rng.pick([0x06, 0x15])));
    else if (between < 0.18 + damageRate * 0.15) {
      rawNoise = true;
      count('raw-noise');
      firstDamage = Math.min(firstDamage, pos);
      push(randomBytes(rng, rng.int(1, 12), true));
    }

    let item: Framed;
    if (rng.next() < 0.06) {
      const baseMsg = { type: 'CH' as const, seq: pad(rng.int(1, 999_999), 6), fields: freshChFields(rng) };
      const pan = luhnPan(rng, rng.int(13, 19));
      pans.push(pan);
      const p = poisonFrame(rng, baseMsg, pan);
      count(`poison-${p.kind}`);
      item = { frame: p.frame, canonical: null, identity: '' };
    } else {
      item = pool[rng.int(0, pool.length - 1)]!;
    }
    framed.push(item);
    let bytes = item.frame;
    const dmg = !rawNoise && rng.next() < damageRate;
    if (dmg) {
      bytes = damageFrame(rng, bytes, count);
      firstDamage = Math.min(firstDamage, pos);
    }
    extents.push({ start: pos, end: pos + bytes.length });
    damaged.push(dmg || rawNoise);
    push(bytes);
  }
  if (rng.next() < 0.2) push(randomBytes(rng, rng.int(1, 6), false)); // trailing clean noise
  const stream = concatAll(parts);

  // cut into reports
  const nextSize = chunkSizes(rng);
  const padMode = rng.pick([0, 1, 1, 2]);
  let reports: Report[] = [];
  for (let i = 0; i < stream.length; ) {
    const n = Math.min(nextSize(), stream.length - i);
    reports.push({ bytes: makeReport(stream.subarray(i, i + n), rng, padMode), from: i, to: i + n });
    i += n;
  }

  // Report-level changes. Content-preserving ones (merge, split, empty report) any time; damaging
  // ones only to reports whose frames are still undamaged.
  const framesIn = (from: number, to: number) => {
    const out: number[] = [];
    for (let k = 0; k < extents.length; k++) if (extents[k]!.start < Math.max(to, from + 1) && extents[k]!.end > from) out.push(k);
    return out;
  };
  const ops = rng.int(0, 4);
  for (let o = 0; o < ops && reports.length > 0; o++) {
    const i = rng.int(0, reports.length - 1);
    const r = reports[i]!;
    const op = rng.pick(['merge', 'split', 'empty', 'dup', 'id-zero', 'id-feature', 'id-count', 'drop', 'truncate-report', 'oversize', 'noise-report']);
    if (op === 'merge' || op === 'split' || op === 'empty') {
      const next = reports[i + 1];
      const dataOf = (x: Report) => x.bytes.subarray(1, 1 + x.bytes[0]!);
      if (op === 'merge' && next && r.to === next.from && r.bytes[0]! >= 1 && r.bytes[0]! <= 63 && next.bytes[0]! >= 1 && next.bytes[0]! <= 63 && r.bytes[0]! + next.bytes[0]! <= 63 && r.bytes.length > r.bytes[0]! && next.bytes.length > next.bytes[0]!) {
        count('merge');
        reports.splice(i, 2, { bytes: makeReport(concatAll([dataOf(r), dataOf(next)]), rng, padMode), from: r.from, to: next.to });
      } else if (op === 'split' && r.to - r.from >= 2 && r.bytes[0] === r.to - r.from && r.bytes.length > r.bytes[0]!) {
        count('split');
        const d = dataOf(r);
        const cut = rng.int(1, d.length - 1);
        reports.splice(i, 1, { bytes: makeReport(d.subarray(0, cut), rng, padMode), from: r.from, to: r.from + cut }, { bytes: makeReport(d.subarray(cut), rng, padMode), from: r.from + cut, to: r.to });
      } else if (op === 'empty') {
        count('empty-report');
        reports.splice(i, 0, { bytes: new Uint8Array(0), from: r.from, to: r.from });
      }
      continue;
    }
    // A duplicate lands right after the report: the frame that starts there is hit too.
    const hit = framesIn(r.from, op === 'dup' ? r.to + 1 : r.to);
    if (hit.some((k) => damaged[k]) || (!straddle && hit.length > 1)) continue;
    if (hit.length > 1) count('straddling');
    for (const k of hit) damaged[k] = true;
    firstDamage = Math.min(firstDamage, r.from);
    count(op);
    switch (op) {
      case 'dup':
        reports.splice(i + 1, 0, { bytes: r.bytes.slice(), from: r.from, to: r.to });
        break;
      case 'id-zero':
        reports[i] = { ...r, bytes: withFirst(r.bytes, 0) };
        break;
      case 'id-feature':
        reports[i] = { ...r, bytes: withFirst(r.bytes, rng.int(0x40, 0xff)) };
        break;
      case 'id-count': {
        let n = rng.int(1, 63);
        if (n === r.bytes[0]) n = (n % 63) + 1;
        reports[i] = { ...r, bytes: withFirst(r.bytes, n) };
        break;
      }
      case 'drop':
        reports.splice(i, 1);
        break;
      case 'truncate-report':
        reports[i] = { ...r, bytes: r.bytes.slice(0, rng.int(1, Math.max(1, r.bytes.length - 1))) };
        break;
      case 'oversize':
        reports[i] = { ...r, bytes: concatAll([r.bytes, randomBytes(rng, Math.max(1, 65 - r.bytes.length) + rng.int(0, 20), true)]) };
        break;
      case 'noise-report':
        reports.splice(i, 0, { bytes: makeReport(randomBytes(rng, rng.int(1, 63), true), rng, padMode), from: r.from, to: r.from });
        break;
    }
  }
  // the input ends early (only on undamaged frames)
  if (rng.next() < damageRate * 0.3 && reports.length > 1) {
    const cut = rng.int(1, reports.length - 1);
    const from = reports[cut]!.from;
    const hit = framesIn(from, stream.length);
    if (!hit.some((k) => damaged[k])) {
      count('truncate-input');
      for (const k of hit) damaged[k] = true;
      firstDamage = Math.min(firstDamage, from);
      reports = reports.slice(0, cut);
    }
  }

  const mustDeliver: Framed[] = [];
  const damagedCopies = new Map<string, number>();
  for (let k = 0; k < framed.length; k++) {
    const f = framed[k]!;
    if (extents[k]!.end <= firstDamage && !damaged[k]) mustDeliver.push(f);
    if (damaged[k] && f.canonical !== null) damagedCopies.set(f.canonical, (damagedCopies.get(f.canonical) ?? 0) + 1);
  }
  return { reports: reports.map((r) => r.bytes), framed, pans, mustDeliver, pristine: firstDamage === Infinity && !damaged.some(Boolean), damagedCopies };
}

function withFirst(bytes: Uint8Array, b: number): Uint8Array {
  const g = bytes.length ? bytes.slice() : new Uint8Array(1);
  g[0] = b;
  return g;
}

/** Valid CH fields, the base of a poison frame. */
function freshChFields(rng: SimRng): Record<string, string> {
  return {
    AM: pad(rng.int(1, 99_999_999), 12),
    CU: '156',
    TR: rng.digits(6),
    BT: rng.digits(6),
    RF: rng.alnum(12),
    AC: rng.alnum(6),
    PN: maskedPan(rng),
    EM: 'C',
    DT: dateTime(rng),
    TI: '10293847',
    MI: rng.alnum(15),
    RC: '00',
  };
}

// ---------------------------------------------------------------- checking

/** The bytes the reports really carry, by the CP2110 rule, computed without the code under test. */
function carriedStream(reports: Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const r of reports) {
    if (r.length === 0 || r.length > 64 || r[0] === 0 || r[0]! > 63) continue;
    const n = r[0]!;
    const d = new Uint8Array(n);
    d.set(r.subarray(1, Math.min(r.length, n + 1)));
    parts.push(d);
  }
  return Buffer.from(concatAll(parts));
}

function occurrences(hay: Buffer, needle: Uint8Array): number {
  let n = 0;
  let at = hay.indexOf(needle);
  while (at >= 0) {
    n++;
    at = hay.indexOf(needle, at + 1);
  }
  return n;
}

const LINK_CODES = new Set(['lrc', 'length', 'etx']);
const MESSAGE_CODES = new Set(['format', 'missing-field', 'duplicate-field', 'pan-unmasked']);

type Outcome = { kind: 'message'; canonical: string } | { kind: 'error'; code: string };

interface CheckFailure {
  check: string;
  detail: string;
}

/** Decode `reports` and check every invariant; null when all hold. */
export function checkCase(
  input: Pick<CaseInput, 'reports' | 'framed' | 'pans'> & Partial<Pick<CaseInput, 'pristine' | 'mustDeliver' | 'damagedCopies'>>,
  tally?: (e: DecodeEvent) => void,
  /** Straddle mode: count a message that was never framed instead of failing (see FuzzOptions). */
  onCollision?: (e: DecodeEvent) => void,
): CheckFailure | null {
  const decoder = new HostDecoder();
  const events: DecodeEvent[] = [];
  try {
    for (const r of input.reports) for (const e of decoder.pushReport(r)) events.push(e);
    for (const e of decoder.end()) events.push(e);
  } catch (error) {
    return { check: 'no-throw', detail: `the decoder threw: ${(error as Error)?.stack ?? String(error)}` };
  }

  const byCanonical = new Map<string, Framed>();
  for (const f of input.framed) if (f.canonical !== null) byCanonical.set(f.canonical, f);
  let carried: Buffer | null = null;
  const emittedCount = new Map<string, number>();
  const seenIdentity = new Set<string>();
  const outcomes: Outcome[] = [];

  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    tally?.(e);
    const next = events[i + 1];
    if (e.event === 'message') {
      const canonical = canonicalOf(e.type, e.seq, Object.entries(e.fields));
      const original = byCanonical.get(canonical);
      if (!original && onCollision && next?.event === 'send' && next.hex === '06') {
        onCollision(e);
        i++;
        continue;
      }
      if (!original) return { check: 'no-wrong-message', detail: `a message that was never framed: ${JSON.stringify(e)}` };
      const n = (emittedCount.get(canonical) ?? 0) + 1;
      emittedCount.set(canonical, n);
      carried ??= carriedStream(input.reports);
      const intact = occurrences(carried, original.frame);
      const damagedCopies = input.damagedCopies?.get(canonical) ?? 0;
      if (n > intact + damagedCopies) {
        return { check: 'no-wrong-message', detail: `message emitted ${n} times but its frame occurs intact ${intact} times (and damaged ${damagedCopies} times) in the carried bytes: ${JSON.stringify(e)}` };
      }
      const identity = identityOf(e.type, e.seq, e.fields);
      if (e.duplicate !== seenIdentity.has(identity)) return { check: 'duplicate-flag', detail: `duplicate=${e.duplicate} for ${identity}` };
      seenIdentity.add(identity);
      if (!(next?.event === 'send' && next.hex === '06')) return { check: 'grammar', detail: `message not followed by send 06 (event ${i})` };
      outcomes.push({ kind: 'message', canonical });
      i++;
    } else if (e.event === 'error') {
      if (/[0-9]{6}/.test(e.detail)) return { check: 'no-card-data', detail: `a detail with a long digit run: ${JSON.stringify(e)}` };
      for (const pan of input.pans) if (e.detail.includes(pan.slice(-8))) return { check: 'no-card-data', detail: `a detail carries card digits: ${JSON.stringify(e)}` };
      if (e.code === 'pan-unmasked' && /[0-9]/.test(e.detail)) return { check: 'no-card-data', detail: `a pan-unmasked detail with digits: ${JSON.stringify(e)}` };
      if (MESSAGE_CODES.has(e.code)) {
        if (!(next?.event === 'send' && next.hex === '06')) return { check: 'grammar', detail: `${e.code} not followed by send 06 (event ${i})` };
        i++;
      } else if (LINK_CODES.has(e.code)) {
        if (!(next?.event === 'send' && next.hex === '15')) return { check: 'grammar', detail: `${e.code} not followed by send 15 (event ${i})` };
        i++;
      } else if (e.code !== 'report') {
        return { check: 'grammar', detail: `unknown error code ${e.code}` };
      }
      if (e.code !== 'report') outcomes.push({ kind: 'error', code: e.code });
    } else {
      return { check: 'grammar', detail: `a send on its own (event ${i}: ${JSON.stringify(e)})` };
    }
  }

  const expected = (f: Framed): Outcome => (f.canonical === null ? { kind: 'error', code: 'pan-unmasked' } : { kind: 'message', canonical: f.canonical });
  const same = (a: Outcome | undefined, b: Outcome) => a !== undefined && a.kind === b.kind && (a.kind === 'message' ? a.canonical === (b as { canonical: string }).canonical : a.code === (b as { code: string }).code);
  if (input.pristine) {
    const want = input.framed.map(expected);
    if (outcomes.length !== want.length || !want.every((w, k) => same(outcomes[k], w))) {
      return { check: 'liveness', detail: `undamaged input: expected ${want.length} outcomes in order, got ${JSON.stringify(outcomes).slice(0, 400)}` };
    }
  } else if (input.mustDeliver) {
    const want = input.mustDeliver.map(expected);
    for (let k = 0; k < want.length; k++) {
      if (!same(outcomes[k], want[k]!)) {
        return { check: 'liveness', detail: `frame ${k} lies before any damage but came out as ${JSON.stringify(outcomes[k] ?? null)}` };
      }
    }
  }
  return null;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function hexOf(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/** Greedy shrinking: drop reports, then trailing bytes of reports, while the same check still fails. */
function shrink(input: CaseInput, check: string): Uint8Array[] {
  const fails = (reports: Uint8Array[]) => checkCase({ reports, framed: input.framed, pans: input.pans, damagedCopies: input.damagedCopies })?.check === check;
  let reports = input.reports;
  if (!fails(reports)) return reports; // only safety checks shrink (liveness depends on the layout)
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = 0; i < reports.length; i++) {
      const candidate = [...reports.slice(0, i), ...reports.slice(i + 1)];
      if (fails(candidate)) {
        reports = candidate;
        changed = true;
        i--;
      }
    }
  }
  return reports;
}

// ---------------------------------------------------------------- driver

export function runLinkFuzz(options: FuzzOptions): FuzzResult {
  const seed = options.seed >>> 0;
  const hangMs = options.hangMs ?? 2000;
  const rng = createRng(seed);
  const pool = buildPool(seed);
  const stats: FuzzStats = {
    seed,
    cases: 0,
    reports: 0,
    bytes: 0,
    frames: 0,
    damageEvents: 0,
    poisonFrames: 0,
    mustDeliver: 0,
    pristineCases: 0,
    messages: 0,
    errors: {},
    mutations: {},
    panUnmasked: 0,
    straddlingEvents: 0,
    lrcCollisions: 0,
    slowestCaseMs: 0,
    seconds: 0,
  };
  const count = (kind: string) => {
    stats.mutations[kind] = (stats.mutations[kind] ?? 0) + 1;
  };
  const tally = (e: DecodeEvent) => {
    if (e.event === 'message') stats.messages++;
    else if (e.event === 'error') {
      stats.errors[e.code] = (stats.errors[e.code] ?? 0) + 1;
      if (e.code === 'pan-unmasked') stats.panUnmasked++;
    }
  };
  const t0 = performance.now();
  let failure: FuzzFailure | null = null;
  while (stats.reports < options.reports) {
    const input = buildCase(rng, pool, count, options.straddle ?? false);
    stats.cases++;
    stats.frames += input.framed.length;
    for (const f of input.framed) if (f.canonical === null) stats.poisonFrames++;
    if (input.pristine) stats.pristineCases++;
    stats.mustDeliver += input.pristine ? input.framed.length : input.mustDeliver.length;
    for (const r of input.reports) stats.bytes += r.length;
    stats.reports += input.reports.length;
    const c0 = performance.now();
    const problem = checkCase(input, tally, options.straddle ? () => stats.lrcCollisions++ : undefined);
    const ms = performance.now() - c0;
    if (ms > stats.slowestCaseMs) stats.slowestCaseMs = ms;
    const fail = problem ?? (ms > hangMs ? { check: 'no-hang', detail: `one case took ${ms.toFixed(0)} ms` } : null);
    if (fail) {
      const reports = fail.check === 'no-hang' || fail.check === 'liveness' ? input.reports : shrink(input, fail.check);
      failure = { caseIndex: stats.cases - 1, check: fail.check, detail: fail.detail, reportsHex: reports.map(hexOf) };
      break;
    }
  }
  stats.straddlingEvents = stats.mutations.straddling ?? 0;
  stats.damageEvents = Object.entries(stats.mutations)
    .filter(([k]) => !['merge', 'split', 'empty-report', 'garbage-case', 'straddling'].includes(k) && !k.startsWith('poison-'))
    .reduce((n, [, v]) => n + v, 0);
  stats.seconds = (performance.now() - t0) / 1000;
  return { stats, failure };
}
