import { z } from 'zod';
import { ApiError, commands, isCommandName, type CommandInput, type CommandName, type CommandOutput } from '../contract/api.js';
import type { CallContext } from './types.js';

export type CommandHandlers = {
  [N in CommandName]: (input: z.output<(typeof commands)[N]['input']>, ctx: CallContext) => Promise<CommandOutput<N>> | CommandOutput<N>;
};

export interface DispatchLog {
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** Turns zod issues into one readable line without echoing the (possibly sensitive) input values. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('; ');
}

/**
 * Command input is JSON-shaped: nothing, or a plain object. IPC's structured clone can also carry a
 * Map, Set, Date, typed array or Error, which a schema of optional fields would read as `{}`.
 */
function isPlainInput(input: unknown): boolean {
  if (input === null || typeof input !== 'object') return true; // nothing, or a primitive: the schema says what is wrong
  const proto = Object.getPrototypeOf(input) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The boundary every transport goes through: unknown names, malformed input and handler failures
 * all become ApiErrors with a stable code; nothing unvalidated reaches a handler.
 */
export function createDispatcher(handlers: CommandHandlers, log: DispatchLog) {
  return async function dispatch(name: unknown, input: unknown, ctx: CallContext): Promise<unknown> {
    if (!isCommandName(name)) {
      log.warn('api.unknown_command', { transport: ctx.transport, name: typeof name === 'string' ? name.slice(0, 64) : typeof name });
      throw new ApiError('api.unknown_command', `Unknown command: ${typeof name === 'string' ? name.slice(0, 64) : typeof name}`, {
        name: typeof name === 'string' ? name.slice(0, 64) : '',
      });
    }
    const spec = commands[name];
    if (!isPlainInput(input)) {
      log.warn('api.validation_failed', { transport: ctx.transport, name, detail: 'input is not a plain object' });
      throw new ApiError('validation.failed', `Invalid input for ${name}: (input): must be a plain object`, { command: name, detail: '(input): must be a plain object' });
    }
    const parsed = spec.input.safeParse(input ?? {});
    if (!parsed.success) {
      const detail = describeIssues(parsed.error);
      log.warn('api.validation_failed', { transport: ctx.transport, name, detail });
      throw new ApiError('validation.failed', `Invalid input for ${name}: ${detail}`, { command: name, detail });
    }
    try {
      const handler = handlers[name] as (input: unknown, ctx: CallContext) => unknown;
      const result = await handler(parsed.data, ctx);
      return spec.output.parse(result);
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const code = typeof (error as { code?: unknown })?.code === 'string' ? String((error as { code: string }).code) : '';
      const params = ((error as { params?: Record<string, string> })?.params ?? {}) as Record<string, string>;
      if (/^[a-z_]+\.[a-z_.]+$/.test(code)) {
        throw new ApiError(code, (error as Error).message, params);
      }
      log.error('api.internal_error', { name, message: (error as Error)?.message });
      throw new ApiError('internal', `Countersign could not complete ${name}: ${(error as Error)?.message ?? 'unknown error'}`);
    }
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
export type { CommandInput };
