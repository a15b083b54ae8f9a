import { describe, expect, it } from 'vitest';
import { createLoopYield } from '../../../electron/core/loopYield.js';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* a commit's fsync, say */
  }
};

/** Charges handled back to back in microtasks only (as the in-memory terminal delivers them). */
async function flood(count: number, yieldToLoop: (() => Promise<void> | null) | null): Promise<void> {
  for (let i = 0; i < count; i++) {
    const turn = yieldToLoop?.();
    if (turn) await turn;
    busy(1);
    await Promise.resolve();
  }
}

async function timerTicksDuring(run: () => Promise<void>): Promise<number[]> {
  const ticks: number[] = [];
  const start = performance.now();
  const timer = setInterval(() => ticks.push(performance.now() - start), 2);
  await run();
  const end = performance.now() - start;
  clearInterval(timer);
  return [...ticks.filter((t) => t <= end), end];
}

describe('loop yield', () => {
  it('without it a microtask flood starves every timer; with it timers keep running', async () => {
    const starved = await timerTicksDuring(() => flood(150, null));
    expect(starved).toHaveLength(1); // only the end mark: not one tick in 150 ms

    const ticks = await timerTicksDuring(() => flood(150, createLoopYield(10)));
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]!);
    expect(ticks.length).toBeGreaterThan(5);
    expect(Math.max(ticks[0]!, ...gaps)).toBeLessThan(60);
  });

  it('costs nothing while the loop turns by itself', async () => {
    const yieldToLoop = createLoopYield(10);
    let forced = 0;
    for (let i = 0; i < 20; i++) {
      if (yieldToLoop()) forced++;
      await new Promise((r) => setTimeout(r, 1)); // a quiet counter: the loop turns between charges
    }
    expect(forced).toBe(0);
  });
});
