/**
 * Lets the screens know when a command that counts as activity went to the core (manager mode's
 * idle timer moves on with each one), without the stores knowing about each other.
 */
import { PASSIVE_COMMANDS } from '../../electron/contract/commands/auth.js';
import type { RendererApi } from './wire.js';

export function withActivity(api: RendererApi, onActivity: (command: string) => void): RendererApi {
  return {
    ...api,
    async invoke(name, input) {
      try {
        return await api.invoke(name, input);
      } finally {
        // Sent, whatever the answer: the core counted it.
        if (!PASSIVE_COMMANDS.has(name)) onActivity(name);
      }
    },
    subscribe: (listener) => api.subscribe(listener),
    connection: () => api.connection(),
    onConnection: (listener) => api.onConnection(listener),
    close: () => api.close(),
  };
}
