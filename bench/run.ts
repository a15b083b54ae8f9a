/**
 * `countersign bench` (npm run bench): runs every part in its own process, in order, then prints
 * one table (figure, value, limit, ratio, goal, met?) and writes the same figures to
 * bench/results.json. A benchmark measures: it never fails for being slow (exit 0 whatever the
 * figures), only when a part could not run at all (exit 1, the rest still reported).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError, flagInt, flagString, parseArgs, type ParsedArgs } from '../electron/host/args.js';
import { formatTable, missedGoals, resolveFigures, type BenchResults, type Figure } from './figures.js';
import { FULL, PARTS, QUICK, isPartName, type BenchOptions, type PartName } from './options.js';
import { failedPart, runPart, type PartResult } from './parts.js';
import { formatSummary, sourceMapsIn, summarizeProfile, type CpuProfile } from './profileSummary.js';
import { nowMs } from './timing.js';

const OPTIONS = {
  values: ['only', 'out', 'profile', 'part', 'result', 'scratch', 'scale-charges', 'scale-incidents', 'pixels-charges', 'history-charges', 'keypresses', 'start-runs', 'flood-rate', 'flood-seconds', 'query-runs', 'pdf-budget'],
  booleans: ['quick', 'no-write', 'keep'],
};

/** Size flags passed on to each part's process unchanged. */
const SIZE_FLAGS: ReadonlyArray<[string, keyof BenchOptions, number, number]> = [
  ['scale-charges', 'scaleCharges', 1_000, 5_000_000],
  ['scale-incidents', 'scaleIncidents', 1, 1_000_000],
  ['pixels-charges', 'pixelsCharges', 10, 100_000],
  ['history-charges', 'historyCharges', 100, 1_000_000],
  ['keypresses', 'keypresses', 10, 10_000],
  ['start-runs', 'startRuns', 1, 100],
  ['flood-rate', 'floodRate', 1, 100_000],
  ['flood-seconds', 'floodSeconds', 1, 3_600],
  ['query-runs', 'queryRuns', 10, 100_000],
];

export function benchOptions(args: ParsedArgs): BenchOptions {
  const options: BenchOptions = { ...(args.flags.has('quick') ? QUICK : FULL) };
  for (const [flag, key, min, max] of SIZE_FLAGS) {
    const v = flagInt(args, flag, min, max);
    if (v !== undefined) options[key] = v;
  }
  if (options.scaleIncidents > options.scaleCharges) throw new UsageError('--scale-incidents cannot exceed --scale-charges');
  return options;
}

function selectedParts(args: ParsedArgs): PartName[] {
  const only = flagString(args, 'only');
  if (!only) return [...PARTS];
  const names = only.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!isPartName(n)) throw new UsageError(`--only: unknown part "${n}" (parts: ${PARTS.join(', ')})`);
  return PARTS.filter((p) => names.includes(p));
}

export interface BenchEnvironment {
  /** dist/renderer. */
  rendererDir: string;
  /** bin/countersign.mjs (or whatever started this process). */
  cliEntry: string;
}

/** `countersign bench --part NAME --result FILE --scratch DIR …`: one part, its figures as JSON. */
async function runOnePart(args: ParsedArgs, env: BenchEnvironment): Promise<number> {
  const name = flagString(args, 'part')!;
  if (!isPartName(name)) throw new UsageError(`unknown part "${name}"`);
  const result = flagString(args, 'result');
  const scratch = flagString(args, 'scratch');
  if (!result || !scratch) throw new UsageError('--part needs --result FILE and --scratch DIR');
  const out: PartResult = await runPart(name, {
    scratch,
    options: benchOptions(args),
    rendererDir: env.rendererDir,
    cliEntry: env.cliEntry,
    pdfBudgetSeconds: flagInt(args, 'pdf-budget', 1, 3600) ?? 20,
    profileDir: flagString(args, 'profile') ?? null,
    log: (m) => process.stdout.write(`${m}\n`),
  });
  writeFileSync(result, JSON.stringify(out));
  return 0;
}

/** Runs one part in a child process; its progress lines go to this stdout. */
function spawnPart(name: PartName, argv: string[], env: BenchEnvironment, scratch: string): Promise<PartResult> {
  const result = path.join(scratch, `${name}.result.json`);
  const passOn = argv
    .filter((a, i) => !['--only', '--out'].includes(a) && !['--only', '--out'].includes(argv[i - 1] ?? ''))
    .map((a, i, all) => (all[i - 1] === '--profile' ? path.resolve(a) : a));
  const profile = flagValue(argv, 'profile');
  // --profile DIR: each part's process also writes a V8 CPU profile (node --cpu-prof).
  const nodeFlags = ['--expose-gc', ...(profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profile, name)] : [])];
  const child = spawn(process.execPath, [...nodeFlags, env.cliEntry, 'bench', ...passOn, '--part', name, '--result', result, '--scratch', scratch], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      if (code === 0) {
        try {
          resolve(JSON.parse(readFileSync(result, 'utf8')) as PartResult);
          return;
        } catch (error) {
          stderr += `\nno result: ${(error as Error).message}`;
        }
      }
      const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ') || `exit ${code ?? signal}`;
      resolve({ figures: [failedPart(name, last.slice(0, 300))] });
    });
  });
}

function flagValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  if (i !== -1) return argv[i + 1];
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** The 60 Hz frame when the browser part could not measure it. */
const NOMINAL_FRAME: Figure = { id: 'limit.frame', name: 'limit: one animation frame at 60 Hz (nominal)', value: 1000 / 60, unit: 'ms', note: 'not measured in this run' };

