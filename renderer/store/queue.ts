/** Pure queue bookkeeping: which charges wait for the cashier, and which one is on screen. */
import type { Charge } from '../../electron/contract/schemas.js';

/**
 * Only `pending` charges wait for the cashier, as in the core's `charges.queue` (a `flagged`
 * charge was set aside for review and cannot be confirmed).
 */
export function isWaiting(charge: Charge): boolean {
  return charge.status === 'pending';
}

/** Oldest first: ids are assigned in arrival order. */
export function sortQueue(queue: Charge[]): Charge[] {
  return [...queue].sort((a, b) => a.id - b.id);
}

/** Apply one changed charge to the queue: insert/replace while waiting, remove otherwise. */
export function applyToQueue(queue: Charge[], charge: Charge): Charge[] {
  const index = queue.findIndex((c) => c.id === charge.id);
  if (!isWaiting(charge)) {
    return index === -1 ? queue : queue.filter((c) => c.id !== charge.id);
  }
  if (index !== -1) {
    const next = [...queue];
    next[index] = charge;
    return next;
  }
  const insertAt = queue.findIndex((c) => c.id > charge.id);
  if (insertAt === -1) return [...queue, charge];
  return [...queue.slice(0, insertAt), charge, ...queue.slice(insertAt)];
}

/**
 * Which charge to show after the queue changed. The one on screen stays on screen while it waits;
 * if it left, the charge that followed it takes its place (or the last one, at the end);
 * with nothing on screen, the oldest is shown.
 */
export function reconcileCurrent(before: Charge[], after: Charge[], currentId: number | null): number | null {
  if (after.length === 0) return null;
  if (currentId === null) return after[0]!.id;
  if (after.some((c) => c.id === currentId)) return currentId;
  const oldIndex = before.findIndex((c) => c.id === currentId);
  if (oldIndex !== -1) {
    // The first charge after the old position that is still waiting.
    for (let i = oldIndex + 1; i < before.length; i++) {
      const id = before[i]!.id;
      if (after.some((c) => c.id === id)) return id;
    }
  }
  // Fall back to the first charge newer than the one that left, else the newest.
  return (after.find((c) => c.id > currentId) ?? after[after.length - 1]!).id;
}

export function currentIndex(queue: Charge[], currentId: number | null): number {
  return currentId === null ? -1 : queue.findIndex((c) => c.id === currentId);
}
