/**
 * Keeps the core's event loop turning while charges pour in. A terminal that reports faster than
 * the ledger commits keeps the intake busy back to back (the in-memory simulator even delivers in
 * microtasks), and then nothing else runs: no pushed events, no commands, no timers. Before a
 * charge is handled, `yieldToLoop()` returns a macrotask turn to wait for once the loop has not
 * turned for `budgetMs`; otherwise null (no cost on a quiet counter).
 */
export const LOOP_BUDGET_MS = 10;

export function createLoopYield(budgetMs = LOOP_BUDGET_MS, clock: () => number = () => performance.now()): () => Promise<void> | null {
  let lastTurn = clock();
  let markerSet = false;
  // Notices every natural turn of the loop, so only a loop that really stalls is made to yield.
  const mark = () => {
    if (markerSet) return;
    markerSet = true;
    setImmediate(() => {
      markerSet = false;
      lastTurn = clock();
    });
  };
  return () => {
    mark();
    if (clock() - lastTurn < budgetMs) return null;
    // The marker's immediate (queued before this one) runs first and moves lastTurn on.
    return new Promise<void>((resolve) => setImmediate(resolve));
  };
}
