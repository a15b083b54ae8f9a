import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, runDecode, runEncode, toHex } from '../../../native/link/cli.js';
import { EXAMPLE_FIELDS, EXAMPLE_REPORTS, anyMessageArb } from './fixtures.js';
import { MASTERCARD_PAN, VISA_PAN } from '../../support/testPan.js';

async function decodeLines(lines: Iterable<string> | AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  await runDecode(lines, (l) => out.push(l));
  return out;
}
const EXAMPLE_ARGS = ['CH', '--seq', '000042', ...Object.entries(EXAMPLE_FIELDS).map(([k, v]) => `${k}=${v}`)];
const EXAMPLE_EVENT = JSON.stringify({ event: 'message', type: 'CH', seq: '000042', fields: EXAMPLE_FIELDS, duplicate: false });
const ACK = '{"event":"send","hex":"06"}';

describe('runDecode', () => {
  it('worked example: 4 hex lines -> the message, then {"event":"send","hex":"06"}', async () => {
    expect(await decodeLines(EXAMPLE_REPORTS)).toEqual([EXAMPLE_EVENT, ACK]);
  });
  it('accepts spaces anywhere, upper case, empty lines, CRLF, and async input', async () => {
    const spaced = EXAMPLE_REPORTS.map((l, i) => (i % 2 ? l.toUpperCase() : l.replace(/(..)/g, '$1 ')) + '\r');
    async function* gen() {
      yield '';
      for (const l of spaced) {
        yield l;
        yield '   ';
      }
    }
    expect(await decodeLines(gen())).toEqual([EXAMPLE_EVENT, ACK]);
    expect(await decodeLines([EXAMPLE_REPORTS.join('\n')])).toEqual([EXAMPLE_EVENT, ACK]);
  });
  it('a line with non-hex characters or an odd digit count is error report (content not echoed)', async () => {
    const out = await decodeLines(['0x12', '123', 'zz', ...EXAMPLE_REPORTS]);
    expect(out.slice(0, 3).map((l) => JSON.parse(l).code)).toEqual(['report', 'report', 'report']);
    expect(Object.keys(JSON.parse(out[0]!))).toEqual(['event', 'code', 'detail']);
    expect(out.slice(3)).toEqual([EXAMPLE_EVENT, ACK]);
    expect(out[2]).not.toContain('zz');
  });
  it('a feature report line', async () => {
    const out = await decodeLines(['4101']);
    expect(JSON.parse(out[0]!)).toMatchObject({ event: 'error', code: 'report' });
  });
  it('link errors: error then NAK; events as JSON with key order event, code, detail', async () => {
    const bad = EXAMPLE_REPORTS.slice();
    bad[3] = '0562697403ad';
    const out = await decodeLines(bad);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^\{"event":"error","code":"lrc","detail":".+"\}$/);
    expect(out[1]).toBe('{"event":"send","hex":"15"}');
  });
  it('a truncated frame at end of input is dropped silently', async () => {
    expect(await decodeLines(EXAMPLE_REPORTS.slice(0, 3))).toEqual([]);
  });
  it('a retransmission is printed with duplicate:true', async () => {
    const out = await decodeLines([...EXAMPLE_REPORTS, ...EXAMPLE_REPORTS]);
    expect(out).toEqual([EXAMPLE_EVENT, ACK, EXAMPLE_EVENT.replace('"duplicate":false', '"duplicate":true'), ACK]);
  });
  it('pan-unmasked output never carries the PAN', async () => {
    const enc = runEncode(['ST', '--seq', '000001', 'SS=IDLE']);
    expect(enc.ok).toBe(true);
    // hand-craft a CH with a full PAN
    const { encodeFrame } = await import('../../../native/link/framing.js');
    const { bytesToReports } = await import('../../../native/link/reassembly.js');
    const data = new TextEncoder().encode(
      `1CH000042AM012000000128000CU003156TR006000318BT006000027RF012331822000318AC00683K2Q1PN016${VISA_PAN}EM001CDT01420261123143005TI00810293847MI015898310058120001RC00200`,
    );
    const lines = bytesToReports(encodeFrame(data)).map(toHex);
    const out = await decodeLines(lines);
    expect(out.map((l) => JSON.parse(l).code ?? JSON.parse(l).hex)).toEqual(['pan-unmasked', '06']);
    expect(out.join('')).not.toContain(VISA_PAN.slice(0, 6));
    expect(out.join('')).not.toContain(VISA_PAN.slice(6, 12));
  });
});

