import { z } from 'zod';
import { AppStatus, Charge, LinkState, MinorUnits } from './schemas.js';
import { systemCommands } from './commands/system.js';
import { chargeCommands } from './commands/charges.js';
import { simCommands } from './commands/sim.js';
import { adjustmentCommands, adjustmentEvents } from './commands/adjustments.js';
import { incidentCommands, incidentEvents } from './commands/incidents.js';
import { AuthChanged, authCommands } from './commands/auth.js';
import { counterCommands } from './commands/counter.js';
import { setupCommands } from './commands/setup.js';
import { dataDirCommands, dataDirEvents } from './commands/dataDir.js';
import { PrintJob, printingCommands } from './commands/printing.js';
import { CounterSettings, SettlementReport } from './counterSchemas.js';

/**
 * The one contract between the screens and the core. Every transport (Electron IPC, the browser
 * host's WebSocket, the in-process test client) carries exactly these commands and events, and the
 * core validates every input against these schemas before acting.
 */
export const commands = {
  ...systemCommands,
  ...chargeCommands,
  ...simCommands,
  ...authCommands,
  ...counterCommands,
  ...printingCommands,
  ...adjustmentCommands,
  ...incidentCommands,
  ...setupCommands,
  ...dataDirCommands,
} as const;

export const events = {
  'charge.changed': Charge,
  'link.state': LinkState,
  'status.changed': AppStatus,
  /** Sign-ins or accounts changed; carries no names: each screen re-asks `auth.status`. */
  'auth.changed': AuthChanged,
  /** The counter settings changed (blind re-key, flag rules). */
  'counter.settings': CounterSettings,
  /** A batch was settled (the report, matched or not). */
  'batch.settled': SettlementReport,
  /** A print job was queued, printed or failed. */
  'printJob.changed': PrintJob,
  ...adjustmentEvents,
  ...incidentEvents,
  ...dataDirEvents,
  'notice': z.object({ level: z.enum(['info', 'warning', 'error']), code: z.string(), params: z.record(z.string(), z.string()) }),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;

export type EventName = keyof typeof events;
export type EventPayload<N extends EventName> = z.output<(typeof events)[N]>;
export type ApiEvent = { [N in EventName]: { name: N; payload: EventPayload<N> } }[EventName];

/** A failure the user can be told about: `code` is an i18n key, `params` fill it in. */
export interface ApiErrorShape {
  code: string;
  message: string;
  params?: Record<string, string>;
}

export class ApiError extends Error implements ApiErrorShape {
  constructor(
    readonly code: string,
    message: string,
    readonly params: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, params: this.params };
  }
}

/** What the renderer sees, whatever carries it. */
export interface CountersignApi {
  invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>>;
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}

export { MinorUnits };
