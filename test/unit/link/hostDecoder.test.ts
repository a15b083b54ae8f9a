import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../../native/link/codec.js';
import { encodeFrame } from '../../../native/link/framing.js';
import { HostDecoder, type DecodeEvent } from '../../../native/link/hostDecoder.js';
import { bytesToReports, padReport } from '../../../native/link/reassembly.js';
import type { LinkMessage } from '../../../native/link/types.js';
import {
  EXAMPLE_FIELDS,
  EXAMPLE_REPORTS,
  ascii,
  ch,
  concat,
  rawData,
  terminalMessageArb,
  unhex,
} from './fixtures.js';
import { VISA_PAN } from '../../support/testPan.js';

const frameOf = (m: LinkMessage) => encodeFrame(encodeMessage(m));
function run(reports: Uint8Array[]): DecodeEvent[] {
  const d = new HostDecoder();
  const out: DecodeEvent[] = [];
  for (const r of reports) out.push(...d.pushReport(r));
  out.push(...d.end());
  return out;
}
const streamEvents = (stream: Uint8Array, pad = false) =>
  run(bytesToReports(stream).map((r) => (pad ? padReport(r) : r)));
const json = (evs: DecodeEvent[]) => evs.map((e) => JSON.stringify(e));
const ACKED = '{"event":"send","hex":"06"}';
const summary = (evs: DecodeEvent[]) =>
  evs.map((e) => (e.event === 'send' ? `send ${e.hex}` : e.event === 'error' ? `error ${e.code}` : `message ${e.type} ${e.seq}${e.duplicate ? ' dup' : ''}`));
const st = (seq: string, ss = 'IDLE'): LinkMessage => ({ type: 'ST', seq, fields: { SS: ss } });

describe('HostDecoder: worked example', () => {
  it('the four input reports give the message, then ACK', () => {
    const evs = run(EXAMPLE_REPORTS.map(unhex));
    expect(json(evs)).toEqual([
      JSON.stringify({ event: 'message', type: 'CH', seq: '000042', fields: EXAMPLE_FIELDS, duplicate: false }),
      ACKED,
    ]);
    // key order: event, type, seq, fields, duplicate
    expect(json(evs)[0]).toMatch(/^\{"event":"message","type":"CH","seq":"000042","fields":\{"AM":"000000128000",.*\},"duplicate":false\}$/);
  });
  it('the same with 64-byte padded reports', () => {
    expect(summary(run(EXAMPLE_REPORTS.map((h) => padReport(unhex(h)))))).toEqual(['message CH 000042', 'send 06']);
  });
  it('the ACK is only emitted once the frame is complete', () => {
    const d = new HostDecoder();
    const reps = EXAMPLE_REPORTS.map(unhex);
    expect(d.pushReport(reps[0]!)).toEqual([]);
    expect(d.pushReport(reps[1]!)).toEqual([]);
    expect(d.pushReport(reps[2]!)).toEqual([]);
    expect(summary(d.pushReport(reps[3]!))).toEqual(['message CH 000042', 'send 06']);
    expect(d.end()).toEqual([]);
  });
});

