/** Small timing helpers shared by the bench's parts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { summarize, type Summary } from './figures.js';

/** Milliseconds on the monotonic clock (sub-microsecond resolution). */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn(i)` `warmup` times unmeasured, then `runs` times measured, one after the other, and
 * returns the summary of the measured times (ms).
 */
export async function timeRuns(runs: number, fn: (i: number) => unknown, warmup = Math.min(10, runs)): Promise<Summary & { samples: number[] }> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = nowMs();
    await fn(i);
    samples.push(nowMs() - t0);
  }
  return { ...summarize(samples), samples };
}

/** Reads /proc/self/status fields (kB) on Linux; null elsewhere. */
export function procStatusKb(field: 'VmHWM' | 'VmRSS', pid: number | 'self' = 'self'): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/**
 * Resets this process's peak RSS (VmHWM) to its current RSS (Linux ≥ 4.0: "5" > clear_refs), so
 * that the next VmHWM is the peak of what follows. False where that is not possible.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}
