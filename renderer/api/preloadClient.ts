/** Electron transport: wraps the preload bridge `window.countersign` as a RendererApi. */
import type { ApiEvent, CommandInput, CommandName, CommandOutput } from '../../electron/contract/api.js';
import { Listeners, parseEvent, parseOutput, toApiError } from './wire.js';
import type { ConnectionState, RendererApi } from './wire.js';

/** What the preload script exposes through contextBridge. */
export interface PreloadBridge {
  invoke(name: string, input: unknown): Promise<unknown>;
  subscribe(listener: (event: unknown) => void): () => void;
}

declare global {
  interface Window {
    countersign?: PreloadBridge;
  }
}

/** Accepts `{name, payload}` (ApiEvent) and `{event, payload}` (the socket's wording). */
function eventFromBridge(raw: unknown): ApiEvent | null {
  if (typeof raw !== 'object' || raw === null) {
    console.warn('[countersign] ignoring malformed event', raw);
    return null;
  }
  const record = raw as Record<string, unknown>;
  return parseEvent(record.name ?? record.event, record.payload);
}

export function createPreloadClient(bridge: PreloadBridge): RendererApi {
  const listeners = new Listeners<ApiEvent>();
  let unsubscribe: (() => void) | null = null;
  const open: ConnectionState = { kind: 'open' };

  return {
    async invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      let raw: unknown;
      try {
        raw = await bridge.invoke(name, input);
      } catch (error) {
        throw toApiError(error);
      }
      return parseOutput(name, raw);
    },
    subscribe(listener) {
      // One bridge subscription shared by all listeners, made on first use.
      unsubscribe ??= bridge.subscribe((raw) => {
        // An array is a batch the core coalesced under load: applied in order, in this one task.
        for (const item of Array.isArray(raw) ? (raw as unknown[]) : [raw]) {
          const event = eventFromBridge(item);
          if (event) listeners.emit(event);
        }
      });
      return listeners.add(listener);
    },
    connection: () => open,
    onConnection: () => () => {},
    close() {
      unsubscribe?.();
      unsubscribe = null;
      listeners.clear();
    },
  };
}
