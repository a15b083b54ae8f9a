import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToReports, padReport, reportToBytes } from '../../../native/link/reassembly.js';
import { concat, hex, unhex } from './fixtures.js';

describe('reportToBytes', () => {
  it('returns the n data bytes of a padded report', () => {
    const r = padReport(Uint8Array.of(3, 0xaa, 0xbb, 0xcc));
    expect(r.length).toBe(64);
    const res = reportToBytes(r);
    expect(res).toEqual({ ok: true, bytes: Uint8Array.of(0xaa, 0xbb, 0xcc) });
  });

  it('accepts a full 63-byte report', () => {
    const r = new Uint8Array(64).fill(0x41);
    r[0] = 63;
    const res = reportToBytes(r);
    expect(res.ok && res.bytes.length).toBe(63);
  });

  it('ignores non-zero bytes after the n data bytes', () => {
    const r = new Uint8Array(64).fill(0xee);
    r[0] = 2;
    r[1] = 1;
    r[2] = 2;
    expect(reportToBytes(r)).toEqual({ ok: true, bytes: Uint8Array.of(1, 2) });
  });

  it('zero-pads a report shorter than 1 + n (missing bytes are zeros)', () => {
    expect(reportToBytes(Uint8Array.of(5, 0x62, 0x69))).toEqual({ ok: true, bytes: Uint8Array.of(0x62, 0x69, 0, 0, 0) });
    expect(reportToBytes(Uint8Array.of(4))).toEqual({ ok: true, bytes: new Uint8Array(4) });
  });

  it.each([
    ['report ID 0', Uint8Array.of(0, 1, 2)],
    ['report ID 0x40 (feature)', Uint8Array.of(0x40, 1)],
    ['report ID 0x41 (feature)', Uint8Array.of(0x41, 0x01)],
    ['report ID 0x50 (feature)', Uint8Array.of(0x50, 0x00, 0x01, 0xc2, 0x00, 0, 0, 3, 0)],
    ['report ID 0xff', Uint8Array.of(0xff)],
    ['empty report', new Uint8Array(0)],
    ['65-byte report', Uint8Array.of(1, ...new Array(64).fill(0))],
  ])('rejects %s', (_name, r) => {
    const res = reportToBytes(r);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.detail.length).toBeGreaterThan(0);
  });
});

describe('bytesToReports / padReport', () => {
  it('splits into chunks of at most 63 bytes, [n, ...bytes], unpadded', () => {
    const bytes = Uint8Array.from({ length: 130 }, (_, i) => i);
    const reports = bytesToReports(bytes);
    expect(reports.map((r) => r.length)).toEqual([64, 64, 5]);
    expect(reports.map((r) => r[0])).toEqual([63, 63, 4]);
    expect(hex(reports[2]!)).toBe('04' + '7e7f8081');
  });

  it('edge sizes', () => {
    expect(bytesToReports(new Uint8Array(0))).toEqual([]);
    expect(bytesToReports(new Uint8Array(63)).length).toBe(1);
    expect(bytesToReports(new Uint8Array(64)).map((r) => r.length)).toEqual([64, 2]);
    expect(hex(bytesToReports(Uint8Array.of(6))[0]!)).toBe('0106');
  });

  it('padReport pads with zeros to 64 and rejects longer reports', () => {
    const p = padReport(unhex('0562697403ac'));
    expect(p.length).toBe(64);
    expect(hex(p)).toBe('0562697403ac' + '00'.repeat(58));
    expect(() => padReport(new Uint8Array(65))).toThrow(RangeError);
  });

  it('property: reports of any byte string give the same bytes back (padded or not)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, pad) => {
        const back = bytesToReports(bytes).map((r) => {
          const res = reportToBytes(pad ? padReport(r) : r);
          if (!res.ok) throw new Error(res.detail);
          return res.bytes;
        });
        expect(concat(...back)).toEqual(bytes);
      }),
    );
  });
});
