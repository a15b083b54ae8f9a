import type { LinkMessage } from '../../native/link/types.js';
import type { HidBackend, HidDeviceInfo, HidMatch } from '../../native/transport/types.js';
import { DEFAULT_MATCH } from '../../native/transport/types.js';
import type { HostRequest, LinkState, RequestOutcome, TerminalSession, TerminalSessionHandlers } from '../../native/session/types.js';
import { createTerminalSession } from '../../native/session/terminalSession.js';
import { createNodeHidBackend } from '../../native/transport/nodeHid.js';
import { createSimulatorBackend } from '../../native/transport/memoryHid.js';
import { createSocketHidBackend, parseSocketAddress } from '../../native/transport/socketHid.js';
import { findTerminals } from '../../native/transport/discovery.js';
import { SimulatedTerminal } from '../../native/sim/terminal.js';
import { panCanaryFromEnv } from '../../native/sim/canary.js';
import type { Logger } from './logger.js';

/** `socket:PATH` (or `socket:127.0.0.1:PORT`): the terminal behind a socket, e.g. `countersign sim serve`. */
export type BackendChoice = 'auto' | 'simulator' | 'node-hid' | `socket:${string}`;

/** A backend choice from a flag or the environment; null if it is none. */
export function parseBackendChoice(text: string | undefined): BackendChoice | null {
  if (text === 'auto' || text === 'simulator' || text === 'node-hid') return text;
  if (typeof text === 'string' && text.startsWith('socket:')) {
    try {
      parseSocketAddress(text.slice('socket:'.length));
      return text as BackendChoice;
    } catch {
      return null;
    }
  }
  return null;
}

/** The terminal's last status message (ST) and when it came. */
export interface TerminalStatusSeen {
  fields: Record<string, string>;
  at: Date;
}

/** The matching HID devices, or why node-hid cannot list them. */
export interface TerminalDevices {
  nodeHidProblem: string | null;
  devices: HidDeviceInfo[];
}

export interface TerminalManagerOptions {
  choice: BackendChoice;
  match?: HidMatch;
  log: Logger;
  handlers: Omit<TerminalSessionHandlers, 'onLinkState'>;
  onLinkState(state: LinkState): void;
  /** ST interval of the simulated terminal; 0 turns its idle status messages off. */
  simStatusIntervalMs?: number;
  /** Tests and the bench shorten the link timers. */
  sessionTuning?: Partial<{ responseTimeoutMs: number; ackTimeoutMs: number; pollIntervalMs: number }>;
  nodeHidBackend?: HidBackend;
}

/**
 * Owns the one terminal session: the real terminal over node-hid when one is attached (or chosen),
 * the simulated terminal otherwise. Switching stops one session before the next one starts.
 */
export class TerminalManager {
  private session: TerminalSession | null = null;
  private sim: SimulatedTerminal | null = null;
  private linkState: LinkState = { kind: 'stopped' };
  nodeHidProblem: string | null = null;
  private readonly nodeHid: HidBackend;
  private readonly match: HidMatch;
  private runningKind: 'simulator' | 'node-hid' | 'socket' | 'none' = 'none';
  private currentChoice: BackendChoice;
  /** The last ST and the terminal id of the last charge (the setup's connection test shows them). */
  lastStatus: TerminalStatusSeen | null = null;
  lastTerminalId: string | null = null;

  constructor(private readonly options: TerminalManagerOptions) {
    this.nodeHid = options.nodeHidBackend ?? createNodeHidBackend();
    this.match = options.match ?? DEFAULT_MATCH;
    this.currentChoice = options.choice;
  }

  /** What runs now: the simulator, a HID device, a socket, or nothing. */
  get running(): 'simulator' | 'node-hid' | 'socket' | 'none' {
    return this.runningKind;
  }

  get choice(): BackendChoice {
    return this.currentChoice;
  }

  /** The HID devices that match the terminal's bridge (none listed when node-hid cannot load). */
  async listDevices(): Promise<TerminalDevices> {
    const availability = await this.nodeHid.availability();
    if (!availability.available) return { nodeHidProblem: availability.reason, devices: [] };
    try {
      return { nodeHidProblem: null, devices: await findTerminals(this.nodeHid, this.match) };
    } catch (error) {
      return { nodeHidProblem: `node-hid could not list devices: ${(error as Error).message}`, devices: [] };
    }
  }

  get state(): LinkState {
    return this.linkState;
  }

  get simulator(): SimulatedTerminal | null {
    return this.sim;
  }

  /** Picks the backend for `choice` and starts it. */
  async start(choice: BackendChoice = this.options.choice): Promise<void> {
    await this.stop();
    this.currentChoice = choice;
    this.lastStatus = null;
    if (choice.startsWith('socket:')) {
      this.runningKind = 'socket';
      this.session = this.createSession(createSocketHidBackend(choice.slice('socket:'.length)));
      await this.session.start();
      return;
    }
    const useSimulator = choice === 'simulator' || (choice === 'auto' && !(await this.realTerminalPresent()));
    if (choice !== 'auto' && choice !== 'simulator') await this.realTerminalPresent();
    if (useSimulator) {
      this.sim = new SimulatedTerminal({ statusIntervalMs: this.options.simStatusIntervalMs ?? 5000, panCanary: panCanaryFromEnv() });
      this.sim.start();
      this.runningKind = 'simulator';
      this.session = this.createSession(createSimulatorBackend(this.sim));
    } else {
      this.runningKind = 'node-hid';
      this.session = this.createSession(this.nodeHid);
    }
    await this.session.start();
  }

  async stop(): Promise<void> {
    const session = this.session;
    const sim = this.sim;
    this.session = null;
    this.sim = null;
    this.runningKind = 'none';
    if (session) await session.stop();
    sim?.stop();
    this.setState({ kind: 'stopped' });
  }

  send(request: HostRequest): Promise<RequestOutcome> {
    if (!this.session) return Promise.resolve({ kind: 'unknown', reason: 'no terminal session is running' });
    return this.session.send(request);
  }

  /** Whether node-hid can load and sees a terminal matching the settings; records why not. */
  private async realTerminalPresent(): Promise<boolean> {
    const availability = await this.nodeHid.availability();
    if (!availability.available) {
      this.nodeHidProblem = availability.reason;
      this.options.log.warn('terminal.node_hid_unavailable', { reason: availability.reason });
      return false;
    }
    try {
      const found = await findTerminals(this.nodeHid, this.match);
      this.nodeHidProblem = found.length
        ? null
        : `no terminal with VID 0x${hex4(this.match.vendorId)} PID 0x${hex4(this.match.productId)} is attached`;
      return found.length > 0;
    } catch (error) {
      this.nodeHidProblem = `node-hid could not list devices: ${(error as Error).message}`;
      return false;
    }
  }

  private createSession(backend: HidBackend): TerminalSession {
    return createTerminalSession({
      backend,
      match: this.match,
      log: this.options.log,
      ...this.options.sessionTuning,
      handlers: {
        ...this.options.handlers,
        onCharge: (message) => {
          const result = this.options.handlers.onCharge(message);
          if (message.fields.TI) this.lastTerminalId = message.fields.TI;
          return result;
        },
        onStatus: (message) => {
          this.lastStatus = { fields: { ...message.fields }, at: new Date() };
          this.options.handlers.onStatus?.(message);
        },
        onLinkState: (state: LinkState) => this.setState(state),
      },
    });
  }

  private setState(state: LinkState) {
    this.linkState = state;
    this.options.onLinkState(state);
  }
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

export type { LinkMessage };
