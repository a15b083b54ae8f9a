/** Test harness: a simulated terminal and a host session over the memory HID pair, real timers kept short. */
import { createTerminalSession, type HidTerminalSession, type TerminalSessionOptions } from '../../../native/session/terminalSession.js';
import type { LinkState } from '../../../native/session/types.js';
import type { LinkMessage } from '../../../native/link/types.js';
import { SimulatedTerminal, type SimulatedTerminalOptions } from '../../../native/sim/terminal.js';
import { createSimulatorBackend } from '../../../native/transport/memoryHid.js';

export const FIXED_TIME = new Date(2026, 10, 23, 14, 30, 5);
export const RESPONSE_TIMEOUT_MS = 250;
export const ACK_TIMEOUT_MS = 40;

export async function waitFor(cond: () => boolean, timeoutMs = 4000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fake core ledger: stores charges once by (TI, BT, TR). */
export class FakeLedger {
  readonly deliveries: LinkMessage[] = [];
  readonly charges = new Map<string, LinkMessage>();
  failNext = 0;
  async onCharge(m: LinkMessage): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('database busy');
    }
    this.deliveries.push(m);
    const key = `${m.fields.TI}/${m.fields.BT}/${m.fields.TR}`;
    if (!this.charges.has(key)) this.charges.set(key, m);
  }
}

export interface Harness {
  sim: SimulatedTerminal;
  session: HidTerminalSession;
  ledger: FakeLedger;
  states: LinkState[];
  statuses: LinkMessage[];
  unsolicited: LinkMessage[];
  linkErrors: { code: string; detail: string }[];
  logs: string[];
  connected: number;
  seq: () => string;
  stop: () => Promise<void>;
}

export async function startHarness(
  simOptions: SimulatedTerminalOptions = {},
  sessionOptions: Partial<Omit<TerminalSessionOptions, 'backend' | 'handlers'>> = {},
  { waitConnected = true }: { waitConnected?: boolean } = {},
): Promise<Harness> {
  const sim = new SimulatedTerminal({
    seed: 42,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    statusIntervalMs: 0,
    chargeRetryMs: 30,
    clock: () => FIXED_TIME,
    ...simOptions,
  });
  const ledger = new FakeLedger();
  const h = {
    sim,
    ledger,
    states: [] as LinkState[],
    statuses: [] as LinkMessage[],
    unsolicited: [] as LinkMessage[],
    linkErrors: [] as { code: string; detail: string }[],
    logs: [] as string[],
    connected: 0,
  } as Harness;
  let hostSeq = 0;
  h.seq = () => String(++hostSeq).padStart(6, '0');
  const log = (m: string) => h.logs.push(m);
  h.session = createTerminalSession({
    backend: createSimulatorBackend(sim),
    handlers: {
      onCharge: (m) => ledger.onCharge(m),
      onStatus: (m) => h.statuses.push(m),
      onLinkState: (s) => h.states.push(s),
      onUnsolicitedResponse: (m) => h.unsolicited.push(m),
      onLinkError: (e) => h.linkErrors.push(e),
      onConnected: () => {
        h.connected++;
      },
    },
    responseTimeoutMs: RESPONSE_TIMEOUT_MS,
    ackTimeoutMs: ACK_TIMEOUT_MS,
    pollIntervalMs: 20,
    reconnect: { initialMs: 10, maxMs: 80 },
    log: { debug: log, info: log, warn: log, error: log },
    ...sessionOptions,
  });
  h.stop = async () => {
    await h.session.stop();
    sim.stop();
  };
  await h.session.start();
  if (waitConnected) await waitFor(() => h.session.state.kind === 'connected', 2000, 'connected');
  return h;
}
