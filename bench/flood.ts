/**
 * The flood (issue #7): the simulated terminal reports 1,000 charges a second for 60 s into
 * `countersign host` (its own process, durable ledger, the counter open in Chromium) while the
 * cashier presses → every 150–250 ms. Measured: how many charges the ledger took per second, how
 * far behind the terminal it fell, whether any charge the terminal made is missing from the ledger
 * or is there twice, how long the counter's queue took to equal the ledger's, and keypress → paint
 * during the flood.
 *
 * The bench asks the host's simulator for the charges (`sim.script "flood N"` every 10 ms over the
 * API) and hears the pushes like any screen. The simulated terminal is in memory: it has no 1 ms
 * USB frame, so it offers more than a real full-speed HID link could carry (one 64-byte report per
 * ms; a CH frame takes several).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext } from '@playwright/test';
import Database from 'better-sqlite3';
import { createRng } from '../native/sim/rng.js';
import { clockOffset, epochNow, openCounter, profilePage, readKeydowns, recordKeydowns, watchPaintMarks, type PaintMark } from './browser.js';
import { connectHost, type HostClient } from './hostClient.js';
import { spawnHost, stopHost } from './startup.js';
import { fmtNumber, goalAtLeast, goalAtMost, summarize, type Figure } from './figures.js';
import { HID_REPORTS_PER_SECOND } from './limits.js';
import { typicalChFrameBytes } from './scale.js';
import { nowMs, sleep } from './timing.js';

export const FLOOD_KEY_GOAL_MS = 100;
const DRAIN_LIMIT_MS = 90_000;
const CATCH_UP_LIMIT_MS = 20_000;

/** Keypress → paint when the page may be far behind: each press is sent without waiting for it. */
export interface SentPress {
  /** This process's epoch ms when the press was sent. */
  sent: number;
}
export interface HandledKey {
  /** Page epoch ms when the page's keydown listener ran. */
  handled: number;
}

/**
 * Pairs the n-th press sent with the n-th keydown the page handled (input is delivered in order)
 * and that with the first paint mark at or after its handling. Times in the page's clock are
 * brought to this one by `offset` (page − here). Presses the page never handled, or handled but
 * never painted, are counted, not timed.
 */
