/**
 * Start: `countersign host` as a shop runs it (a new process, a fresh data folder, the simulated
 * terminal) until the counter screen is interactive in Chromium: the WebSocket is open, the queue
 * loaded and the empty counter ("all confirmed") painted. Each run: spawn the host → its URL
 * printed (the core and server are up) → Chromium launched → page opened → counter interactive.
 * Chromium's own launch is included (`countersign start` opens Chromium the same way) and also
 * shown on its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { VIEWPORT, launchChromium, profilePage } from './browser.js';
import { fmtNumber, goalAtMost, summarize, type Figure } from './figures.js';
import { nowMs } from './timing.js';

export const START_GOAL_MS = 1500;

/** Starts `countersign host` and resolves with its URL once printed. */
export function spawnHost(cliEntry: string, dataDir: string, nodeFlags: readonly string[] = []): { child: ChildProcess; url: Promise<string>; output(): string } {
  const child = spawn(process.execPath, [...nodeFlags, cliEntry, 'host', '--data', dataDir, '--no-open', '--backend', 'simulator'], {
    env: { ...process.env, COUNTERSIGN_SIM_STATUS_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the host did not print its URL within 30 s:\n${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the host exited with ${code}:\n${out}`));
    });
  });
  return { child, url, output: () => out };
}

/** Stops a host (SIGTERM, as Ctrl+C would) and resolves with how it ended. */
export async function stopHost(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.kill('SIGTERM');
  return exited;
}

export async function startupFigures(scratch: string, cliEntry: string, runs: number, log: (m: string) => void, profileDir: string | null = null): Promise<Figure[]> {
  const total: number[] = [];
  const hostUp: number[] = [];
  const chromium: number[] = [];
  const page: number[] = [];
  const navResponse: number[] = [];
  const navDcl: number[] = [];
  const navFcp: number[] = [];
  for (let i = 0; i < runs + (profileDir ? 2 : 1); i++) {
    const dataDir = path.join(scratch, `start-${i}`);
    mkdirSync(dataDir, { recursive: true });
    const t0 = nowMs();
    const host = spawnHost(cliEntry, dataDir);
    try {
      const url = await host.url;
      const t1 = nowMs();
      const browser = await launchChromium();
      try {
        const t2 = nowMs();
        const context = await browser.newContext({ viewport: VIEWPORT });
        const p = await context.newPage();
        // --profile: the last run's page load (profiling slows it: that run's times are not used).
        const profiled = i === runs + 1;
        const stopProfile = await profilePage(p, profiled ? profileDir : null, 'startup-renderer');
        await p.goto(url);
        await p.locator('[data-testid="counter-empty"]').waitFor();
        const t3 = nowMs();
        await stopProfile();
        if (profiled) continue;
        // Inside the page load: when the scripts had run (DOMContentLoaded) and when it first painted.
        const nav = await p.evaluate(() => {
          const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
          const fcp = performance.getEntriesByName('first-contentful-paint')[0];
          return { response: n?.responseEnd ?? NaN, dcl: n?.domContentLoadedEventEnd ?? NaN, fcp: fcp?.startTime ?? NaN };
        });
        navResponse.push(nav.response);
        navDcl.push(nav.dcl);
        navFcp.push(nav.fcp);
        if (i === 0) continue; // the first run warms the file cache: not counted
        total.push(t3 - t0);
        hostUp.push(t1 - t0);
        chromium.push(t2 - t1);
        page.push(t3 - t2);
      } finally {
        await browser.close();
      }
    } finally {
      await stopHost(host.child);
    }
  }
  const s = summarize(total);
  const parts = [summarize(hostUp), summarize(chromium), summarize(page)];
  log(`  startup: median ${s.p50.toFixed(0)} ms`);
  return [
    {
      id: 'start.total',
      name: `start: browser host start → interactive counter (median of ${s.n})`,
      value: s.p50,
      unit: 'ms',
      limitRef: { name: 'a bare Node.js start', sum: ['limit.node'] },
      goal: goalAtMost(START_GOAL_MS, 'ms'),
      note:
        `fresh data folder each run, after one unmeasured run; worst ${fmtNumber(s.max)} ms. Median parts: host process up and URL printed ${fmtNumber(parts[0]!.p50)} ms, ` +
        `Chromium launched ${fmtNumber(parts[1]!.p50)} ms, page opened to the interactive counter ${fmtNumber(parts[2]!.p50)} ms ` +
        `(of which, from navigation start: HTML received ${fmtNumber(summarize(navResponse).p50)} ms, scripts run (DOMContentLoaded) ${fmtNumber(summarize(navDcl).p50)} ms, first paint ${fmtNumber(summarize(navFcp).p50)} ms)`,
    },
    {
      id: 'start.hostAndPage',
      name: 'start: same, without launching Chromium (median)',
      value: summarize(hostUp.map((h, i) => h + page[i]!)).p50,
      unit: 'ms',
      limitRef: { name: 'a bare Node.js start', sum: ['limit.node'] },
      goal: goalAtMost(START_GOAL_MS, 'ms'),
    },
  ];
}
