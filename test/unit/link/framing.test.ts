import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameParser, encodeFrame, lrcOf, type FrameEvent } from '../../../native/link/framing.js';
import { EXAMPLE_DATA, ascii, concat, hex } from './fixtures.js';

function parse(stream: Uint8Array, cuts: number[] = []): { events: FrameEvent[]; noise: number } {
  const p = new FrameParser();
  const events: FrameEvent[] = [];
  let last = 0;
  for (const c of [...cuts.filter((c) => c > 0 && c < stream.length)].sort((a, b) => a - b)) {
    events.push(...p.push(stream.subarray(last, c)));
    last = c;
  }
  events.push(...p.push(stream.subarray(last)));
  events.push(...p.flushAtEnd());
  return { events, noise: p.noiseBytes };
}
const kinds = (evs: FrameEvent[]) => evs.map((e) => (e.kind === 'error' ? `error:${e.code}` : e.kind));
const frameTexts = (evs: FrameEvent[]) =>
  evs.flatMap((e) => (e.kind === 'frame' ? [String.fromCharCode(...e.data)] : []));
const frame = (s: string) => encodeFrame(ascii(s));

describe('encodeFrame', () => {
  it('encodes the worked example byte for byte (LEN 01 89, LRC ac)', () => {
    const f = encodeFrame(ascii(EXAMPLE_DATA));
    expect(f.length).toBe(189 + 5);
    expect(hex(f)).toBe('020189' + hex(ascii(EXAMPLE_DATA)) + '03ac');
  });

  it.each([
    [0, '0000'],
    [9, '0009'],
    [10, '0010'],
    [99, '0099'],
    [100, '0100'],
    [189, '0189'],
    [999, '0999'],
    [1000, '1000'],
    [1024, '1024'],
  ])('LEN %i is BCD %s', (n, bcd) => {
    const f = encodeFrame(new Uint8Array(n).fill(0x41));
    expect(hex(f.subarray(0, 3))).toBe('02' + bcd);
    expect(f[n + 3]).toBe(0x03);
    expect(f[n + 4]).toBe(lrcOf(f, 1, n + 4));
  });

  it('empty DATA: 02 00 00 03 03', () => {
    expect(hex(encodeFrame(new Uint8Array(0)))).toBe('0200000303');
  });

  it('throws above 1024 bytes', () => {
    expect(() => encodeFrame(new Uint8Array(1025))).toThrow(RangeError);
  });

  it('LRC is the XOR from the first LEN byte through ETX', () => {
    const f = encodeFrame(ascii('AB'));
    expect(f[5]).toBe(0x03);
    expect(f[6]).toBe(0x00 ^ 0x02 ^ 0x41 ^ 0x42 ^ 0x03);
  });
});

describe('FrameParser basics', () => {
  it('parses the example frame pushed whole and pushed byte by byte', () => {
    const f = encodeFrame(ascii(EXAMPLE_DATA));
    expect(frameTexts(parse(f).events)).toEqual([EXAMPLE_DATA]);
    const p = new FrameParser();
    const evs: FrameEvent[] = [];
    for (const b of f) evs.push(...p.push(Uint8Array.of(b)));
    expect(frameTexts(evs)).toEqual([EXAMPLE_DATA]);
    expect(p.pendingBytes).toBe(0);
  });

  it('emits the frame as soon as its LRC byte arrives (no flush needed)', () => {
    const p = new FrameParser();
    const f = frame('1ST000001SS004IDLE');
    expect(p.push(f.subarray(0, f.length - 1))).toEqual([]);
    expect(kinds(p.push(f.subarray(f.length - 1)))).toEqual(['frame']);
  });

  it('reports ACK and NAK seen between frames; counts and skips noise', () => {
    const s = concat(ascii('xy'), Uint8Array.of(0x06, 0x00, 0x15), frame('1ST000001SS004IDLE'), Uint8Array.of(0x06, 0xff));
    const { events, noise } = parse(s);
    expect(kinds(events)).toEqual(['ack', 'nak', 'frame', 'ack']);
    expect(noise).toBe(4); // x y 00 ff
  });

  it('push(bytes, start, end) feeds only that range', () => {
    const p = new FrameParser();
    const f = frame('1ST000001SS004IDLE');
    const wrapped = concat(ascii('zz'), f, ascii('yy'));
    expect(frameTexts(p.push(wrapped, 2, 2 + f.length))).toEqual(['1ST000001SS004IDLE']);
    expect(p.noiseBytes).toBe(0);
    expect(p.push(wrapped, 5, 5)).toEqual([]);
  });

  it('frame data is a copy that survives later pushes', () => {
    const p = new FrameParser();
    const [e] = p.push(frame('HELLO'));
    p.push(frame('WORLD'));
    expect(e?.kind === 'frame' && String.fromCharCode(...e.data)).toBe('HELLO');
  });

  it('handles many frames in one push and a buffer that must grow (1024-byte frames)', () => {
    const big = 'Z'.repeat(1024);
    const s = concat(...Array.from({ length: 10 }, () => encodeFrame(ascii(big))));
    const { events } = parse(s, [1, 700, 5000]);
    expect(frameTexts(events)).toEqual(new Array(10).fill(big));
  });
});

