import { describe, expect, it } from 'vitest';
import { benchDecode, buildBenchStream } from '../../../native/link/bench.js';
import { HostDecoder } from '../../../native/link/hostDecoder.js';
import { bytesToReports, padReport } from '../../../native/link/reassembly.js';

// Not a timing test: checks that the benchmark measures what it claims (a clean, realistic stream).
describe('bench', () => {
  it('the bench stream decodes to messages and ACKs only, CH and ST mixed', () => {
    const reports = bytesToReports(buildBenchStream(300)).map(padReport);
    const d = new HostDecoder();
    const events = [...reports.flatMap((r) => d.pushReport(r)), ...d.end()];
    expect(events.filter((e) => e.event === 'error')).toEqual([]);
    const msgs = events.filter((e) => e.event === 'message');
    expect(msgs.length).toBe(300);
    expect(events.filter((e) => e.event === 'send').length).toBe(300);
    expect(new Set(msgs.map((m) => (m.event === 'message' ? m.type : '')))).toEqual(new Set(['CH', 'ST']));
    expect(msgs.some((m) => m.event === 'message' && m.duplicate)).toBe(false);
    expect(d.noiseBytes).toBeGreaterThan(0);
  });
  it('benchDecode returns consistent figures', () => {
    const r = benchDecode({ frames: 200, rounds: 1 });
    expect(r.reports).toBeGreaterThan(200);
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.reportsPerSecond).toBe(Math.round(r.reports / r.seconds));
    expect(r.mbPerSecond).toBeCloseTo((r.reports * 64) / 1e6 / r.seconds, 1);
  });
});
