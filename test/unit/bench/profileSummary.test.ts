/** The profile summary: VLQ source maps decoded, and CPU samples summed by (mapped) function. */
import { describe, expect, it } from 'vitest';
import { SourceMap, decodeVlq, formatSummary, summarizeProfile, type CpuProfile } from '../../../bench/profileSummary.js';

describe('source maps', () => {
  it('decodes base64 VLQ (signs, continuation digits)', () => {
    expect(decodeVlq('AAAA')).toEqual([0, 0, 0, 0]);
    expect(decodeVlq('SAASC')).toEqual([9, 0, 0, 9, 1]);
    expect(decodeVlq('D')).toEqual([-1]);
    expect(decodeVlq('gB')).toEqual([16]); // 'g' = 32 (continue) + 0, then 'B' = 1 << 5
    expect(() => decodeVlq('A!')).toThrow();
  });
  it('maps a generated line and column to the original file, line and name', () => {
    const map = new SourceMap({ sources: ['../renderer/format/money.ts'], names: ['formatMinor', 'formatTerminalTime'], mappings: 'AAAAA,UAAUC;AACAA' });
    expect(map.lookup(0, 5)).toEqual({ source: '../renderer/format/money.ts', line: 1, name: 'formatMinor' });
    expect(map.lookup(0, 12)).toEqual({ source: '../renderer/format/money.ts', line: 1, name: 'formatTerminalTime' });
    expect(map.lookup(1, 3)).toEqual({ source: '../renderer/format/money.ts', line: 2, name: 'formatTerminalTime' });
    expect(map.lookup(7, 0)).toBeNull();
  });
});

describe('summarizeProfile', () => {
  const frame = (functionName: string, url = 'file:///app/index-x.js', lineNumber = 0, columnNumber = 0) => ({ functionName, url, lineNumber, columnNumber });
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2] },
      { id: 2, callFrame: frame('a', undefined, 0, 2), children: [3] },
      { id: 3, callFrame: frame('b', undefined, 0, 11) },
    ],
    samples: [3, 3, 2, 3],
    timeDeltas: [1000, 1000, 2000, 4000],
  };
  it('sums self and inclusive time by function', () => {
    const s = summarizeProfile(profile, () => null);
    expect(s.totalMs).toBe(8);
    expect(s.self.map((f) => [f.name, f.ms])).toEqual([
      ['b index-x.js:1', 6],
      ['a index-x.js:1', 2],
    ]);
    expect(s.inclusive.map((f) => [f.name, f.ms])).toEqual([
      ['a index-x.js:1', 8],
      ['b index-x.js:1', 6],
    ]);
    expect(formatSummary('test', s)).toContain('b index-x.js:1');
  });
  it('names frames by the source map when there is one', () => {
    const map = new SourceMap({ sources: ['../renderer/format/money.ts'], names: ['formatMinor', 'formatTerminalTime'], mappings: 'AAAAA,UAAUC' });
    const s = summarizeProfile(profile, (url) => (url.endsWith('index-x.js') ? map : null));
    expect(s.self[0]!.name).toBe('formatTerminalTime format/money.ts:1');
    expect(s.self[1]!.name).toBe('formatMinor format/money.ts:1');
  });
});
