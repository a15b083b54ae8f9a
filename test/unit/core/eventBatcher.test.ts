import { describe, expect, it } from 'vitest';
import { EVENT_BATCH_MS, EVENT_BURST, createEventBatcher, type EventBatcherTimers } from '../../../electron/core/eventBatcher.js';

/** Hand-driven clock and timers: `advance(ms)` runs what falls due, in order. */
function manualTimers() {
  let now = 0;
  let nextId = 1;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: EventBatcherTimers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void due.delete(h as number),
  };
  function advance(ms: number) {
    const end = now + ms;
    for (;;) {
      const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = end;
  }
  return { timers, advance, pending: () => due.size };
}

describe('event batcher', () => {
  it('sends a lone event at once when idle (no latency on a quiet counter)', () => {
    const { timers } = manualTimers();
    const sent: number[][] = [];
    const b = createEventBatcher<number>((events) => sent.push(events), { timers });
    b.push(1);
    expect(sent).toEqual([[1]]);
  });

  it('under load sends each tick as one batch: order kept, nothing dropped, bounded messages', () => {
    const { timers, advance } = manualTimers();
    const sent: number[][] = [];
    const b = createEventBatcher<number>((events) => sent.push(events), { timers });
    // 1,000 events a second for 2 s, one per ms.
    for (let i = 0; i < 2000; i++) {
      b.push(i);
      advance(1);
    }
    advance(EVENT_BATCH_MS);
    expect(sent.flat()).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    // At most EVENT_BURST messages per 50 ms window, not one per event.
    expect(sent.length).toBeLessThanOrEqual((2000 / EVENT_BATCH_MS + 1) * EVENT_BURST);
    expect(sent.length).toBeGreaterThan(2000 / EVENT_BATCH_MS - 2);
    expect(sent[0]).toEqual([0]);
  });

  it('charges arriving one by one (every 20 ms) each go at once, with no batching latency', () => {
    const { timers, advance } = manualTimers();
    const sent: Array<{ at: number; events: number[] }> = [];
    const b = createEventBatcher<number>((events) => sent.push({ at: timers.now(), events }), { timers });
    for (let i = 0; i < 50; i++) {
      b.push(i);
      advance(20);
    }
    expect(sent.map((m) => m.events)).toEqual(Array.from({ length: 50 }, (_, i) => [i]));
    expect(sent.map((m) => m.at)).toEqual(Array.from({ length: 50 }, (_, i) => i * 20));
  });

  it('flush sends what is held now, and the next event after a quiet period goes at once again', () => {
    const { timers, advance, pending } = manualTimers();
    const sent: string[][] = [];
    const b = createEventBatcher<string>((events) => sent.push(events), { timers, burst: 1 });
    b.push('a');
    b.push('b');
    b.push('c');
    expect(sent).toEqual([['a']]);
    b.flush();
    expect(sent).toEqual([['a'], ['b', 'c']]);
    expect(pending()).toBe(0);
    advance(EVENT_BATCH_MS + 1);
    b.push('d');
    expect(sent.at(-1)).toEqual(['d']);
  });

  it('close drops what is held and sends nothing more', () => {
    const { timers, advance } = manualTimers();
    const sent: number[][] = [];
    const b = createEventBatcher<number>((events) => sent.push(events), { timers, burst: 1 });
    b.push(1);
    b.push(2);
    b.close();
    b.push(3);
    advance(1000);
    expect(sent).toEqual([[1]]);
  });
});
