/**
 * PIN rules, the lockout schedule and manager-mode idle expiry. Pure: no I/O, no clock of its own.
 *
 * A PIN is what stands between a cashier and a void or a refund, so a few obvious choices are
 * refused: fewer than 6 digits, anything but digits, one digit repeated (111111) and a straight run
 * up or down (123456, 654321; 890123 and 210987 count too, the digits wrapping around 9→0).
 */

export const PIN_MIN_LENGTH = 6;
/** Long enough for anyone; keeps the input bounded. */
export const PIN_MAX_LENGTH = 12;

export type PinRule = 'too_short' | 'too_long' | 'not_digits' | 'all_same' | 'sequence';

/** The first rule `pin` breaks, or null when it may be used. Never echoes the PIN. */
export function pinProblem(pin: string): PinRule | null {
  if (!/^[0-9]*$/.test(pin)) return 'not_digits';
  if (pin.length < PIN_MIN_LENGTH) return 'too_short';
  if (pin.length > PIN_MAX_LENGTH) return 'too_long';
  if (/^(\d)\1*$/.test(pin)) return 'all_same';
  if (isStraightRun(pin)) return 'sequence';
  return null;
}

/** Every next digit is the previous one plus 1, or every one minus 1 (mod 10). */
export function isStraightRun(digits: string): boolean {
  if (digits.length < 2 || !/^[0-9]+$/.test(digits)) return false;
  const step = (i: number) => (Number(digits[i]) - Number(digits[i - 1]) + 10) % 10;
  const first = step(1);
  if (first !== 1 && first !== 9) return false;
  for (let i = 2; i < digits.length; i++) if (step(i) !== first) return false;
  return true;
}

/** Wrong PINs in a row that lock the account. */
export const MAX_FAILED_ATTEMPTS = 5;
/** The first lock. */
export const BASE_LOCK_MS = 5 * 60_000;
/** No lock lasts longer than a day (the doubling stops there). */
export const MAX_LOCK_MS = 24 * 60 * 60_000;

/**
 * How long the `lockCount`-th lock lasts (1 → 5 min, 2 → 10 min, 3 → 20 min, …, at most 24 h).
 * `lockCount` counts the locks since the last correct PIN, this one included.
 */
export function lockDurationMs(lockCount: number): number {
  if (!Number.isSafeInteger(lockCount) || lockCount < 1) throw new RangeError(`lockCount must be a positive integer, got ${lockCount}`);
  // 2^9 × 5 min already exceeds a day: stop doubling before the number can grow out of range.
  return Math.min(BASE_LOCK_MS * 2 ** Math.min(lockCount - 1, 16), MAX_LOCK_MS);
}

/** Wrong PINs still allowed before the lock, after `failedAttempts` wrong ones in a row. */
export function attemptsLeft(failedAttempts: number): number {
  return Math.max(0, MAX_FAILED_ATTEMPTS - failedAttempts);
}

export interface LockState {
  failedAttempts: number;
  lockCount: number;
  /** Epoch ms, or null when never locked or the lock was cleared. */
  lockedUntilMs: number | null;
}

export function isLocked(state: Pick<LockState, 'lockedUntilMs'>, nowMs: number): boolean {
  return state.lockedUntilMs !== null && state.lockedUntilMs > nowMs;
}

/**
 * The account after one PIN attempt that was checked (not refused for a lock). A correct PIN clears
 * everything; a wrong one counts, and the fifth in a row locks for `lockDurationMs(lockCount)` and
 * starts the count again.
 */
export function afterAttempt(state: LockState, correct: boolean, nowMs: number): LockState & { lockedNow: boolean } {
  if (correct) return { failedAttempts: 0, lockCount: 0, lockedUntilMs: null, lockedNow: false };
  const failed = state.failedAttempts + 1;
  if (failed < MAX_FAILED_ATTEMPTS) return { ...state, failedAttempts: failed, lockedNow: false };
  const lockCount = state.lockCount + 1;
  return { failedAttempts: 0, lockCount, lockedUntilMs: nowMs + lockDurationMs(lockCount), lockedNow: true };
}

/** Manager mode ends after this long without a command from its session. */
export const MANAGER_IDLE_MS = 60_000;

/** When a session last active at `lastActiveMs` ends. */
export function idleExpiry(lastActiveMs: number, idleMs: number = MANAGER_IDLE_MS): number {
  return lastActiveMs + idleMs;
}

export function isExpired(expiresAtMs: number, nowMs: number): boolean {
  return nowMs >= expiresAtMs;
}

/** A person's name as shown and stored: trimmed, 1..40 characters, no control characters. */
export const NAME_MAX_LENGTH = 40;

export function normalizeName(raw: string): string | null {
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > NAME_MAX_LENGTH || /[\u0000-\u001f\u007f-\u009f]/.test(name)) return null;
  return name;
}
