/**
 * One part of the bench, run in its own process (so that one part's heap, page cache and GC do
 * not disturb the next one's timings): `countersign bench --part NAME --result FILE`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { benchDecode } from '../native/link/bench.js';
import { launchChromium } from './browser.js';
import { exportFigures } from './export.js';
import type { Figure } from './figures.js';
import { HID_REPORTS_PER_SECOND, limitFigures } from './limits.js';
import type { BenchOptions, PartName } from './options.js';
import { reportToPixelsFigures } from './reportToPixels.js';
import { historyFigures } from './responsiveness.js';
import { buildScaleLedger, openScaleCore, scaleFigures } from './scale.js';
import { startupFigures } from './startup.js';
import { floodFigures } from './flood.js';

export interface PartContext {
  /** A folder of its own for this run's data (removed by the orchestrator). */
  scratch: string;
  options: BenchOptions;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** The `countersign` entry (bin/countersign.mjs), to start hosts as separate processes. */
  cliEntry: string;
  log: (message: string) => void;
  /** Seconds the PDF export may take (the rest of the budget decides). */
  pdfBudgetSeconds: number;
  /** `--profile DIR`: where the browser parts write the page's CPU profiles (null: none). */
  profileDir: string | null;
}

export interface PartResult {
  figures: Figure[];
  meta?: Record<string, unknown>;
}

function decodeFigures(): Figure[] {
  const runs = [benchDecode(), benchDecode(), benchDecode()].sort((a, b) => a.reportsPerSecond - b.reportsPerSecond);
  const median = runs[1]!;
  return [
    {
      id: 'decode.reportsPerSecond',
      name: 'decode: reports/s (reassembly + framing + codec, median of 3)',
      value: median.reportsPerSecond,
      unit: 'reports/s',
      limit: { name: 'one full-speed HID endpoint', value: HID_REPORTS_PER_SECOND, unit: 'reports/s' },
      goal: { op: '>=', value: 200_000, text: '≥ 200,000 reports/s' },
      note: `a realistic stream of ${median.reports / 5} reports (CH and ST frames, line noise, ACKs) decoded 5 times after a warm-up`,
    },
    { id: 'decode.mbPerSecond', name: 'decode: throughput', value: median.mbPerSecond, unit: 'MB/s' },
  ];
}

export async function runPart(name: PartName, ctx: PartContext): Promise<PartResult> {
  const dir = path.join(ctx.scratch, name);
  mkdirSync(dir, { recursive: true });
  switch (name) {
    case 'limits':
      return { figures: limitFigures(dir) };
    case 'decode':
      return { figures: decodeFigures() };
    case 'ledger': {
      const ledger = await buildScaleLedger(dir, ctx.options, ctx.log);
      const opened = await openScaleCore(ledger);
      const { core } = opened;
      try {
        ctx.log(`  scale ledger opened in ${(opened.openMs / 1000).toFixed(1)} s, background work ${(opened.background.ms / 1000).toFixed(1)} s`);
        const figures = await scaleFigures(ledger, opened, ctx.options);
        ctx.log('  scale queries done');
        figures.push(...(await exportFigures(ledger, core, dir, ctx.pdfBudgetSeconds, ctx.log)));
        return { figures, meta: { scaleBuildSeconds: ledger.built.seconds } };
      } finally {
        await core.close();
      }
    }
    case 'startup':
      return { figures: await startupFigures(dir, ctx.cliEntry, ctx.options.startRuns, ctx.log, ctx.profileDir) };
    case 'pixels':
    case 'history':
    case 'flood': {
      const browser = await launchChromium();
      try {
        const meta = { chromium: browser.version() };
        if (name === 'pixels') return { figures: await reportToPixelsFigures(browser, dir, ctx.rendererDir, ctx.options.pixelsCharges, ctx.log, ctx.profileDir), meta };
        if (name === 'history') {
          return { figures: await historyFigures(browser, dir, ctx.rendererDir, ctx.options.historyCharges, ctx.options.keypresses, ctx.log, ctx.profileDir), meta };
        }
        return { figures: await floodFigures(browser, dir, ctx.cliEntry, ctx.options.floodRate, ctx.options.floodSeconds, ctx.log, ctx.profileDir), meta };
      } finally {
        await browser.close();
      }
    }
  }
}

/** What a part that failed leaves in the table. */
export function failedPart(name: PartName, message: string): Figure {
  return { id: `part.${name}.failed`, name: `${name}: not measured`, value: null, unit: '', note: `the ${name} part failed: ${message}` };
}
