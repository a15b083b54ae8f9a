/**
 * Export: the incidents of the scale ledger (100,000 by default) to CSV, JSON and PDF through the
 * app's own command (`export.start`, issue #6), as a manager would start it, in this process:
 * the time from the command to its `export.finished` event, and the peak RSS while it ran
 * (Linux: VmHWM after resetting it, so the peak of the export alone).
 *
 * "Flat memory" is checked by comparing with an export of about a tenth of the incidents (the
 * first tenth of the days): streaming, the peak should not grow with the number of incidents.
 * The goal is ≤ 3 s for CSV + JSON; PDF (a page per incident) has no time goal: a first
 * week is exported, and all of them only if that fits `pdfBudgetSeconds` at the week's rate (else
 * the week's figure is shown with what all would take at that rate).
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isCommandName } from '../electron/contract/api.js';
import type { RunningCore } from '../electron/core/startCore.js';
import type { CallContext } from '../electron/core/types.js';
import { goalAtMost, missing, type Figure } from './figures.js';
import { localDateOf } from './ledgerBuilder.js';
import type { ScaleLedger } from './scale.js';
import { nowMs, procStatusKb, resetPeakRss } from './timing.js';

export const EXPORT_GOAL_S = 3;
const CTX: CallContext = { transport: 'inproc', sessionId: 'bench-export' };

interface ExportRun {
  format: string;
  seconds: number;
  incidents: number;
  bytes: number;
  /** Peak RSS above the RSS just before the export (MB). */
  peakGrowthMb: number | null;
  peakMb: number | null;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00`);
  return localDateOf(new Date(d.getFullYear(), d.getMonth(), d.getDate() + days));
}

async function runExport(core: RunningCore, folder: string, format: string, from: string, to: string): Promise<ExportRun> {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  if (typeof globalThis.gc === 'function') globalThis.gc();
  const canReset = resetPeakRss();
  const baseKb = procStatusKb('VmRSS');
  let sampledPeakKb = baseKb ?? 0;
  const sampler = setInterval(() => {
    sampledPeakKb = Math.max(sampledPeakKb, procStatusKb('VmRSS') ?? 0);
  }, 20);
  const t0 = nowMs();
  try {
    type Finished = { state: string; incidents: number; files: { bytes: number }[]; error: { message: string } | null };
    // Every export.finished is kept by id: a small export may finish before start returns.
    const done = new Map<string, Finished>();
    let wake: (() => void) | null = null;
    const off = core.api.subscribe((event) => {
      const e = event as unknown as { name: string; payload: Finished & { exportId: string } };
      if (e.name !== 'export.finished') return;
      done.set(e.payload.exportId, e.payload);
      wake?.();
    });
    let result: Finished;
    try {
      const { exportId } = (await core.api.dispatch('export.start', { from, to, format, folder, locale: 'en' }, CTX)) as { exportId: string };
      while (!done.has(exportId)) await new Promise<void>((resolve) => (wake = resolve));
      result = done.get(exportId)!;
    } finally {
      off();
    }
    const seconds = (nowMs() - t0) / 1000;
    if (result.state !== 'done') throw new Error(`the ${format} export ended ${result.state}: ${result.error?.message ?? ''}`);
    const peakKb = canReset ? procStatusKb('VmHWM') : sampledPeakKb;
    return {
      format,
      seconds,
      incidents: result.incidents,
      bytes: result.files.reduce((a, f) => a + f.bytes, 0),
      peakGrowthMb: peakKb !== null && baseKb !== null ? Math.max(0, peakKb - baseKb) / 1024 : null,
      peakMb: peakKb !== null ? peakKb / 1024 : null,
    };
  } finally {
    clearInterval(sampler);
  }
}

export async function exportFigures(ledger: ScaleLedger, core: RunningCore, scratch: string, pdfBudgetSeconds: number, log: (m: string) => void): Promise<Figure[]> {
  const { built } = ledger;
  const total = built.incidents.toLocaleString('en-US');
  if (!isCommandName('export.start') || built.incidents === 0) {
    const why = built.incidents === 0
      ? 'the scale ledger has no incidents (--scale-incidents)'
      : 'not available yet: the incident export (`export.start` / `countersign export`, issue #6) is not in this tree';
    return [
      missing('export.csvjson.seconds', `export: ${total} incidents to CSV + JSON`, 's', why, goalAtMost(EXPORT_GOAL_S, 's')),
      missing('export.csvjson.rss', 'export: CSV + JSON peak RSS growth', 'MB', why),
      missing('export.pdf.seconds', `export: ${total} incidents to PDF`, 's', why),
    ];
  }
  // A manager starts exports: the owner set up here is signed in on this session.
  await core.api.dispatch('auth.setupOwner', { ownerName: 'Bench Owner', ownerPin: '482913', managerName: 'Bench Manager', managerPin: '739164' }, CTX);
  const folder = path.join(scratch, 'export');
  const from = built.firstDate;
  const to = built.lastDate;
  const tenthTo = addDays(from, Math.max(0, Math.round(built.days / 10) - 1));

  const small = [await runExport(core, folder, 'csv', from, tenthTo), await runExport(core, folder, 'json', from, tenthTo)];
  const csv = await runExport(core, folder, 'csv', from, to);
  const json = await runExport(core, folder, 'json', from, to);
  log(`  export: csv ${csv.seconds.toFixed(2)} s, json ${json.seconds.toFixed(2)} s for ${csv.incidents} incidents`);
  const growth = (runs: ExportRun[]) => (runs.every((r) => r.peakGrowthMb !== null) ? Math.max(...runs.map((r) => r.peakGrowthMb!)) : null);
  const smallGrowth = growth(small);
  const bigGrowth = growth([csv, json]);
  const figures: Figure[] = [
    {
      id: 'export.csvjson.seconds',
      name: `export: ${csv.incidents.toLocaleString('en-US')} incidents to CSV + JSON`,
      value: csv.seconds + json.seconds,
      unit: 's',
      limitRef: { name: 'writing its bytes at the disk speed', sum: ['limit.write'], invert: true, factor: (csv.bytes + json.bytes) / 1e6 },
      goal: goalAtMost(EXPORT_GOAL_S, 's'),
      note: `through export.start in-process: CSV ${csv.seconds.toFixed(2)} s (${(csv.bytes / 1e6).toFixed(1)} MB), JSON ${json.seconds.toFixed(2)} s (${(json.bytes / 1e6).toFixed(1)} MB)`,
    },
  ];
  if (bigGrowth !== null && smallGrowth !== null) {
    figures.push({
      id: 'export.csvjson.rss',
      name: 'export: CSV + JSON peak RSS growth',
      value: bigGrowth,
      unit: 'MB',
      limit: { name: `the same for ${small[0]!.incidents.toLocaleString('en-US')} incidents`, value: Math.max(smallGrowth, 1), unit: 'MB' },
      goal: { op: '<=', value: smallGrowth + 16, text: `flat: ≤ ${(smallGrowth + 16).toFixed(0)} MB` },
      note: `peak RSS above the RSS before each export (VmHWM); flat = no more than the tenth-size export + 16 MB; process peak ${Math.max(csv.peakMb ?? 0, json.peakMb ?? 0).toFixed(0)} MB`,
    });
  } else {
    figures.push(missing('export.csvjson.rss', 'export: CSV + JSON peak RSS growth', 'MB', 'no /proc on this system to read the peak RSS'));
  }

  // PDF: a probe week; all of them only if that fits the budget at the probe's rate.
  const probe = await runExport(core, folder, 'pdf', from, addDays(from, 6));
  const perIncident = probe.seconds / Math.max(1, probe.incidents);
  const pdf = perIncident * built.incidents <= pdfBudgetSeconds ? await runExport(core, folder, 'pdf', from, to) : probe;
  const all = pdf.incidents === built.incidents;
  figures.push({
    id: 'export.pdf.seconds',
    name: `export: ${pdf.incidents.toLocaleString('en-US')} incidents to PDF`,
    value: pdf.seconds,
    unit: 's',
    limitRef: { name: 'writing its bytes at the disk speed', sum: ['limit.write'], invert: true, factor: pdf.bytes / 1e6 },
    note:
      `${(pdf.bytes / 1e6).toFixed(1)} MB, ${((1000 * pdf.seconds) / Math.max(1, pdf.incidents)).toFixed(2)} ms per incident page` +
      (all ? '' : `; all ${total} would take about ${((pdf.seconds / Math.max(1, pdf.incidents)) * built.incidents).toFixed(0)} s at this rate (only the first week was run, to keep the bench within its 10 minutes)`),
  });
  if (pdf.peakGrowthMb !== null) {
    figures.push({
      id: 'export.pdf.rss',
      name: `export: PDF peak RSS growth (${pdf.incidents.toLocaleString('en-US')} incidents)`,
      value: pdf.peakGrowthMb,
      unit: 'MB',
      ...(all ? { note: `the first week (${probe.incidents} incidents): ${probe.peakGrowthMb?.toFixed(0) ?? '?'} MB` } : {}),
    });
  }
  rmSync(folder, { recursive: true, force: true });
  return figures;
}
