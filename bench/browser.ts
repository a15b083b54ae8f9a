/**
 * The browser side of the bench: Debian's Chromium through Playwright (the e2e suite's launch
 * options from playwright.config.ts), an in-process browser host over a real core, and what is
 * read from the page: paint marks (renderer/perf/paintMarks.ts), keydown times, animation frames,
 * the JS heap.
 *
 * Clocks: the page's `performance.timeOrigin + performance.now()` and this process's are both
 * epoch milliseconds from monotonic clocks, offset by a constant. The offset is estimated the NTP
 * way (the page's time read between two of ours; the reading with the shortest round trip wins,
 * error ≤ half of it), so that a time taken here (the terminal writing a CH) and a time taken in the
 * page (the charge painted) can be subtracted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { startBrowserHost, type BrowserHost } from '../electron/host/browserHost.js';
import { createLogger } from '../electron/core/logger.js';
import { startCore, type RunningCore, type StartCoreOptions } from '../electron/core/startCore.js';
import { PAINT_MARKS_FLAG, PAINT_MARK_PREFIX } from '../renderer/perf/paintMarks.js';
import { summarize } from './figures.js';

export const VIEWPORT = { width: 1280, height: 800 };

/** Epoch ms from this process's monotonic clock (same form as the page's timeOrigin + now()). */
export const epochNow = (): number => performance.timeOrigin + performance.now();

export async function launchChromium(): Promise<Browser> {
  let chromium: (typeof import('@playwright/test'))['chromium'];
  try {
    ({ chromium } = await import('@playwright/test'));
  } catch {
    throw new Error('the browser figures need @playwright/test (a dev dependency): run `npm install`');
  }
  const { default: config } = await import('../playwright.config.js');
  const launch = config.use?.launchOptions ?? {};
  return chromium.launch({ ...launch, executablePath: launch.executablePath ?? '/usr/bin/chromium', headless: true });
}

export interface InProcessApp {
  core: RunningCore;
  host: BrowserHost;
  close(): Promise<void>;
}

/** The browser host as `countersign host` runs it (real logger, simulated terminal), in this process. */
export async function startInProcessHost(dataDir: string, rendererDir: string, extra: Partial<StartCoreOptions> = {}): Promise<InProcessApp> {
  const log = createLogger(dataDir);
  const core = await startCore({ dataDir, log, backend: 'simulator', simStatusIntervalMs: 0, ...extra });
  const host = await startBrowserHost({ core: core.api, rendererDir, port: 0, log });
  return {
    core,
    host,
    async close() {
      await host.close();
      await core.close();
    },
  };
}

/** A new page on `url` with paint marks on, waiting until the counter screen shows its queue. */
export async function openCounter(browser: Browser, url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript((flag: string) => {
    (globalThis as Record<string, unknown>)[flag] = true;
  }, PAINT_MARKS_FLAG);
  const page = await context.newPage();
  await page.goto(url);
  await page.locator('[data-testid="counter-screen"]').waitFor();
  await page.locator('[data-testid="counter-empty"], [data-testid="confirm-button"]').first().waitFor();
  // The first-run setup panel is folded away, as a cashier would ("Later").
  return { context, page };
}