describe('HostDecoder: event order and codes', () => {
  it('link-level errors: error then NAK', () => {
    const f = frameOf(st('000001'));
    const lrc = f.slice();
    lrc[lrc.length - 1]! ^= 0xff;
    const etx = f.slice();
    etx[etx.length - 2] = 0x00;
    const len = f.slice();
    len[2] = 0x0a;
    for (const [bad, code] of [[lrc, 'lrc'], [etx, 'etx'], [len, 'length']] as const) {
      const evs = streamEvents(bad);
      expect(summary(evs)).toEqual([`error ${code}`, 'send 15']);
      expect(Object.keys(evs[0]!)).toEqual(['event', 'code', 'detail']);
    }
  });
  it('message-level errors: error then ACK', () => {
    const cases: [Uint8Array, string][] = [
      [rawData('ST', '000000', [['SS', 'IDLE']]), 'format'],
      [rawData('ST', '000001', [['SS', 'IDLE'], ['SS', 'BUSY']]), 'duplicate-field'],
      [rawData('ST', '000001', [['PP', 'OK']]), 'missing-field'],
      [rawData('CH', '000001', Object.entries({ ...EXAMPLE_FIELDS, PN: VISA_PAN })), 'pan-unmasked'],
    ];
    for (const [data, code] of cases) {
      const evs = streamEvents(encodeFrame(data));
      expect(summary(evs)).toEqual([`error ${code}`, 'send 06']);
      expect(JSON.stringify(evs)).not.toMatch(/4111/);
    }
  });
  it('a bad report: error report, no send, its bytes dropped', () => {
    const f = frameOf(st('000001'));
    const reps = [Uint8Array.of(0x41, 0x01), Uint8Array.of(0, 1, 2), new Uint8Array(65), ...bytesToReports(f)];
    expect(summary(run(reps))).toEqual(['error report', 'error report', 'error report', 'message ST 000001', 'send 06']);
    // a feature report in the middle of a frame: its bytes never reach the stream
    const g = frameOf(st('000002'));
    const evs = run([
      Uint8Array.of(5, ...f.subarray(0, 5)),
      Uint8Array.of(0x7f, 0x41),
      Uint8Array.of(f.length - 5, ...f.subarray(5)),
      ...bytesToReports(g),
    ]);
    expect(summary(evs)).toEqual(['error report', 'message ST 000001', 'send 06', 'message ST 000002', 'send 06']);
  });
  it('ACK / NAK bytes from the terminal and noise produce no event', () => {
    const s = concat(Uint8Array.of(0x06, 0x15, 0x00, 0x41, 0xff), frameOf(st('000001')), Uint8Array.of(0x06, 0x20));
    expect(summary(streamEvents(s))).toEqual(['message ST 000001', 'send 06']);
    const d = new HostDecoder();
    d.pushBytes(Uint8Array.of(0x00, 0x41, 0xff));
    expect(d.noiseBytes).toBe(3);
  });
});

describe('HostDecoder: duplicates and resync', () => {
  it('a retransmitted frame is ACKed again and flagged duplicate', () => {
    const f = frameOf(ch('000001'));
    expect(summary(streamEvents(concat(f, f)))).toEqual(['message CH 000001', 'send 06', 'message CH 000001 dup', 'send 06']);
  });
  it('CH identity is (TI, BT, TR), not SEQ', () => {
    const s = concat(
      frameOf(ch('000001')),
      frameOf(ch('000002')), // same TI BT TR, new SEQ: replay after reconnect
      frameOf(ch('000003', { TR: '000319' })),
      frameOf(ch('000004', { BT: '000028' })),
      frameOf(ch('000005', { TI: '10293848' })),
    );
    expect(summary(streamEvents(s)).filter((x) => x.startsWith('message'))).toEqual([
      'message CH 000001',
      'message CH 000002 dup',
      'message CH 000003',
      'message CH 000004',
      'message CH 000005',
    ]);
  });
  it('other types: (type, SEQ); rejected messages are not remembered', () => {
    const s = concat(
      encodeFrame(rawData('ST', '000001', [['SS', '']])), // invalid
      frameOf(st('000001')),
      frameOf(st('000001', 'BUSY')),
      frameOf({ type: 'RS', seq: '000001', fields: { RQ: '000001', RC: '00' } }),
    );
    expect(summary(streamEvents(s))).toEqual([
      'error format',
      'send 06',
      'message ST 000001',
      'send 06',
      'message ST 000001 dup',
      'send 06',
      'message RS 000001',
      'send 06',
    ]);
  });
  it('noise, a frame swallowed by a too-large LEN, a truncated frame at the end', () => {
    const a = frameOf(st('000001'));
    a[2] = 0x40; // LEN 18 -> 40: its ETX position falls inside the next frame
    const truncated = frameOf(ch('000009')).subarray(0, 100);
    const s = concat(ascii('garbage'), a, frameOf(st('000002')), frameOf(ch('000003')), truncated, frameOf(st('000004')));
    expect(summary(streamEvents(s, true))).toEqual([
      'error etx',
      'send 15',
      'message ST 000002',
      'send 06',
      'message CH 000003',
      'send 06',
      'message ST 000004',
      'send 06',
    ]);
  });
});