export async function runBench(argv: string[], env: BenchEnvironment): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  if (args.flags.has('part')) return runOnePart(args, env);
  const options = benchOptions(args);
  const parts = selectedParts(args);
  const complete = parts.length === PARTS.length;
  // bench/results.json is the record of a full run; a partial run writes only where --out says.
  const outPath = flagString(args, 'out') ?? (complete ? path.join('bench', 'results.json') : null);
  const outFile = args.flags.has('no-write') || outPath === null ? null : path.resolve(outPath);
  const base = flagString(args, 'scratch') ?? os.tmpdir();
  mkdirSync(base, { recursive: true });
  const scratch = mkdtempSync(path.join(base, 'countersign-bench-'));
  const started = nowMs();
  const loads: number[] = [os.loadavg()[0]!];
  const sampler = setInterval(() => loads.push(os.loadavg()[0]!), 5000);
  const figures: Figure[] = [];
  const timings: Record<string, number> = {};
  const meta: Record<string, unknown> = {};
  let failed = 0;
  process.stdout.write(
    `Countersign bench — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}` +
      `${args.flags.has('quick') ? ' (--quick: small sizes, figures not comparable)' : ''}\n`,
  );
  try {
    for (const part of parts) {
      process.stdout.write(`▸ ${part}\n`);
      const t0 = nowMs();
      const result = await spawnPart(part, argv, env, scratch);
      timings[part] = Math.round(nowMs() - t0) / 1000;
      if (result.figures.some((f) => f.id.startsWith('part.'))) failed++;
      figures.push(...result.figures);
      for (const [k, v] of Object.entries(result.meta ?? {})) meta[k] = typeof v === 'number' ? Math.round(v * 10) / 10 : v;
    }
  } finally {
    clearInterval(sampler);
    if (!args.flags.has('keep')) rmSync(scratch, { recursive: true, force: true });
  }
  const wallSeconds = (nowMs() - started) / 1000;
  if (!figures.some((f) => f.id === 'limit.frame' && f.value !== null)) figures.push(NOMINAL_FRAME);
  const resolved = resolveFigures(figures);
  // Limits first, in the order measured; then the rest in the order of the parts.
  const ordered = [...resolved.filter((f) => f.id.startsWith('limit.')), ...resolved.filter((f) => !f.id.startsWith('limit.'))];
  process.stdout.write(`\n${formatTable(ordered)}`);
  const load = { min: Math.min(...loads), max: Math.max(...loads), mean: loads.reduce((a, b) => a + b, 0) / loads.length };
  process.stdout.write(
    `\nwall time ${wallSeconds.toFixed(0)} s (${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ')}); ` +
      `1-min load average ${loads[0]!.toFixed(1)} before, ${load.min.toFixed(1)}–${load.max.toFixed(1)} during the run (the bench's own processes included) on ${os.cpus().length} CPUs\n`,
  );
  const missed = missedGoals(ordered);
  if (missed.length) {
    process.stdout.write(`goals missed: ${missed.map((m) => `${m.figure.name} by ${m.by.toFixed(1)} ${m.figure.unit} (${m.factor.toFixed(2)}×)`).join('; ')}\n`);
  }
  const profile = flagString(args, 'profile');
  if (profile) summarizeProfiles(path.resolve(profile), env);
  if (outFile) {
    const results: BenchResults = {
      at: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        memoryGB: Math.round(os.totalmem() / 1e9),
        os: `${os.type()} ${os.release()}`,
        node: process.version,
        ...(meta.chromium ? { chromium: meta.chromium } : {}),
      },
      run: {
        wallSeconds: Math.round(wallSeconds),
        parts: timings,
        options,
        quick: args.flags.has('quick'),
        ...Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'chromium')),
        // Sampled every 5 s; it counts the bench's own processes too (about 1–2 on this machine).
        loadAverage1m: { before: round1(loads[0]!), min: round1(load.min), mean: round1(load.mean), max: round1(load.max) },
      },
      figures: ordered.map(roundFigure),
    };
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
    process.stdout.write(`written to ${path.relative(process.cwd(), outFile) || outFile}\n`);
  }
  return failed > 0 ? 1 : 0;
}

/** Every .cpuprofile under `dir`, summed by function (source-mapped), into DIR/summary.txt. */
function summarizeProfiles(dir: string, env: BenchEnvironment): void {
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.cpuprofile')).sort();
  const dist = path.dirname(env.rendererDir);
  const maps = sourceMapsIn([dist, path.join(env.rendererDir, 'assets')]);
  const text = files
    .map((f) => {
      try {
        return formatSummary(f, summarizeProfile(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile, maps, 25), 25);
      } catch (error) {
        return `${f}: not a CPU profile (${(error as Error).message})\n`;
      }
    })
    .join('\n');
  writeFileSync(path.join(dir, 'summary.txt'), text);
  process.stdout.write(`CPU profiles in ${dir}, summed by function in ${path.join(dir, 'summary.txt')}\n`);
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round3 = (v: number) => Number(v.toPrecision(4));

function roundFigure(f: Figure): Figure {
  return {
    ...f,
    value: f.value === null ? null : round3(f.value),
    ...(f.limit ? { limit: { ...f.limit, value: round3(f.limit.value) } } : {}),
    ...(f.ratio !== undefined ? { ratio: round3(f.ratio) } : {}),
  };
}