/** Median interval between animation frames over `frames` frames (ms). */
export async function measureFrameInterval(page: Page, frames = 240): Promise<{ median: number; p99: number }> {
  const deltas = await page.evaluate(
    (n: number) =>
      new Promise<number[]>((resolve) => {
        const times: number[] = [];
        const tick = (t: number) => {
          times.push(t);
          if (times.length > n) resolve(times.slice(1).map((v, i) => v - times[i]!));
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    frames,
  );
  const s = summarize(deltas);
  return { median: s.p50, p99: s.p99 };
}

/** page clock − this clock (ms), and the half round trip that bounds its error. */
export async function clockOffset(page: Page, samples = 40): Promise<{ offset: number; error: number }> {
  let best = { offset: 0, error: Infinity };
  for (let i = 0; i < samples; i++) {
    const a = epochNow();
    const pageNow = await page.evaluate(() => performance.timeOrigin + performance.now());
    const b = epochNow();
    const error = (b - a) / 2;
    if (error < best.error) best = { offset: pageNow - (a + b) / 2, error };
  }
  return best;
}

export interface PaintMark {
  /** What follows `cs:painted:` (the charge's trace). */
  key: string;
  /** Epoch ms in the page's clock. */
  at: number;
}

/**
 * Streams the page's paint marks to `onMark` as they are made (a PerformanceObserver calling a
 * binding). Call before the marks of interest happen.
 */
export async function watchPaintMarks(page: Page, onMark: (mark: PaintMark) => void): Promise<void> {
  await page.exposeBinding('__csBenchPainted', (_source, key: string, at: number) => onMark({ key, at }));
  await page.evaluate((prefix: string) => {
    const w = globalThis as unknown as { __csBenchPainted(key: string, at: number): void };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.name.startsWith(prefix)) w.__csBenchPainted(entry.name.slice(prefix.length), performance.timeOrigin + entry.startTime);
      }
    }).observe({ entryTypes: ['mark'] });
  }, PAINT_MARK_PREFIX);
}

/** Starts (or restarts, emptied) recording keydown event times (epoch ms, page clock) in the page. */
export async function recordKeydowns(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __csBenchKeys?: Array<{ key: string; at: number; handled: number }> };
    if (w.__csBenchKeys) {
      w.__csBenchKeys.length = 0;
      return;
    }
    const keys: Array<{ key: string; at: number; handled: number }> = [];
    w.__csBenchKeys = keys;
    // Capture phase on window: before the app's own handlers; the event's own timestamp is when
    // the browser received the input, so time spent waiting for a busy page counts.
    window.addEventListener(
      'keydown',
      (e) => keys.push({ key: e.key, at: performance.timeOrigin + e.timeStamp, handled: performance.timeOrigin + performance.now() }),
      true,
    );
  });
}

/** The keydowns recorded: `at` the event's own time, `handled` when the page's listener ran (epoch ms, page clock). */
export async function readKeydowns(page: Page): Promise<Array<{ key: string; at: number; handled: number }>> {
  return page.evaluate(() => (globalThis as unknown as { __csBenchKeys: Array<{ key: string; at: number; handled: number }> }).__csBenchKeys.slice());
}

/**
 * Keypress → paint: for each keydown, the first paint mark after it and before the next keydown
 * (a key that painted nothing counts as missing, not as fast).
 */
export function keyToPaint(keys: ReadonlyArray<{ at: number }>, marks: ReadonlyArray<PaintMark>): { latencies: number[]; unpainted: number } {
  const sorted = [...marks].sort((a, b) => a.at - b.at);
  const latencies: number[] = [];
  let unpainted = 0;
  let j = 0;
  for (let i = 0; i < keys.length; i++) {
    const at = keys[i]!.at;
    const next = keys[i + 1]?.at ?? Infinity;
    while (j < sorted.length && sorted[j]!.at < at) j++;
    const mark = sorted[j];
    if (mark && mark.at < next) latencies.push(mark.at - at);
    else unpainted++;
  }
  return { latencies, unpainted };
}

/** The renderer's JS heap after a full GC (bytes), through the DevTools protocol. */
export async function jsHeapUsed(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    return usedSize;
  } finally {
    await cdp.detach();
  }
}

/**
 * With `--profile DIR`: a CPU profile of the page's main thread (DevTools Profiler) from now until
 * the returned stop(), written to DIR/NAME.cpuprofile (open it in Chrome DevTools or VS Code).
 * Without: a no-op.
 */
export async function profilePage(page: Page, dir: string | null, name: string): Promise<() => Promise<void>> {
  if (!dir) return async () => undefined;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  };
}
