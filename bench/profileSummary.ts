/**
 * Where the time goes: a V8 CPU profile (.cpuprofile, from `node --cpu-prof` or the DevTools
 * Profiler) summed by function — self time and inclusive time — with the bundles' source maps
 * applied (dist/cli.cjs.map, dist/renderer/assets/*.map), so that minified renderer frames read as
 * `formatMinor format/money.ts:36`. Used by `countersign bench --profile DIR`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 VLQ values of one source-map segment. */
export function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    if (digit < 0) throw new Error(`not base64 VLQ: ${segment}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

export interface Original {
  source: string;
  line: number;
  name: string | null;
}

/** A source map (v3) that answers "which original position is generated line L, column C". */
export class SourceMap {
  private readonly lines: Array<Array<[number, number, number, number, number]>> = [];
  private readonly sources: string[];
  private readonly names: string[];

  constructor(map: { sources: string[]; names?: string[]; mappings: string }) {
    this.sources = map.sources;
    this.names = map.names ?? [];
    let src = 0;
    let srcLine = 0;
    let srcCol = 0;
    let name = 0;
    for (const line of map.mappings.split(';')) {
      const segs: Array<[number, number, number, number, number]> = [];
      let col = 0;
      for (const seg of line.split(',')) {
        if (!seg) continue;
        const v = decodeVlq(seg);
        col += v[0]!;
        if (v.length >= 4) {
          src += v[1]!;
          srcLine += v[2]!;
          srcCol += v[3]!;
          let n = -1;
          if (v.length >= 5) {
            name += v[4]!;
            n = name;
          }
          segs.push([col, src, srcLine, srcCol, n]);
        }
      }
      this.lines.push(segs);
    }
  }

  /** 0-based generated line and column (as in a .cpuprofile). */
  lookup(line: number, column: number): Original | null {
    const segs = this.lines[line];
    if (!segs?.length) return null;
    let lo = 0;
    let hi = segs.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]![0] <= column) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best < 0) return null;
    const [, s, l, , n] = segs[best]!;
    return { source: this.sources[s] ?? '?', line: l + 1, name: n >= 0 ? (this.names[n] ?? null) : null };
  }
}

export interface FunctionTime {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  self: FunctionTime[];
  inclusive: FunctionTime[];
}

/** Sums `profile` by function; `maps(url)` gives the source map of a script, if any. */
export function summarizeProfile(profile: CpuProfile, maps: (url: string) => SourceMap | null, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map<number, string>();
  const nameOf = (node: ProfileNode): string => {
    let name = names.get(node.id);
    if (name !== undefined) return name;
    const cf = node.callFrame;
    const file = cf.url.split(/[\\/]/).pop() ?? '';
    name = `${cf.functionName || '(anonymous)'}${file ? ` ${file}:${cf.lineNumber + 1}` : ''}`;
    const map = cf.url ? maps(cf.url) : null;
    const original = map && cf.lineNumber >= 0 ? map.lookup(cf.lineNumber, cf.columnNumber) : null;
    if (original) name = `${original.name ?? (cf.functionName || '(anonymous)')} ${original.source.split('/').slice(-2).join('/')}:${original.line}`;
    names.set(node.id, name);
    return name;
  };
  const time = new Map<number, number>();
  profile.samples.forEach((id, i) => time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of time) {
    total += us;
    const node = byId.get(id);
    if (!node) continue;
    self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (!n) break;
      const name = nameOf(n);
      if (name.startsWith('(root)') || seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }));
  return { totalMs: total / 1000, self: list(self), inclusive: list(inclusive) };
}

/** Source maps looked up by script file name in `dirs` (`<name>.map`), cached. */
export function sourceMapsIn(dirs: readonly string[]): (url: string) => SourceMap | null {
  const cache = new Map<string, SourceMap | null>();
  return (url) => {
    const base = (url.split(/[\\/]/).pop() ?? '').split('?')[0]!;
    if (!base) return null;
    if (cache.has(base)) return cache.get(base)!;
    let map: SourceMap | null = null;
    for (const dir of dirs) {
      const file = path.join(dir, `${base}.map`);
      if (existsSync(file)) {
        try {
          map = new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; names?: string[]; mappings: string });
        } catch {
          map = null;
        }
        break;
      }
    }
    cache.set(base, map);
    return map;
  };
}

export function formatSummary(title: string, s: ProfileSummary, top = 12): string {
  const rows = (list: FunctionTime[]) => list.slice(0, top).map((f) => `    ${f.ms.toFixed(0).padStart(7)} ms ${(100 * f.share).toFixed(1).padStart(5)} %  ${f.name}`);
  return [`${title} — ${s.totalMs.toFixed(0)} ms sampled`, '  self:', ...rows(s.self), '  inclusive:', ...rows(s.inclusive.filter((f) => f.share < 0.999))].join('\n') + '\n';
}
