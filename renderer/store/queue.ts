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

/**
 * The counter holds a window of the queue, not all of it: the oldest waiting charges (a prefix, as
 * rows) and, after them, only the ids of the rest. A flood of 60,000 charges then costs the screen
 * 60,000 numbers, and each pushed change costs work proportional to the window, not the queue.
 */
export const QUEUE_WINDOW = 500;
/** When the charge on screen comes this close to the window's end, the next page is fetched. */
export const QUEUE_LOW_WATER = 50;

/** Index of `id` in the sorted `ids`, or where it would go (binary search). */
export function sortedIndex(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Apply one changed charge to the window (`queue`, rows) and the ids after it (`beyond`, sorted,
 * changed in place). A waiting charge joins the rows while they have room and nothing waits after
 * them; otherwise only its id is kept.
 */
export function placeCharge(queue: Charge[], beyond: number[], charge: Charge, cap = QUEUE_WINDOW): Charge[] {
  const last = queue.length > 0 ? queue[queue.length - 1]!.id : 0;
  if (charge.id <= last || (beyond.length === 0 && (queue.length < cap || !isWaiting(charge)))) return applyToQueue(queue, charge);
  const at = sortedIndex(beyond, charge.id);
  const known = beyond[at] === charge.id;
  if (isWaiting(charge) && !known) beyond.splice(at, 0, charge.id);
  else if (!isWaiting(charge) && known) beyond.splice(at, 1);
  return queue;
}

/**
 * A page of waiting charges that follows the window: appended (only what comes after its last
 * row), and the ids it covers leave `beyond` — those in its range it does not hold are no longer
 * waiting.
 */
export function appendWindowPage(queue: Charge[], beyond: number[], page: readonly Charge[]): Charge[] {
  const last = queue.length > 0 ? queue[queue.length - 1]!.id : 0;
  const rows = page.filter((c) => c.id > last && isWaiting(c)).sort((a, b) => a.id - b.id);
  if (rows.length === 0) return queue;
  const covered = sortedIndex(beyond, rows[rows.length - 1]!.id + 1);
  beyond.splice(0, covered);
  return [...queue, ...rows];
}
