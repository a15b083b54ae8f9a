/**
 * The bench's figures: what each part measured, compared with the physical limit it is up against
 * and with its goal, printed as one table and written to bench/results.json. Pure (no I/O).
 *
 * Ratios: for a time, value ÷ limit ("how many times the physical floor": 1× is as fast as this
 * machine allows, 3× spends three times the floor). For a rate, value ÷ limit too ("headroom": how
 * many times what the device can deliver). For a size, value ÷ limit ("overhead factor").
 */

export interface Limit {
  name: string;
  value: number;
  unit: string;
}

export interface Goal {
  /** `<=`: the value must not exceed `value`; `>=`: it must reach it. */
  op: '<=' | '>=';
  value: number;
  /** As printed, e.g. "≤ 25 ms". */
  text: string;
}

/** How a part names the limit of a figure: other figures' ids, summed (resolved once all ran). */
export interface LimitRef {
  name: string;
  /** Ids of limit figures whose values add up to this limit (all in the same unit as the figure). */
  sum: string[];
  /** Multiplies the sum (e.g. 1 / 3.2 to turn reports/s into charges/s). Default 1. */
  factor?: number;
  /** The limit is factor ÷ sum instead (e.g. bytes ÷ MB/s: the time a write needs at least). */
  invert?: boolean;
}

export interface Figure {
  /** Stable key, e.g. `pixels.p99`. */
  id: string;
  /** Human name, e.g. "report to pixels p99 (500 charges)". */
  name: string;
  /** null: not measured (see `note`). */
  value: number | null;
  unit: string;
  limit?: Limit;
  limitRef?: LimitRef;
  /** value ÷ limit. */
  ratio?: number;
  goal?: Goal;
  met?: boolean;
  /** How it was measured, or why it is missing. */
  note?: string;
}

export const goalAtMost = (value: number, unit: string): Goal => ({ op: '<=', value, text: `≤ ${fmtNumber(value)} ${unit}` });
export const goalAtLeast = (value: number, unit: string): Goal => ({ op: '>=', value, text: `≥ ${fmtNumber(value)} ${unit}` });

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  return {
    n,
    min: n ? sorted[0]! : NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: n ? sorted[n - 1]! : NaN,
    mean: n ? sorted.reduce((a, b) => a + b, 0) / n : NaN,
  };
}

/** Rounds to a readable precision (3 significant digits below 100, integers above). */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value);
  if (abs >= 10) return Math.round(value * 10) / 10;
  if (abs >= 1) return Math.round(value * 100) / 100;
  return Number(value.toPrecision(3));
}

export function fmtNumber(value: number): string {
  return round(value).toLocaleString('en-US', { maximumFractionDigits: 3 });
}

/** A figure that could not be measured this run, with the reason shown in the table. */
export function missing(id: string, name: string, unit: string, reason: string, goal?: Goal): Figure {
  return { id, name, value: null, unit, note: reason, ...(goal ? { goal } : {}) };
}

/**
 * Fills in each figure's limit (from `limitRef`), ratio and `met`. Limit figures are looked up by
 * id among `figures`; a ref to a figure that is missing leaves the ratio out.
 */
export function resolveFigures(figures: readonly Figure[]): Figure[] {
  const byId = new Map(figures.map((f) => [f.id, f]));
  return figures.map((f) => {
    const out: Figure = { ...f };
    if (f.limitRef && !f.limit) {
      const parts = f.limitRef.sum.map((id) => byId.get(id)?.value);
      if (parts.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) {
        const sum = parts.reduce((a, b) => a + b, 0);
        const factor = f.limitRef.factor ?? 1;
        const value = f.limitRef.invert ? factor / sum : sum * factor;
        out.limit = { name: f.limitRef.name, value, unit: f.unit };
      }
    }
    delete out.limitRef;
    if (out.value !== null && out.limit && out.limit.value > 0) out.ratio = out.value / out.limit.value;
    if (out.value !== null && out.goal) out.met = out.goal.op === '<=' ? out.value <= out.goal.value : out.value >= out.goal.value;
    return out;
  });
}

export interface MissedGoal {
  figure: Figure;
  /** How far off, in the figure's unit (always positive), and as a factor of the goal. */
  by: number;
  factor: number;
}

export function missedGoals(figures: readonly Figure[]): MissedGoal[] {
  const out: MissedGoal[] = [];
  for (const f of figures) {
    if (f.met !== false || f.value === null || !f.goal) continue;
    const by = Math.abs(f.value - f.goal.value);
    out.push({ figure: f, by, factor: f.goal.op === '<=' ? f.value / f.goal.value : f.goal.value / f.value });
  }
  return out;
}

const HEADER = ['figure', 'value', 'limit', 'ratio', 'goal', 'met?'] as const;

export function tableRows(figures: readonly Figure[]): string[][] {
  return figures.map((f) => [
    f.name,
    f.value === null ? 'n/a' : `${fmtNumber(f.value)} ${f.unit}`,
    f.limit ? `${fmtNumber(f.limit.value)} ${f.limit.unit} (${f.limit.name})` : '',
    f.ratio !== undefined ? `${fmtNumber(f.ratio)}×` : '',
    f.goal?.text ?? '',
    f.met === undefined ? (f.value === null && f.goal ? 'n/a' : '') : f.met ? 'yes' : 'NO',
  ]);
}

/** The table as plain text; notes (missing figures, methods) are listed under it, numbered. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = tableRows(figures);
  const notes: string[] = [];
  figures.forEach((f, i) => {
    if (f.note) {
      notes.push(f.note);
      rows[i]![0] = `${rows[i]![0]} [${notes.length}]`;
    }
  });
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${n}`));
  return out.join('\n') + '\n';
}

export interface BenchResults {
  at: string;
  machine: Record<string, unknown>;
  /** How the run went: wall time, parts, load seen. */
  run: Record<string, unknown>;
  figures: Figure[];
}