describe('FrameParser errors and resynchronisation', () => {
  const good = frame('1ST000002SS004BUSY');

  it('lrc: mismatch discards the whole frame and continues after it', () => {
    const bad = frame('1ST000001SS004IDLE');
    bad[bad.length - 1]! ^= 0x01;
    const { events, noise } = parse(concat(bad, good));
    expect(kinds(events)).toEqual(['error:lrc', 'frame']);
    expect(frameTexts(events)).toEqual(['1ST000002SS004BUSY']);
    expect(noise).toBe(0);
    const e = events[0]!;
    expect(e.kind === 'error' && e.detail).toMatch(/LRC/);
  });

  it('lrc: a corrupted data byte is caught', () => {
    const bad = frame('1ST000001SS004IDLE');
    bad[8] = 0x39;
    expect(kinds(parse(bad).events)).toEqual(['error:lrc']);
  });

  it.each([
    ['first LEN byte high nibble not BCD', [0xa0, 0x10]],
    ['first LEN byte low nibble not BCD', [0x0a, 0x10]],
    ['second LEN byte high nibble not BCD', [0x01, 0xa9]],
    ['second LEN byte low nibble not BCD', [0x01, 0x8f]],
    ['LEN 1025', [0x10, 0x25]],
    ['LEN 1100', [0x11, 0x00]],
    ['LEN 9999', [0x99, 0x99]],
  ])('length: %s, then resync finds the next frame', (_name, len) => {
    const s = concat(Uint8Array.of(0x02, ...len, 0x41, 0x42, 0x03, 0x00), good);
    const { events } = parse(s);
    expect(kinds(events)).toEqual(['error:length', 'frame']);
    expect(frameTexts(events)).toEqual(['1ST000002SS004BUSY']);
  });

  it('length: detected on the first LEN byte without waiting for the second', () => {
    const p = new FrameParser();
    expect(kinds(p.push(Uint8Array.of(0x02, 0x2a)))).toEqual(['error:length']);
  });

  it('LEN 1024 is accepted', () => {
    const d = 'Q'.repeat(1024);
    expect(frameTexts(parse(encodeFrame(ascii(d))).events)).toEqual([d]);
  });

  it('etx: the byte at the ETX position is not 03', () => {
    const bad = frame('1ST000001SS004IDLE');
    bad[bad.length - 2] = 0x04;
    const { events } = parse(concat(bad, good));
    expect(kinds(events)).toEqual(['error:etx', 'frame']);
  });

  it('etx: a too-large corrupted LEN swallows the next frame; resync from after the STX recovers it', () => {
    const a = frame('1ST000001SS004IDLE'); // LEN 0x00 0x18 = 18
    a[2] = 0x30; // LEN 30: ETX position now lies inside frame `good`
    const third = frame('1ST000003SS004IDLE');
    const { events } = parse(concat(a, good, third));
    expect(kinds(events)).toEqual(['error:etx', 'frame', 'frame']);
    expect(frameTexts(events)).toEqual(['1ST000002SS004BUSY', '1ST000003SS004IDLE']);
  });

  it('a too-large LEN at end of input: the swallowed frame is found by flushAtEnd, silently', () => {
    const a = frame('1ST000001SS004IDLE');
    a[1] = 0x09; // LEN 918: never completes
    const p = new FrameParser();
    expect(p.push(concat(a, good))).toEqual([]);
    expect(p.pendingBytes).toBe(a.length + good.length);
    const evs = p.flushAtEnd();
    expect(kinds(evs)).toEqual(['frame']);
    expect(frameTexts(evs)).toEqual(['1ST000002SS004BUSY']);
    expect(p.pendingBytes).toBe(0);
  });

  it('a truncated frame does not hide the frames after it; the truncated one is dropped silently', () => {
    const full = encodeFrame(ascii(EXAMPLE_DATA));
    const truncated = full.subarray(0, 60);
    const { events } = parse(concat(truncated, good, good));
    expect(kinds(events)).toEqual(['frame', 'frame']);
  });

  it('a truncated frame at the very end is abandoned silently', () => {
    const full = encodeFrame(ascii(EXAMPLE_DATA));
    const { events } = parse(concat(good, full.subarray(0, 100)));
    expect(kinds(events)).toEqual(['frame']);
    expect(kinds(parse(Uint8Array.of(0x02)).events)).toEqual([]);
    expect(kinds(parse(Uint8Array.of(0x02, 0x01)).events)).toEqual([]);
  });

  it('a lone STX inside noise followed by a frame', () => {
    // 02 31 -> LEN byte 0x31 is > 0x10 -> length error, then resync
    const { events, noise } = parse(concat(ascii('\x021'), good));
    expect(kinds(events)).toEqual(['error:length', 'frame']);
    expect(noise).toBe(1); // the '1' re-scanned after the length error
  });

  it('the parser can be reset and reused', () => {
    const p = new FrameParser();
    p.push(good.subarray(0, 5));
    p.reset();
    expect(frameTexts(p.push(good))).toEqual(['1ST000002SS004BUSY']);
  });
});

