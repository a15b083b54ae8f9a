/**
 * Layer 1: HID reports <-> byte stream, CP2110 convention (spec section 1).
 *
 * A report is `[n, b1..bn, 0-padding]` with report ID n = number of data bytes (1..63).
 * Report IDs 0x40 and above are feature reports of the bridge and never carry data; 0 carries
 * nothing either. Both are rejected (error code `report`).
 */
import { MAX_REPORT_DATA, REPORT_SIZE } from './types.js';

export type ReportResult = { ok: true; bytes: Uint8Array } | { ok: false; detail: string };

/**
 * The data bytes of one input report.
 *
 * - empty report, report ID 0, report ID >= 0x40, or a report longer than 64 bytes -> not ok.
 * - a report shorter than 1 + n (trailing zero padding omitted, e.g. in hex dumps) is treated as
 *   zero-padded to 64 bytes: the missing data bytes are zeros.
 * - whatever follows the n data bytes (normally zero padding, possibly garbage) is ignored.
 *
 * The returned bytes are a view into `report` when the report is long enough (no copy); callers
 * that keep them beyond the next reuse of the report buffer must copy.
 */
export function reportToBytes(report: Uint8Array): ReportResult {
  const len = report.length;
  if (len === 0) return { ok: false, detail: 'empty report' };
  if (len > REPORT_SIZE) return { ok: false, detail: `report of ${len} bytes is longer than ${REPORT_SIZE}` };
  const n = report[0]!;
  if (n === 0) return { ok: false, detail: 'report ID 0x00 carries no data' };
  if (n > MAX_REPORT_DATA) {
    return { ok: false, detail: `report ID 0x${hex2(n)} is a feature report and carries no data` };
  }
  if (len >= n + 1) return { ok: true, bytes: report.subarray(1, n + 1) };
  const bytes = new Uint8Array(n); // missing trailing bytes are zero padding
  bytes.set(report.subarray(1));
  return { ok: true, bytes };
}

/** Split a byte stream into output reports `[n, b1..bn]` (n <= 63), WITHOUT padding. */
export function bytesToReports(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += MAX_REPORT_DATA) {
    const n = Math.min(MAX_REPORT_DATA, bytes.length - i);
    const r = new Uint8Array(n + 1);
    r[0] = n;
    r.set(bytes.subarray(i, i + n), 1);
    out.push(r);
  }
  return out;
}

/** Zero-pad a report to the 64-byte report size (a copy). Throws if it is longer than 64 bytes. */
export function padReport(report: Uint8Array): Uint8Array {
  if (report.length > REPORT_SIZE) throw new RangeError(`report of ${report.length} bytes is longer than ${REPORT_SIZE}`);
  const r = new Uint8Array(REPORT_SIZE);
  r.set(report);
  return r;
}

function hex2(b: number): string {
  return (b < 16 ? '0' : '') + b.toString(16);
}