export function pressToPaint(sent: readonly SentPress[], handled: readonly HandledKey[], marks: readonly PaintMark[], offset: number) {
  const sorted = marks.map((m) => m.at).sort((a, b) => a - b);
  const latencies: number[] = [];
  let unpainted = 0;
  let j = 0;
  for (let i = 0; i < Math.min(sent.length, handled.length); i++) {
    const h = handled[i]!.handled;
    while (j < sorted.length && sorted[j]! < h) j++;
    if (j < sorted.length) latencies.push(sorted[j]! - offset - sent[i]!.sent);
    else unpainted++;
  }
  return { latencies, unpainted, unhandled: Math.max(0, sent.length - handled.length) };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function floodFigures(
  browser: Browser,
  scratch: string,
  cliEntry: string,
  rate: number,
  seconds: number,
  log: (m: string) => void,
  profileDir: string | null = null,
): Promise<Figure[]> {
  // The host is its own process, as in a shop: this process (Playwright, the cashier's keys, the
  // terminal's pace) cannot slow it down, nor be slowed down by it.
  const dataDir = path.join(scratch, 'flood');
  mkdirSync(dataDir, { recursive: true });
  const hostFlags = profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(profileDir, 'flood-host')] : [];
  const host = spawnHost(cliEntry, dataDir, hostFlags);
  let client: HostClient | null = null;
  let context: BrowserContext | null = null;
  try {
    const url = await host.url;
    const opened = await openCounter(browser, url);
    context = opened.context;
    const page = opened.page;
    client = await connectHost(url);
    const marks: PaintMark[] = [];
    await watchPaintMarks(page, (m) => marks.push(m));
    await recordKeydowns(page);
    const before = await clockOffset(page);
    const cdp = await context.newCDPSession(page);

    // Every charge the host committed is pushed to every screen: this connection hears them too.
    const pushedAt = new Map<string, number>();
    client.onEvent((name, payload) => {
      const charge = payload as { trace: string; status: string };
      if (name === 'charge.changed' && charge.status === 'pending' && !pushedAt.has(charge.trace)) pushedAt.set(charge.trace, nowMs());
    });
    const rng = createRng(2024);
    const stopProfile = await profilePage(page, profileDir, 'flood-renderer');
    const t0 = nowMs();
    const end = t0 + seconds * 1000;
    let offered = 0;
    const offeredAt: number[] = [];
    let committedInWindow = -1;
    let lastLog = t0;
    let failure: Error | null = null;
    const flooded = new Promise<void>((resolve) => {
      // The terminal: `rate` charges a second, asked for every 10 ms (the simulator's `flood N`).
      const generator = setInterval(() => {
        const now = Math.min(nowMs(), end);
        const due = Math.floor(((now - t0) / 1000) * rate);
        if (due > offered) {
          const count = due - offered;
          offered = due;
          for (let i = 0; i < count; i++) offeredAt.push(now);
          client!.call('sim.script', { script: `flood ${count}` }).catch((error: Error) => (failure ??= error));
        }
        if (nowMs() - lastLog > 15_000) {
          lastLog = nowMs();
          log(`  flood: ${offered.toLocaleString('en-US')} charges offered, ${pushedAt.size.toLocaleString('en-US')} in the ledger…`);
        }
        if (now >= end) {
          committedInWindow = pushedAt.size;
          clearInterval(generator);
          resolve();
        }
      }, 10);
    });
    // The cashier: → every 150–250 ms from the first second on, sent without waiting for the page
    // (a page that is behind gets them queued, as a real keyboard's would be).
    const sent: SentPress[] = [];
    const key = { key: 'ArrowRight', code: 'ArrowRight', windowsVirtualKeyCode: 39, nativeVirtualKeyCode: 39 };
    const presser = (async () => {
      await sleep(1000);
      while (nowMs() < end - 200) {
        sent.push({ sent: epochNow() });
        void cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key }).catch(() => undefined);
        void cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...key }).catch(() => undefined);
        await sleep(150 + rng.int(0, 100));
      }
    })();
    // The host's responsiveness: a cheap command's round trip every 100 ms (event-loop delay + the
    // socket). Intake that starved the host's event loop would show here.
    const rtts: number[] = [];
    const prober = (async () => {
      while (nowMs() < end) {
        const at = nowMs();
        await client!.call('auth.status', {}).catch(() => undefined);
        rtts.push(nowMs() - at);
        await sleep(100);
      }
    })();
    await flooded;
    await presser;
    await prober;
    if (failure) throw failure;

    // The terminal's backlog drains (it keeps every charge until the host ACKs it)…
    const drainStart = nowMs();
    while (pushedAt.size < offered && nowMs() - drainStart < DRAIN_LIMIT_MS) await sleep(100);
    const drained = pushedAt.size >= offered;
    const drainMs = nowMs() - drainStart;
    // …and the counter catches up with the ledger.
    const db = new Database(path.join(dataDir, 'countersign.db'), { readonly: true, fileMustExist: true });
    try {
      const pendingInLedger = () => (db.prepare("SELECT count(*) AS n FROM charges WHERE status = 'pending'").get() as { n: number }).n;
      const shownWaiting = async (): Promise<number | null> => {
        const text = await withTimeout(page.locator('[data-testid="queue-count"]').textContent(), 5_000);
        const m = /(\d[\d,]*)\D*$/.exec(text ?? '');
        return m ? Number(m[1]!.replace(/,/g, '')) : null;
      };
      const catchUpStart = nowMs();
      let shown = await shownWaiting();
      while (shown !== pendingInLedger() && nowMs() - catchUpStart < CATCH_UP_LIMIT_MS) {
        await sleep(500);
        shown = await shownWaiting();
      }
      const caughtUp = shown === pendingInLedger();
      const catchUpMs = nowMs() - catchUpStart;
      await stopProfile();
      const handled = (await withTimeout(readKeydowns(page), 30_000)) ?? [];
      const after = caughtUp ? await clockOffset(page) : before;
      const offset = (before.offset + after.offset) / 2;

      // Nothing lost, nothing twice: every charge the terminal made is in the ledger, once.
      const charges = (db.prepare('SELECT count(*) AS n, count(DISTINCT terminal_id || batch || trace) AS d FROM charges').get() as { n: number; d: number });
      const recorded = (db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'charge.recorded'").get() as { n: number }).n;
      const lost = Math.max(0, offered - charges.d);
      const doubled = charges.n - charges.d + Math.max(0, recorded - charges.n);
      const pending = pendingInLedger();
      const lagMs = [...pushedAt.values()].sort((a, b) => a - b).map((at, i) => at - offeredAt[i]!);
      const lag = summarize(lagMs.filter(Number.isFinite));
      // Throughput as the ledger delivered it: charges per second between the first and the last
      // commit. Counting only what was in by the end of the 60 s would charge the pipeline's
      // latency (the last few ms of offers) against the rate: any real system would read < 1,000.
      const commitTimes = [...pushedAt.values()].sort((a, b) => a - b);
      const span = commitTimes.length > 1 ? (commitTimes.at(-1)! - commitTimes[0]!) / 1000 : 0;
      const throughput = span > 0 && drained ? (commitTimes.length - 1) / span : committedInWindow / seconds;
      const keys = pressToPaint(sent, handled.map((h) => ({ handled: h.handled })), marks, offset);
      const k = summarize(keys.latencies);
      const notTimed = keys.unpainted + keys.unhandled;
      const rtt = summarize(rtts);
      const reportsPerCh = Math.ceil(typicalChFrameBytes() / 63);
      log(`  flood: ${offered} offered, ${committedInWindow} in the ledger within ${seconds} s; counter ${caughtUp ? `caught up ${(catchUpMs / 1000).toFixed(1)} s after` : 'had not caught up'}`);
      // Capacity: the flood offers exactly `rate`, so its throughput cannot show headroom. A burst the
      // terminal sends as fast as the host ACKs shows what the link stack + durable ledger can take.
      const burst = Math.max(1000, Math.round(rate * 10));
      const burstFrom = pushedAt.size;
      const burstStart = nowMs();
      await client.call('sim.script', { script: `flood ${burst}` });
      while (pushedAt.size < burstFrom + burst && nowMs() - burstStart < DRAIN_LIMIT_MS) await sleep(50);
      const burstTimes = [...pushedAt.values()].sort((a, b) => a - b).slice(burstFrom);
      const burstSpan = burstTimes.length > 1 ? (burstTimes.at(-1)! - burstTimes[0]!) / 1000 : 0;
      const capacity = burstTimes.length === burst && burstSpan > 0 ? (burst - 1) / burstSpan : null;
      log(`  flood: capacity burst of ${burst.toLocaleString('en-US')}: ${capacity === null ? 'not drained' : `${fmtNumber(capacity)} charges/s`}`);
      return [
        {
          id: 'flood.capacity',
          name: `flood: the ledger's capacity, charges per second (a burst of ${fmtNumber(burst)} after the flood)`,
          value: capacity,
          unit: '/s',
          goal: goalAtLeast(rate, '/s'),
          note:
            'the simulated terminal sends the next CH as soon as the host ACKs the last (one frame in flight, as the spec says), and the host ACKs only after the durable commit; ' +
            `first to last commit of the burst, ${fmtNumber(burstSpan)} s; the in-memory terminal has no 1 ms USB frame, so this is the link stack + ledger, not the bus`,
        },
        {
          id: 'flood.rate',
          name: `flood: charges into the ledger per second (offered ${fmtNumber(rate)}/s for ${seconds} s)`,
          value: throughput,
          unit: '/s',
          limit: { name: `CH frames a full-speed HID link can carry (${reportsPerCh} reports each)`, value: HID_REPORTS_PER_SECOND / reportsPerCh, unit: '/s' },
          // Kept pace or not is the backlog (drained when the terminal stopped) and the lag; a rate
          // measured against an offer of exactly `rate` can only read just under it.
          note:
            `\`countersign host\` in its own process; first to last commit${drained ? '' : ' (not drained: the count within the window instead)'}; ${offered.toLocaleString('en-US')} offered, ${committedInWindow.toLocaleString('en-US')} committed (durably) and pushed within the ${seconds} s; the terminal's backlog ` +
            (drained ? `drained ${(drainMs / 1000).toFixed(1)} s after` : `was not drained ${DRAIN_LIMIT_MS / 1000} s after (${pushedAt.size.toLocaleString('en-US')} in)`) +
            `; offered → pushed lag p50 ${fmtNumber(lag.p50)} ms, p99 ${fmtNumber(lag.p99)} ms`,
        },
        {
          id: 'flood.lostDoubled',
          name: 'flood: charges lost + doubled (offered, missing or twice in the ledger)',
          value: drained ? lost + doubled : null,
          unit: '',
          goal: goalAtMost(0, ''),
          note: drained
            ? `lost=${lost} doubled=${doubled} of ${offered.toLocaleString('en-US')}; the ledger has ${pending.toLocaleString('en-US')} pending`
            : 'not judged: the backlog had not drained',
        },
        {
          id: 'flood.catchUp',
          name: "flood: counter's queue equal to the ledger's, after the flood",
          value: caughtUp ? catchUpMs / 1000 : null,
          unit: 's',
          note: caughtUp
            ? `the counter showed ${shown?.toLocaleString('en-US')} waiting = the ledger's pending, ${(catchUpMs / 1000).toFixed(1)} s after the terminal's backlog drained`
            : `not within ${CATCH_UP_LIMIT_MS / 1000} s: the counter showed ${shown?.toLocaleString('en-US') ?? '?'} waiting, the ledger has ${pending.toLocaleString('en-US')} pending`,
        },
        {
          id: 'flood.host.rtt.p99',
          name: "flood: the host's answer to a cheap command during the flood, p99",
          value: rtt.n ? rtt.p99 : null,
          unit: 'ms',
          note: `${rtt.n} calls of auth.status every 100 ms (round trip over the socket: the host's event-loop delay included): p50 ${fmtNumber(rtt.p50)} ms, p99 ${fmtNumber(rtt.p99)} ms, max ${fmtNumber(rtt.max)} ms`,
        },
        {
          id: 'flood.keys.p99',
          name: 'flood: keypress → paint during the flood, →, p99',
          // A press never painted is at least as slow as the whole wait: it cannot count as fast.
          value: notTimed > keys.latencies.length / 100 ? Math.max(k.p99 || 0, nowMs() - t0) : k.p99,
          unit: 'ms',
          limitRef: { name: 'one frame', sum: ['limit.frame'] },
          goal: goalAtMost(FLOOD_KEY_GOAL_MS, 'ms'),
          note:
            `${sent.length} presses sent every 150–250 ms (DevTools input, not waiting for the page); ${keys.latencies.length} painted: p50 ${fmtNumber(k.p50)} ms, p99 ${fmtNumber(k.p99)} ms, max ${fmtNumber(k.max)} ms` +
            (notTimed ? `; ${keys.unhandled} not handled and ${keys.unpainted} not painted by the end (the value is then the whole measurement, a lower bound)` : ''),
        },
      ];
    } finally {
      db.close();
    }
  } finally {
    client?.close();
    await context?.close();
    const end = await stopHost(host.child);
    if (end.code !== 0) log(`  flood: the host ended with ${end.code ?? end.signal}: ${host.output().trim().split('\n').slice(-3).join(' / ')}`);
  }
}
