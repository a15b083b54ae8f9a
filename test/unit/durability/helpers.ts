/**
 * Shared by the durability tests: temp folders, the simulator daemon on a socket, the real host
 * session over the socket transport, and a core (startCore) whose terminal is that daemon.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { ApiEvent, CountersignApi } from '../../../electron/contract/api.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { startCore, type RunningCore, type StartCoreOptions } from '../../../electron/core/startCore.js';
import type { LinkMessage } from '../../../native/link/types.js';
import { startSimDaemon, type SimDaemon, type SimDaemonOptions } from '../../../native/sim/daemon.js';
import { createTerminalSession, type HidTerminalSession } from '../../../native/session/terminalSession.js';
import type { LinkState } from '../../../native/session/types.js';
import { createSocketHidBackend } from '../../../native/transport/socketHid.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch {
      // best effort
    }
  }
});

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function tempDir(prefix = 'cs-dur-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitFor(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The simulator daemon on a fresh Unix socket (or `socket` if given), with fast link timing. */
export async function daemon(options: Partial<SimDaemonOptions> = {}): Promise<SimDaemon> {
  const d = await startSimDaemon({
    socket: options.socket ?? path.join(tempDir('cs-sock-'), 't.sock'),
    statusIntervalMs: 0,
    ...options,
    terminal: { ackTimeoutMs: 120, chargeRetryMs: 80, ...options.terminal },
  });
  onCleanup(() => d.close());
  return d;
}

export interface SessionHarness {
  session: HidTerminalSession;
  charges: LinkMessage[];
  states: LinkState[];
  /** Distinct TI/BT/TR keys stored (what a ledger keeps), and how often each arrived. */
  keys: Map<string, number>;
}

/** The host's terminal session over the socket transport, with a charge sink that dedupes like the ledger. */
export async function socketSession(address: string, tuning: { responseTimeoutMs?: number; ackTimeoutMs?: number } = {}): Promise<SessionHarness> {
  const charges: LinkMessage[] = [];
  const states: LinkState[] = [];
  const keys = new Map<string, number>();
  const session = createTerminalSession({
    backend: createSocketHidBackend(address),
    responseTimeoutMs: tuning.responseTimeoutMs ?? 500,
    ackTimeoutMs: tuning.ackTimeoutMs ?? 120,
    pollIntervalMs: 30,
    reconnect: { initialMs: 20, maxMs: 200 },
    handlers: {
      onCharge: (m) => {
        charges.push(m);
        const k = `${m.fields.TI}/${m.fields.BT}/${m.fields.TR}`;
        keys.set(k, (keys.get(k) ?? 0) + 1);
      },
      onLinkState: (s) => states.push(s),
    },
  });
  await session.start();
  onCleanup(() => session.stop());
  return { session, charges, states, keys };
}

export interface CoreHarness {
  core: RunningCore;
  daemon: SimDaemon;
  api: CountersignApi;
  events: ApiEvent[];
  dataDir: string;
}

/** startCore with its terminal behind the daemon's socket; the owner set up and signed in. */
export async function coreOverSocket(
  options: { daemon?: Partial<SimDaemonOptions>; core?: Partial<StartCoreOptions>; dataDir?: string; signIn?: boolean } = {},
): Promise<CoreHarness> {
  const d = await daemon(options.daemon);
  const dataDir = options.dataDir ?? tempDir('cs-core-');
  const core = await startCore({
    dataDir,
    log: silentLogger,
    backend: `socket:${d.address}`,
    sessionTuning: { responseTimeoutMs: 500, ackTimeoutMs: 120, pollIntervalMs: 30 },
    backups: { enabled: false },
    ...options.core,
  });
  onCleanup(() => core.close());
  await d.whenConnected();
  const api = createInProcessApi(core.api, 'session');
  const events: ApiEvent[] = [];
  const off = api.subscribe((e) => events.push(e));
  onCleanup(off);
  if (options.signIn !== false) {
    await api.invoke('auth.setupOwner', { ownerName: 'Owner', ownerPin: '482916', managerName: 'Manager', managerPin: '730594' });
  }
  return { core, daemon: d, api, events, dataDir };
}
