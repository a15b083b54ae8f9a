/**
 * Coalesces pushed events for one screen (a WebSocket, the Electron window): under load, the
 * events of one tick travel as one message; on a quiet counter a single event goes at once.
 *
 * - Quiet (fewer than `burst` messages sent within the last `intervalMs`): the event is sent
 *   immediately, alone — charges arriving one by one on a counter pay no batching latency.
 * - Busy: events are held and sent together once the window allows the next message (at most
 *   `burst` messages per `intervalMs`), in arrival order, none dropped or merged (a screen applies
 *   each one).
 */
export const EVENT_BATCH_MS = 50;
export const EVENT_BURST = 3;

export interface EventBatcherTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: EventBatcherTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface EventBatcher<T> {
  push(event: T): void;
  /** Sends whatever is held now. */
  flush(): void;
  /** Drops whatever is held and stops the timer (the screen went away). */
  close(): void;
}

export function createEventBatcher<T>(
  send: (events: T[]) => void,
  options: { intervalMs?: number; burst?: number; timers?: EventBatcherTimers } = {},
): EventBatcher<T> {
  const intervalMs = options.intervalMs ?? EVENT_BATCH_MS;
  const burst = Math.max(1, options.burst ?? EVENT_BURST);
  const timers = options.timers ?? realTimers;
  let held: T[] = [];
  /** When the last `burst` messages went, oldest first. */
  const sentAt: number[] = [];
  let timer: unknown = null;
  let closed = false;

  function flush(): void {
    if (timer !== null) {
      timers.clearTimeout(timer);
      timer = null;
    }
    if (held.length === 0) return;
    const batch = held;
    held = [];
    sentAt.push(timers.now());
    if (sentAt.length > burst) sentAt.shift();
    send(batch);
  }

  return {
    push(event) {
      if (closed) return;
      held.push(event);
      if (timer !== null) return;
      const wait = sentAt.length < burst ? 0 : sentAt[0]! + intervalMs - timers.now();
      if (wait <= 0) flush();
      else timer = timers.setTimeout(flush, wait);
    },
    flush,
    close() {
      closed = true;
      held = [];
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}
