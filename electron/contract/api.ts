import { z } from 'zod';
import {
  AppStatus,
  AuditVerification,
  Charge,
  HistoryFilter,
  LinkState,
  MinorUnits,
  TodayTotals,
} from './schemas.js';

const NoInput = z.object({}).strict();

/**
 * The one contract between the screens and the core. Every transport (Electron IPC, the browser
 * host's WebSocket, the in-process test client) carries exactly these commands and events, and the
 * core validates every input against these schemas before acting.
 */
export const commands = {
  'status.get': { input: NoInput, output: AppStatus },
  'charges.queue': { input: NoInput, output: z.array(Charge) },
  'charges.history': { input: HistoryFilter.strict(), output: z.array(Charge) },
  'charges.today': { input: NoInput, output: TodayTotals },
  'charges.confirm': {
    input: z.object({ chargeId: z.number().int().positive() }).strict(),
    output: Charge,
  },
  'sim.charge': {
    input: z
      .object({
        amountMinor: MinorUnits.refine((v) => v > 0, 'amount must be positive').optional(),
        /** Masked only: at most first 6 and last 4 digits visible. */
        panMasked: z.string().regex(/^[0-9*]{12,19}$/).optional(),
        entryMode: z.enum(['S', 'C', 'T', 'M', 'F']).optional(),
      })
      .strict(),
    output: z.object({ trace: z.string() }),
  },
  'sim.fault': {
    input: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.enum(['corrupt-next-frame', 'lose-next-response', 'unplug', 'replug']) }).strict(),
        z.object({ kind: z.literal('drop-next-ack'), direction: z.enum(['from-host', 'to-host']).optional() }).strict(),
        z.object({ kind: z.literal('delay-next-response'), ms: z.number().int().min(0).max(600_000) }).strict(),
        z.object({ kind: z.literal('split-reports'), maxChunk: z.number().int().min(0).max(63) }).strict(),
        z.object({ kind: z.literal('merge-reports'), on: z.boolean() }).strict(),
        z.object({ kind: z.literal('noise'), count: z.number().int().min(0).max(1000) }).strict(),
      ]),
    output: z.object({ ok: z.literal(true) }),
  },
  /** The simulator's script language, one step a line (charge 128.00, flood 200, split 3, …). */
  'sim.script': {
    input: z.object({ script: z.string().min(1).max(20_000) }).strict(),
    output: z.object({ steps: z.number().int(), charges: z.number().int() }),
  },
  'sim.setEnabled': { input: z.object({ enabled: z.boolean() }).strict(), output: AppStatus },
  'audit.verify': { input: NoInput, output: AuditVerification },
} as const;

export const events = {
  'charge.changed': Charge,
  'link.state': LinkState,
  'status.changed': AppStatus,
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
