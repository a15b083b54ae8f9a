/**
 * Memory and counter responsiveness with a long history: a ledger of 50,000 charges (the bench's
 * bulk builder; 1,000 still pending), every one of them loaded into the History screen by
 * scrolling it to the end, as a cashier paging back through the month would. Then:
 * - the renderer's JS heap after a full GC (the store holds all 50,000 rows);
 * - back on the counter (the history stays loaded, so every change is also applied to it):
 *   keypress → paint for ← / → (the next charge on screen) and for Enter (confirm: the command
 *   goes to the core, commits durably, and the next charge is painted). The key's time is the
 *   keydown event's own timestamp (when the browser received it), the end the paint mark.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { CONFIRM_ARM_MS } from '../renderer/screens/counterKeys.js';
import { createRng } from '../native/sim/rng.js';
import { jsHeapUsed, keyToPaint, openCounter, profilePage, readKeydowns, recordKeydowns, startInProcessHost, watchPaintMarks, type PaintMark } from './browser.js';
import { fmtNumber, goalAtMost, summarize, type Figure } from './figures.js';
import { buildLedger } from './ledgerBuilder.js';
import { nowMs, sleep } from './timing.js';

export const KEY_GOAL_MS = 50;
export const HEAP_GOAL_MB = 100;

/** Scrolls the history to its end until `count` rows are loaded (or nothing more comes). */
export async function loadWholeHistory(page: Page, count: number, log: (m: string) => void): Promise<number> {
  const list = page.locator('[data-testid="history-list"]');
  await list.waitFor();
  let loaded = 0;
  let stalled = 0;
  let lastLog = nowMs();
  while (loaded < count && stalled < 50) {
    await list.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
    await sleep(30);
    const now = Number(await list.getAttribute('data-count'));
    stalled = now === loaded ? stalled + 1 : 0;
    loaded = now;
    if (nowMs() - lastLog > 10_000) {
      lastLog = nowMs();
      log(`  history: ${loaded.toLocaleString('en-US')} rows loaded…`);
    }
  }
  return loaded;
}

async function pressAndCollect(page: Page, marks: PaintMark[], keys: string[], gap: () => number): Promise<{ latencies: number[]; unpainted: number }> {
  marks.length = 0;
  await recordKeydowns(page);
  for (const key of keys) {
    await page.keyboard.press(key);
    await sleep(gap());
  }
  await sleep(200);
  return keyToPaint(await readKeydowns(page), marks);
}

export async function historyFigures(
  browser: Browser,
  scratch: string,
  rendererDir: string,
  charges: number,
  keypresses: number,
  log: (m: string) => void,
  profileDir: string | null = null,
): Promise<Figure[]> {
  const dataDir = path.join(scratch, 'history');
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'countersign.db');
  const pending = Math.min(1000, Math.max(50, Math.round(charges / 50)));
  const built = await buildLedger({ file, charges, incidentEvery: 200, pending });
  log(`  history: ledger of ${charges.toLocaleString('en-US')} charges built in ${built.seconds.toFixed(1)} s`);
  const app = await startInProcessHost(dataDir, rendererDir, { ledgerFile: file });
  const { context, page } = await openCounter(browser, app.host.url);
  try {
    const baseHeap = await jsHeapUsed(page);
    await page.locator('[data-testid="nav-history"]').click();
    const t0 = nowMs();
    const loaded = await loadWholeHistory(page, charges, log);
    const loadSeconds = (nowMs() - t0) / 1000;
    const heap = await jsHeapUsed(page);
    const sample = app.core.ledger.history({ limit: 1000 });
    const jsonBytes = (sample.reduce((a, c) => a + JSON.stringify(c).length, 0) / sample.length) * loaded;

    await page.locator('[data-testid="nav-counter"]').click();
    await page.locator('[data-testid="confirm-button"]').waitFor();
    // The tab button keeps the focus after the click; Enter on a button is that button's.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const marks: PaintMark[] = [];
    await watchPaintMarks(page, (m) => marks.push(m));
    const rng = createRng(99);
    const stopProfile = await profilePage(page, profileDir, 'history-keys-renderer');
    const arrows = Array.from({ length: keypresses }, (_, i) => (i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft'));
    const arrowRun = await pressAndCollect(page, marks, arrows, () => 60 + rng.int(0, 60));
    const enters = Math.max(5, Math.min(30, Math.round(keypresses / 5), pending - 10));
    // The last arrow put a new charge on screen: Enter is held off for CONFIRM_ARM_MS after that.
    await sleep(CONFIRM_ARM_MS + 100);
    // Enter is held off for CONFIRM_ARM_MS after a new charge comes on screen: wait past it.
    const enterRun = await pressAndCollect(page, marks, Array.from({ length: enters }, () => 'Enter'), () => CONFIRM_ARM_MS + 150 + rng.int(0, 60));
    await stopProfile();
    const a = summarize(arrowRun.latencies);
    const e = summarize(enterRun.latencies);
    const listed = `${loaded.toLocaleString('en-US')} charges loaded in the history`;
    return [
      {
        id: 'heap.history',
        name: `memory: renderer JS heap with ${loaded.toLocaleString('en-US')} charges in the history`,
        value: heap / 1e6,
        unit: 'MB',
        limit: { name: 'those charges as JSON', value: jsonBytes / 1e6, unit: 'MB' },
        goal: goalAtMost(HEAP_GOAL_MB, 'MB'),
        note: `after a full GC (DevTools HeapProfiler.collectGarbage + Runtime.getHeapUsage); ${fmtNumber(baseHeap / 1e6)} MB with the counter alone; loading all pages by scrolling took ${loadSeconds.toFixed(1)} s`,
      },
      {
        id: 'keys.arrows.p99',
        name: `counter: keypress → paint, ← / →, p99 (${listed})`,
        value: a.p99,
        unit: 'ms',
        limitRef: { name: 'one frame', sum: ['limit.frame'] },
        goal: goalAtMost(KEY_GOAL_MS, 'ms'),
        note: `${a.n} presses, p50 ${fmtNumber(a.p50)} ms, max ${fmtNumber(a.max)} ms${arrowRun.unpainted ? `, ${arrowRun.unpainted} presses painted nothing` : ''}`,
      },
      {
        id: 'keys.enter.p99',
        name: `counter: keypress → paint, Enter (confirm, next charge shown), p99`,
        value: e.p99,
        unit: 'ms',
        limitRef: { name: 'fsync p50 + one frame', sum: ['limit.fsync.p50', 'limit.frame'] },
        goal: goalAtMost(KEY_GOAL_MS, 'ms'),
        note: `${e.n} presses, p50 ${fmtNumber(e.p50)} ms, max ${fmtNumber(e.max)} ms${enterRun.unpainted ? `, ${enterRun.unpainted} presses painted nothing` : ''}`,
      },
    ];
  } finally {
    await context.close();
    await app.close();
  }
}