describe('FrameParser properties', () => {
  const dataArb = fc
    .array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: 0, maxLength: 300 })
    .map((a) => Uint8Array.from(a));
  const itemArb = fc.oneof(
    { weight: 5, arbitrary: dataArb.map((d) => ({ kind: 'frame' as const, d })) },
    { weight: 1, arbitrary: fc.constantFrom(0x06, 0x15).map((b) => ({ kind: 'ctl' as const, b })) },
    {
      weight: 1,
      arbitrary: fc
        .uint8Array({ minLength: 1, maxLength: 10 })
        .map((u) => ({ kind: 'noise' as const, u: u.map((b) => (b === 0x02 || b === 0x06 || b === 0x15 ? 0x20 : b)) })),
    },
  );

  it('any chunking of a stream gives the same events as one push', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 12 }), fc.array(fc.nat(5000), { maxLength: 40 }), (items, cuts) => {
        const stream = concat(
          ...items.map((i) => (i.kind === 'frame' ? encodeFrame(i.d) : i.kind === 'ctl' ? Uint8Array.of(i.b) : i.u)),
        );
        const whole = parse(stream);
        const chunked = parse(stream, cuts);
        expect(chunked.events).toEqual(whole.events);
        expect(chunked.noise).toBe(whole.noise);
        // and without corruption every frame comes out, in order
        expect(whole.events.filter((e) => e.kind === 'frame').map((e) => (e.kind === 'frame' ? hex(e.data) : ''))).toEqual(
          items.flatMap((i) => (i.kind === 'frame' ? [hex(i.d)] : [])),
        );
      }),
    );
  });

  it('arbitrary bytes: never throws, and chunking never changes the result', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(0x02, 0x03, 0x06, 0x15, 0x00, 0x10, 0x01), fc.integer({ min: 0, max: 255 })), {
          maxLength: 3000,
        }),
        fc.array(fc.nat(3000), { maxLength: 30 }),
        (arr, cuts) => {
          const s = Uint8Array.from(arr);
          expect(parse(s, cuts)).toEqual(parse(s));
        },
      ),
    );
  });
});
