import { ApiError } from '../../../electron/contract/api.js';
import type { ApiEvent, CommandInput, CommandName, CommandOutput } from '../../../electron/contract/api.js';
import type { ConnectionState, RendererApi } from '../../../renderer/api/wire.js';

type Handler<N extends CommandName> = (input: CommandInput<N>) => CommandOutput<N> | Promise<CommandOutput<N>>;
export type Handlers = { [N in CommandName]?: Handler<N> };

/** An in-memory RendererApi: scripted command handlers, events and connection changes on demand. */
export function fakeApi(handlers: Handlers = {}) {
  const listeners = new Set<(event: ApiEvent) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const calls: Array<{ name: CommandName; input: unknown }> = [];
  let connection: ConnectionState = { kind: 'open' };

  const api: RendererApi = {
    async invoke<N extends CommandName>(name: N, input: CommandInput<N>): Promise<CommandOutput<N>> {
      calls.push({ name, input });
      const handler = handlers[name] as Handler<N> | undefined;
      if (!handler) throw new ApiError('internal', `no handler for ${name}`);
      return handler(input);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connection: () => connection,
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    close() {},
  };

  return {
    api,
    handlers,
    calls,
    callsTo: (name: CommandName) => calls.filter((c) => c.name === name),
    emit(event: ApiEvent) {
      for (const listener of listeners) listener(event);
    },
    setConnection(state: ConnectionState) {
      connection = state;
      for (const listener of connectionListeners) listener(state);
    },
  };
}

/** A promise with its resolve exposed, to hold a response back. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