describe('HostDecoder properties', () => {
  /** Split a byte stream into reports of random sizes 1..63. */
  const reportsOf = (stream: Uint8Array, sizes: number[]) => {
    const out: Uint8Array[] = [];
    let i = 0;
    let k = 0;
    while (i < stream.length) {
      const n = Math.min(stream.length - i, sizes.length ? sizes[k++ % sizes.length]! : 63);
      out.push(Uint8Array.of(n, ...stream.subarray(i, i + n)));
      i += n;
    }
    return out;
  };
  const noiseArb = fc
    .uint8Array({ minLength: 0, maxLength: 6 })
    .map((u) => u.map((b) => (b === 0x02 || b === 0x06 || b === 0x15 ? 0x2e : b)));

  it('any chunking of a valid stream into reports yields the same messages, all of them, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(terminalMessageArb, noiseArb, fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 63 }), { maxLength: 20 }),
        fc.boolean(),
        (items, sizes, pad) => {
          const stream = concat(...items.flatMap(([m, noise, ack]) => [frameOf(m), noise, ack ? Uint8Array.of(0x06) : new Uint8Array(0)]));
          const reference = run(bytesToReports(stream));
          const reps = reportsOf(stream, sizes).map((r) => (pad ? padReport(r) : r));
          const evs = run(reps);
          expect(evs).toEqual(reference);
          const msgs = evs.flatMap((e) => (e.event === 'message' ? [{ type: e.type, seq: e.seq, fields: e.fields }] : []));
          expect(msgs).toEqual(items.map(([m]) => m));
          expect(evs.every((e) => e.event !== 'error')).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  type Edit = { kind: 'flip'; at: number; mask: number } | { kind: 'insert'; at: number; byte: number } | { kind: 'delete'; at: number };
  const editArb: fc.Arbitrary<Edit> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.oneof(fc.constantFrom(0x02, 0x03, 0x06, 0x15, 0x10, 0x01), fc.integer({ min: 0, max: 255 })) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  );
  const apply = (f: Uint8Array, e: Edit): Uint8Array => {
    const at = e.at % (f.length + (e.kind === 'insert' ? 1 : 0));
    if (e.kind === 'flip') {
      const g = f.slice();
      g[at]! ^= e.mask;
      return g;
    }
    if (e.kind === 'insert') return concat(f.subarray(0, at), Uint8Array.of(e.byte), f.subarray(at));
    return concat(f.subarray(0, at), f.subarray(at + 1));
  };

  it('corruption (flip / insert / delete, noise, random chunking) never throws and never invents a message', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(terminalMessageArb, fc.option(editArb, { freq: 2 }), noiseArb), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 63 }), { maxLength: 10 }),
        (items, sizes) => {
          // one edit at most per frame: LRC plus ASCII-only DATA must catch it
          const originals = items.map(([m]) => JSON.stringify(m));
          const stream = concat(...items.flatMap(([m, edit, noise]) => [edit ? apply(frameOf(m), edit) : frameOf(m), noise]));
          const evs = run(reportsOf(stream, sizes));
          for (const e of evs) {
            if (e.event === 'message') expect(originals).toContain(JSON.stringify({ type: e.type, seq: e.seq, fields: e.fields }));
          }
          // every error is followed by its send; every message by an ACK
          evs.forEach((e, i) => {
            if (e.event === 'message') expect(evs[i + 1]).toEqual({ event: 'send', hex: '06' });
          });
          // untouched frames preceded by untouched frames always come through
          const firstEdited = items.findIndex(([, edit]) => edit !== null);
          const safe = firstEdited < 0 ? items.length : firstEdited;
          const got = evs.filter((e) => e.event === 'message').length;
          expect(got).toBeGreaterThanOrEqual(safe);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary reports never throw', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 70 }), { maxLength: 60 }), (reps) => {
        run(reps);
      }),
    );
  });
});
