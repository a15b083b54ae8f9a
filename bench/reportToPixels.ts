/**
 * Report to pixels: from the simulated terminal writing a CH frame into the HID pair, through the
 * link stack, the durable ledger commit (synchronous=FULL), the detectors, the push over the
 * browser host's WebSocket and the renderer's store, to the charge painted on the counter screen in
 * Chromium (the paint mark of renderer/perf/paintMarks.ts).
 *
 * One charge at a time on an empty counter (each is confirmed through the API once painted, so the
 * next one arrives on an empty screen and is shown at once), at random gaps of 40–80 ms so that
 * arrivals fall anywhere within a frame. The start is taken here, just before `createCharge`; the
 * end in the page; the two clocks are aligned by clockOffset (before and after the run).
 * Also measured here: the animation frame interval (the "one frame" limit).
 */
import path from 'node:path';
import type { Browser } from '@playwright/test';
import type { Charge } from '../electron/contract/schemas.js';
import { createRng } from '../native/sim/rng.js';
import { clockOffset, epochNow, measureFrameInterval, openCounter, profilePage, startInProcessHost, watchPaintMarks, type PaintMark } from './browser.js';
import { fmtNumber, goalAtMost, summarize, type Figure } from './figures.js';
import { sleep } from './timing.js';

export const PIXELS_GOAL_MS = 25;
const WARMUP = 20;

interface Sample {
  trace: string;
  t0: number;
  push?: number;
  ack?: number;
  painted?: number;
}

export async function reportToPixelsFigures(
  browser: Browser,
  scratch: string,
  rendererDir: string,
  charges: number,
  log: (m: string) => void,
  profileDir: string | null = null,
): Promise<Figure[]> {
  const app = await startInProcessHost(path.join(scratch, 'pixels'), rendererDir);
  const { context, page } = await openCounter(browser, app.host.url);
  try {
    const sim = app.core.terminal.simulator;
    if (!sim) throw new Error('the simulated terminal did not start');
    const frame = await measureFrameInterval(page);

    const samples = new Map<string, Sample>();
    const chargeIds = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const offHub = app.core.api.subscribe((event) => {
      if (event.name !== 'charge.changed' || event.payload.status !== 'pending') return;
      const charge: Charge = event.payload;
      const s = samples.get(charge.trace);
      if (s && s.push === undefined) s.push = epochNow();
      chargeIds.set(charge.trace, charge.id);
    });
    await watchPaintMarks(page, (mark: PaintMark) => {
      const s = samples.get(mark.key);
      if (s && s.painted === undefined) {
        s.painted = mark.at;
        waiters.get(mark.key)?.();
      }
    });
    const before = await clockOffset(page);
    const stopProfile = await profilePage(page, profileDir, 'pixels-renderer');
    const rng = createRng(77);
    const ctx = { transport: 'inproc' as const, sessionId: 'bench-pixels' };
    for (let i = 0; i < charges + WARMUP; i++) {
      await sleep(40 + rng.int(0, 40));
      const t0 = epochNow();
      const pending = sim.createCharge({ amountMinor: rng.int(100, 200_000) });
      // Registered before this turn ends: the mark can only arrive in a later one.
      const sample: Sample = { trace: pending.trace, t0 };
      samples.set(pending.trace, sample);
      void pending.delivered.then(() => {
        sample.ack = epochNow();
      });
      const painted = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`charge ${i} (trace ${pending.trace}) was not painted within 10 s`)), 10_000);
        waiters.set(pending.trace, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await painted;
      waiters.delete(pending.trace);
      if (i < WARMUP) samples.delete(pending.trace);
      const id = chargeIds.get(pending.trace);
      if (id === undefined) throw new Error(`no push seen for trace ${pending.trace}`);
      await app.core.api.dispatch('charges.confirm', { chargeId: id }, ctx);
      if (i > 0 && i % 100 === 0) log(`  pixels: ${i} charges…`);
    }
    await stopProfile();
    const after = await clockOffset(page);
    offHub();
    const offset = (before.offset + after.offset) / 2;
    const drift = Math.abs(after.offset - before.offset);
    const done = [...samples.values()].filter((s): s is Required<Sample> => s.painted !== undefined && s.push !== undefined && s.ack !== undefined);
    const total = summarize(done.map((s) => s.painted - offset - s.t0));
    const toPush = summarize(done.map((s) => s.push - s.t0));
    const toAck = summarize(done.map((s) => s.ack - s.t0));
    const pushToPaint = summarize(done.map((s) => s.painted - offset - s.push));
    const clockNote = `clocks aligned to ±${fmtNumber(Math.max(before.error, after.error))} ms (drift ${fmtNumber(drift)} ms over the run)`;
    const limitRef = { name: 'HID interval + fsync p50 + one frame', sum: ['limit.hid', 'limit.fsync.p50', 'limit.frame'] };
    return [
      {
        id: 'limit.frame',
        name: 'limit: one animation frame in Chromium (median rAF interval)',
        value: frame.median,
        unit: 'ms',
        note: `headless Chromium ${browser.version()}, 240 frames; p99 ${fmtNumber(frame.p99)} ms (60 Hz = 16.7 ms)`,
      },
      {
        id: 'pixels.p50',
        name: `report to pixels, p50 (${done.length} charges)`,
        value: total.p50,
        unit: 'ms',
        limitRef,
        note: `simulated terminal writes CH → ACK, ledger commit (synchronous=FULL), push, paint in Chromium; one charge at a time after ${WARMUP} unmeasured; ${clockNote}`,
      },
      { id: 'pixels.p99', name: `report to pixels, p99 (${done.length} charges)`, value: total.p99, unit: 'ms', limitRef, goal: goalAtMost(PIXELS_GOAL_MS, 'ms') },
      {
        id: 'pixels.commit.p99',
        name: 'report to pixels: CH written → committed and pushed, p99',
        value: toPush.p99,
        unit: 'ms',
        limitRef: { name: 'HID interval + fsync p50', sum: ['limit.hid', 'limit.fsync.p50'] },
        note: `p50 ${fmtNumber(toPush.p50)} ms; the terminal had its ACK after p50 ${fmtNumber(toAck.p50)} / p99 ${fmtNumber(toAck.p99)} ms`,
      },
      {
        id: 'pixels.paint.p99',
        name: 'report to pixels: pushed → painted, p99',
        value: pushToPaint.p99,
        unit: 'ms',
        limitRef: { name: 'one frame', sum: ['limit.frame'] },
        note: `p50 ${fmtNumber(pushToPaint.p50)} ms (WebSocket, event validation, store, React render, next frame)`,
      },
    ];
  } finally {
    await context.close();
    await app.close();
  }
}
