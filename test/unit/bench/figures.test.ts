/**
 * The bench's arithmetic: percentiles, limits resolved from other figures, ratios, goals met or
 * missed (and by how much), the table, keypress→paint pairing, and the command's options.
 */
import { describe, expect, it } from 'vitest';
import { keyToPaint } from '../../../bench/browser.js';
import { pressToPaint } from '../../../bench/flood.js';
import {
  formatTable,
  goalAtLeast,
  goalAtMost,
  missedGoals,
  missing,
  percentile,
  resolveFigures,
  summarize,
  type Figure,
} from '../../../bench/figures.js';
import { FULL, QUICK } from '../../../bench/options.js';
import { benchOptions } from '../../../bench/run.js';
import { parseArgs, UsageError } from '../../../electron/host/args.js';

describe('percentile and summarize', () => {
  it('takes the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
  it('summarizes unsorted samples', () => {
    const s = summarize([5, 1, 3, 2, 4]);
    expect(s).toMatchObject({ n: 5, min: 1, p50: 3, p99: 5, max: 5, mean: 3 });
  });
});

const limits: Figure[] = [
  { id: 'limit.hid', name: 'hid', value: 1, unit: 'ms' },
  { id: 'limit.fsync.p50', name: 'fsync', value: 0.25, unit: 'ms' },
  { id: 'limit.frame', name: 'frame', value: 16.5, unit: 'ms' },
  { id: 'limit.write', name: 'write', value: 500, unit: 'MB/s' },
];

describe('resolveFigures', () => {
  it('sums the referenced limits, and divides the value by the limit', () => {
    const [pixels] = resolveFigures([
      { id: 'pixels.p99', name: 'p99', value: 35.5, unit: 'ms', limitRef: { name: 'floor', sum: ['limit.hid', 'limit.fsync.p50', 'limit.frame'] }, goal: goalAtMost(25, 'ms') },
      ...limits,
    ]);
    expect(pixels!.limit).toEqual({ name: 'floor', value: 17.75, unit: 'ms' });
    expect(pixels!.ratio).toBeCloseTo(2, 10);
    expect(pixels!.met).toBe(false);
    expect(pixels).not.toHaveProperty('limitRef');
  });

  it('inverts for a time bounded by a speed (bytes ÷ MB/s)', () => {
    const [exp] = resolveFigures([{ id: 'export', name: 'export', value: 0.5, unit: 's', limitRef: { name: 'disk', sum: ['limit.write'], invert: true, factor: 100 } }, ...limits]);
    expect(exp!.limit!.value).toBeCloseTo(0.2, 10); // 100 MB at 500 MB/s
    expect(exp!.ratio).toBeCloseTo(2.5, 10);
  });

  it('leaves the ratio out when a referenced limit is missing, and judges goals both ways', () => {
    const out = resolveFigures([
      { id: 'a', name: 'a', value: 5, unit: 'ms', limitRef: { name: 'x', sum: ['limit.nope'] }, goal: goalAtMost(5, 'ms') },
      { id: 'b', name: 'b', value: 900, unit: '/s', goal: goalAtLeast(1000, '/s') },
      missing('c', 'c', 'ms', 'not available yet', goalAtMost(20, 'ms')),
    ]);
    expect(out[0]!.ratio).toBeUndefined();
    expect(out[0]!.met).toBe(true); // equal to the goal meets it
    expect(out[1]!.met).toBe(false);
    expect(out[2]!.met).toBeUndefined();
    const missed = missedGoals(out);
    expect(missed.map((m) => m.figure.id)).toEqual(['b']);
    expect(missed[0]!.by).toBe(100);
    expect(missed[0]!.factor).toBeCloseTo(1000 / 900, 10);
  });
});

describe('formatTable', () => {
  it('prints one aligned row per figure, n/a for missing ones, and numbered notes', () => {
    const text = formatTable(
      resolveFigures([
        ...limits.slice(0, 1),
        { id: 'q', name: 'scale: queue, p99', value: 12.345, unit: 'ms', limitRef: { name: 'one frame', sum: ['limit.hid'] }, goal: goalAtMost(20, 'ms'), note: '200 runs' },
        missing('s', 'scale: incident search, p99', 'ms', 'not available yet: no incident list', goalAtMost(20, 'ms')),
      ]),
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^figure\s+value\s+limit\s+ratio\s+goal\s+met\?$/);
    expect(lines[3]).toMatch(/^scale: queue, p99 \[1\]\s+12\.3 ms\s+1 ms \(one frame\)\s+12\.3×\s+≤ 20 ms\s+yes$/);
    expect(lines[4]).toMatch(/^scale: incident search, p99 \[2\]\s+n\/a\s+≤ 20 ms\s+n\/a$/);
    expect(lines).toContain('[1] 200 runs');
    expect(lines).toContain('[2] not available yet: no incident list');
    // Columns line up: the value column ends at the same place on every row.
    const ends = [lines[2]!.indexOf(' ms') + 3, lines[3]!.indexOf(' ms') + 3, lines[4]!.indexOf('n/a') + 3];
    expect(new Set(ends).size).toBe(1);
  });
});

describe('keyToPaint', () => {
  it('pairs each key with the first paint after it and before the next key', () => {
    const keys = [{ at: 100 }, { at: 200 }, { at: 300 }, { at: 400 }];
    const marks = [
      { key: 'b', at: 230 },
      { key: 'a', at: 112 },
      { key: 'a2', at: 130 }, // a second paint after the same key is not a new latency
      { key: 'd', at: 460 },
    ];
    const r = keyToPaint(keys, marks);
    expect(r.latencies).toEqual([12, 30, 60]);
    expect(r.unpainted).toBe(1); // the key at 300 painted nothing before the next one
  });
  it('never pairs a key with a paint from before it', () => {
    expect(keyToPaint([{ at: 100 }], [{ key: 'x', at: 99 }])).toEqual({ latencies: [], unpainted: 1 });
  });
});

describe('benchOptions', () => {
  const opts = (argv: string[]) =>
    benchOptions(parseArgs(argv, { values: ['scale-charges', 'scale-incidents', 'flood-seconds'], booleans: ['quick'] }));
  it('defaults to the issue sizes; --quick to small ones; flags override', () => {
    expect(opts([])).toEqual(FULL);
    expect(FULL).toMatchObject({ scaleCharges: 1_000_000, scaleIncidents: 100_000, pixelsCharges: 500, historyCharges: 50_000, floodRate: 1000, floodSeconds: 60 });
    expect(opts(['--quick'])).toEqual(QUICK);
    expect(opts(['--quick', '--flood-seconds', '7']).floodSeconds).toBe(7);
  });
  it('refuses sizes that make no sense', () => {
    expect(() => opts(['--scale-charges', '1000', '--scale-incidents', '5000'])).toThrow(UsageError);
    expect(() => opts(['--flood-seconds', '0'])).toThrow(UsageError);
  });
});

describe('pressToPaint (the flood: presses sent without waiting for the page)', () => {
  it('pairs the n-th press with the n-th handled keydown and the first paint at or after it', () => {
    // Page clock = this clock + 1000.
    const sent = [{ sent: 0 }, { sent: 200 }, { sent: 400 }, { sent: 600 }];
    // The page was busy: the first three keydowns ran together at 1,900-1,902 (page clock).
    const handled = [{ handled: 1010 }, { handled: 1900 }, { handled: 1901 }];
    const marks = [
      { key: 'a', at: 1020 },
      { key: 'b', at: 1950 }, // one paint for the two keys handled in the same burst
    ];
    const r = pressToPaint(sent, handled, marks, 1000);
    expect(r.latencies).toEqual([20, 750, 550]);
    expect(r.unpainted).toBe(0);
    expect(r.unhandled).toBe(1); // the fourth press never reached the page's listener
  });
  it('counts a handled press with no paint after it as unpainted', () => {
    const r = pressToPaint([{ sent: 0 }], [{ handled: 50 }], [{ key: 'x', at: 40 }], 0);
    expect(r).toEqual({ latencies: [], unpainted: 1, unhandled: 0 });
  });
});