describe('runEncode', () => {
  it('worked example: exactly the four reports of the spec', () => {
    expect(runEncode(EXAMPLE_ARGS)).toEqual({ ok: true, lines: EXAMPLE_REPORTS });
  });
  it('every type', () => {
    const cases: string[][] = [
      ['ST', '--seq', '000001', 'SS=IDLE', 'PP=OK'],
      ['RS', '--seq', '000002', 'RQ=000007', 'RC=00'],
      ['VD', '--seq', '000003', 'TR=000318', 'AM=000000128000'],
      ['RF', '--seq', '000004', 'RF=331822000318', 'OD=20261123', 'AM=000000012800'],
      ['SE', '--seq', '000005'],
      ['QT', '--seq=000006', 'QS=000003'],
    ];
    for (const c of cases) {
      const r = runEncode(c);
      expect(r.ok).toBe(true);
    }
    expect(runEncode(['SE', '--seq', '000005'])).toEqual({ ok: true, lines: ['0e0200093153453030303030350328'] });
    expect(runEncode(['QT', '--seq=000006', 'QS=000003'])).toEqual(runEncode(['QT', 'QS=000003', '--seq', '000006']));
  });
  it('values may contain = and spaces (split on the first =)', async () => {
    const r = runEncode(['CH', '--seq', '000042', ...EXAMPLE_ARGS.slice(3, -1), 'CB=a=b c', 'MN=老街 面馆']);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const out = await decodeLines(r.lines);
    expect(JSON.parse(out[0]!).fields.CB).toBe('a=b c');
    expect(JSON.parse(out[0]!).fields.MN).toBe('老街 面馆');
  });
  it.each([
    [[], /usage/],
    [['XX', '--seq', '000001'], /unknown message type/],
    [['ST', 'SS=IDLE'], /--seq is required/],
    [['ST', '--seq'], /--seq needs a value/],
    [['ST', '--seq', '000001', '--seq', '000002', 'SS=IDLE'], /more than once/],
    [['ST', '--seq', '000001', 'SS'], /not TAG=VALUE/],
    [['ST', '--seq', '000001', '--verbose'], /unknown option/],
    [['ST', '--seq', '000000', 'SS=IDLE'], /^format: /],
    [['ST', '--seq', '000001', 'SS=IDLE', 'SS=BUSY'], /^duplicate-field: /],
    [['ST', '--seq', '000001'], /^missing-field: /],
    [['ST', '--seq', '000001', 'SS=IDLE', 'ss=x'], /^format: /],
    [['ST', '--seq', '000001', 'SS=IDLE', '__proto__=x'], /^format: /],
  ])('error: %j', (args, re) => {
    const r = runEncode(args as string[]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(re);
  });
  it('a full PAN is refused without echoing it', () => {
    const args = EXAMPLE_ARGS.map((a) => (a.startsWith('PN=') ? `PN=${MASTERCARD_PAN}` : a));
    const r = runEncode(args);
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) {
      expect(r.error).toMatch(/^pan-unmasked: /);
      expect(r.error).not.toMatch(/5555/);
    }
  });
  it('property: encode -> decode round trip through the CLI functions', async () => {
    await fc.assert(
      fc.asyncProperty(anyMessageArb, async (m) => {
        const r = runEncode([m.type, '--seq', m.seq, ...Object.entries(m.fields).map(([k, v]) => `${k}=${v}`)]);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        for (const l of r.lines) expect(l).toMatch(/^([0-9a-f]{2})+$/);
        const out = await decodeLines(r.lines);
        expect(out).toEqual([JSON.stringify({ event: 'message', type: m.type, seq: m.seq, fields: m.fields, duplicate: false }), ACK]);
      }),
      { numRuns: 150 },
    );
  });
});

describe('hex helpers', () => {
  it('toHex / fromHex', () => {
    expect(toHex(Uint8Array.of(0, 0xab, 0x10))).toBe('00ab10');
    expect(fromHex('00 AB 10')).toEqual(Uint8Array.of(0, 0xab, 0x10));
    expect(fromHex('0')).toBeNull();
    expect(fromHex('0g')).toBeNull();
  });
});
