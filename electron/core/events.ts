import type { ApiEvent } from '../contract/api.js';

/** Fan-out of core events to every connected screen; one failing listener never blocks the others. */
export function createEventHub() {
  const listeners = new Set<(event: ApiEvent) => void>();
  return {
    emit(event: ApiEvent) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch {
          /* a closed socket or window must not stop the till */
        }
      }
    },
    subscribe(listener: (event: ApiEvent) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
export type EventHub = ReturnType<typeof createEventHub>;
