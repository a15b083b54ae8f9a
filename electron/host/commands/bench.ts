import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDecode } from '../../../native/link/bench.js';

interface Figure {
  name: string;
  value: number;
  unit: string;
  limit?: { name: string; value: number; unit: string };
  /** How the figure compares to its physical limit (value / limit, or limit / value for rates). */
  ratio?: number;
  goal?: string;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** One fsync of a small write in the data folder: the floor under every durable ledger commit. */
function measureFsync(dir: string, runs = 200): { p50: number; p99: number } {
  const file = path.join(dir, 'fsync-probe');
  const fd = openSync(file, 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      writeSync(fd, `probe ${i}\n`);
      const t0 = process.hrtime.bigint();
      fsyncSync(fd);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** `countersign bench`: measures, prints a table, writes bench/results.json. Never fails for being slow. */
export async function runBench(argv: string[]): Promise<number> {
  const outFile = argv.includes('--no-write') ? null : path.resolve('bench', 'results.json');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-'));
  const figures: Figure[] = [];
  try {
    const fsync = measureFsync(scratch);
    figures.push({ name: 'limit: fsync of a small write (p50)', value: fsync.p50, unit: 'ms' });
    figures.push({ name: 'limit: fsync of a small write (p99)', value: fsync.p99, unit: 'ms' });
    figures.push({ name: 'limit: USB full-speed HID polling interval', value: 1, unit: 'ms' });
    figures.push({ name: 'limit: one animation frame at 60 Hz', value: 16.7, unit: 'ms' });

    const runs = [benchDecode(), benchDecode(), benchDecode()].sort((a, b) => a.reportsPerSecond - b.reportsPerSecond);
    const median = runs[1]!;
    figures.push({
      name: 'decode: reports/s (reassembly+framing+codec, median of 3)',
      value: Math.round(median.reportsPerSecond),
      unit: 'reports/s',
      limit: { name: 'one full-speed HID endpoint', value: 1000, unit: 'reports/s' },
      ratio: median.reportsPerSecond / 1000,
      goal: '>= 200,000 reports/s',
    });
    figures.push({ name: 'decode: throughput', value: Number(median.mbPerSecond.toFixed(1)), unit: 'MB/s' });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const rows = figures.map((f) => [
    f.name,
    `${f.value.toLocaleString('en-US', { maximumFractionDigits: 3 })} ${f.unit}`,
    f.ratio !== undefined ? `${f.ratio.toFixed(1)}× ${f.limit?.name ?? ''}` : '',
    f.goal ?? '',
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'value', 'vs limit', 'goal'][i]!.length));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`Countersign bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}\n\n`);
  process.stdout.write(line(['figure', 'value', 'vs limit', 'goal']) + '\n');
  process.stdout.write(widths.map((w) => '-'.repeat(w)).join('  ') + '\n');
  for (const row of rows) process.stdout.write(line(row) + '\n');
  if (outFile) {
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(
      outFile,
      JSON.stringify({ at: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, figures }, null, 2) + '\n',
    );
    process.stdout.write(`\nwritten to ${path.relative(process.cwd(), outFile)}\n`);
  }
  return 0;
}
