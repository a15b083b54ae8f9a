/**
 * What both transports share: turning whatever arrives into contract-checked values.
 * Nothing here knows about IPC or sockets.
 */
import { z } from 'zod';
import { ApiError, commands, events } from '../../electron/contract/api.js';
import type { ApiErrorShape, ApiEvent, CommandName, CommandOutput, CountersignApi, EventName } from '../../electron/contract/api.js';

// zod would otherwise probe `new Function` for its JIT, which the CSP (no 'unsafe-eval') reports
// as a violation even though zod catches it. Parsing without JIT is fast enough here.
z.config({ jitless: true });

// Error codes the renderer itself raises (translated like the core's codes).
/** Not connected: the call was never sent. */
export const TRANSPORT_DISCONNECTED = 'transport.disconnected';
/** The connection dropped while the call was in flight: the core may or may not have applied it. */
export const TRANSPORT_LOST = 'transport.lost';
export const TRANSPORT_BAD_RESPONSE = 'transport.bad_response';

/** Whether the channel to the core is usable; Electron IPC is always `open`. */
export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number; nextRetryMs: number }
  | { kind: 'closed' };

/** The contract's API plus the transport's connection state (the UI shows core reconnects). */
export interface RendererApi extends CountersignApi {
  connection(): ConnectionState;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

/**
 * Runs `load` now if the channel is open and again every time it opens after not being open (the
 * core may have restarted: what a screen holds is stale). Returns the unsubscribe.
 */
export function loadOnEachOpen(api: RendererApi, load: () => void): () => void {
  let wasOpen = api.connection().kind === 'open';
  const off = api.onConnection((connection) => {
    const open = connection.kind === 'open';
    if (open && !wasOpen) load();
    wasOpen = open;
  });
  if (wasOpen) load();
  return off;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringParams(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** An ApiErrorShape-like object → ApiError; null when it does not look like one. */
export function errorFromShape(value: unknown): ApiError | null {
  if (!isRecord(value) || typeof value.code !== 'string' || value.code === '') return null;
  const message = typeof value.message === 'string' ? value.message : value.code;
  return new ApiError(value.code, message, stringParams(value.params));
}

/**
 * Anything thrown or rejected → ApiError. Electron wraps handler errors as
 * "Error invoking remote method 'x': Error: {json}", so the JSON is searched for in the message.
 */
export function toApiError(raw: unknown): ApiError {
  if (raw instanceof ApiError) return raw;
  const direct = errorFromShape(raw);
  if (direct && !(raw instanceof Error)) return direct;
  const message = raw instanceof Error ? raw.message : typeof raw === 'string' ? raw : '';
  const start = message.indexOf('{');
  const end = message.lastIndexOf('}');
  if (start !== -1 && end > start) {
    try {
      const parsed = errorFromShape(JSON.parse(message.slice(start, end + 1)) as unknown);
      if (parsed) return parsed;
    } catch {
      // not JSON: fall through
    }
  }
  if (direct) return direct;
  return new ApiError('internal', message || 'Unknown error from the Countersign core');
}

export function shapeOf(error: ApiError): ApiErrorShape {
  return { code: error.code, message: error.message, params: { ...error.params } };
}

/** Check a command result against the contract; a mismatch is a bad response, never shown as data. */
export function parseOutput<N extends CommandName>(name: N, raw: unknown): CommandOutput<N> {
  const result = commands[name].output.safeParse(raw);
  if (!result.success) {
    console.warn(`[countersign] invalid result for ${name}`, result.error.issues);
    throw new ApiError(TRANSPORT_BAD_RESPONSE, `The core sent an invalid result for ${name}`, { command: name });
  }
  return result.data as CommandOutput<N>;
}

function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** A pushed event → a contract-checked ApiEvent, or null (with a warning) when it is not one. */
export function parseEvent(name: unknown, payload: unknown): ApiEvent | null {
  if (!isEventName(name)) {
    console.warn('[countersign] ignoring unknown event', name);
    return null;
  }
  const result = events[name].safeParse(payload);
  if (!result.success) {
    console.warn(`[countersign] ignoring invalid ${name} event`, result.error.issues);
    return null;
  }
  return { name, payload: result.data } as ApiEvent;
}

/** Listener set that isolates listeners from each other's exceptions. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  add(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }
  emit(value: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(value);
      } catch (error) {
        console.error('[countersign] listener failed', error);
      }
    }
  }
  clear(): void {
    this.set.clear();
  }
}
