import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE_LOCK_MS,
  MAX_FAILED_ATTEMPTS,
  MAX_LOCK_MS,
  MANAGER_IDLE_MS,
  afterAttempt,
  attemptsLeft,
  idleExpiry,
  isExpired,
  isLocked,
  isStraightRun,
  lockDurationMs,
  normalizeName,
  pinProblem,
  type LockState,
} from '../../../electron/domain/pinPolicy.js';

const MIN = 60_000;

describe('PIN rules', () => {
  it.each([
    ['12345', 'too_short'],
    ['', 'too_short'],
    ['1234567890123', 'too_long'],
    ['12a456', 'not_digits'],
    ['12 3456', 'not_digits'],
    ['１２３４５７', 'not_digits'], // full-width digits are not 0-9
    ['-123456', 'not_digits'],
    ['000000', 'all_same'],
    ['99999999', 'all_same'],
    ['123456', 'sequence'],
    ['654321', 'sequence'],
    ['012345', 'sequence'],
    ['890123', 'sequence'],
    ['210987', 'sequence'],
    ['3456789012', 'sequence'],
  ])('%j breaks %s', (pin, rule) => {
    expect(pinProblem(pin)).toBe(rule);
  });

  it.each(['135790', '482915', '112233', '123457', '121212', '000001', '271828182845'])('%j is allowed', (pin) => {
    expect(pinProblem(pin)).toBeNull();
  });

  it('any 6..12 digits that are neither one repeated digit nor a straight run are allowed', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 12 }), (pin) => {
        const same = new Set(pin).size === 1;
        expect(pinProblem(pin) === null).toBe(!same && !isStraightRun(pin));
      }),
    );
  });

  it('every straight run up or down, from any digit and of any allowed length, is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 6, max: 12 }), fc.boolean(), (start, length, up) => {
        const pin = Array.from({ length }, (_, i) => String((start + (up ? i : -i) + 100) % 10)).join('');
        expect(pinProblem(pin)).toBe('sequence');
      }),
    );
  });

  it('anything with a character other than 0-9 is refused as not_digits, whatever its length', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }).filter((s) => /[^0-9]/.test(s)), (pin) => {
        expect(pinProblem(pin)).toBe('not_digits');
      }),
    );
  });

  it('a run with one digit off is not a straight run', () => {
    expect(isStraightRun('123457')).toBe(false);
    expect(isStraightRun('1')).toBe(false);
    expect(isStraightRun('12')).toBe(true);
  });
});

describe('lockout schedule', () => {
  it('5, 10, 20, 40 … minutes, never more than a day', () => {
    expect([1, 2, 3, 4, 5].map((n) => lockDurationMs(n) / MIN)).toEqual([5, 10, 20, 40, 80]);
    expect(lockDurationMs(9) / MIN).toBe(1280);
    expect(lockDurationMs(10)).toBe(MAX_LOCK_MS);
    expect(lockDurationMs(1_000_000)).toBe(MAX_LOCK_MS);
    expect(() => lockDurationMs(0)).toThrow(RangeError);
    expect(() => lockDurationMs(1.5)).toThrow(RangeError);
  });

  it('each lock is twice the one before until the cap (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
        const a = lockDurationMs(n);
        const b = lockDurationMs(n + 1);
        expect(a).toBeGreaterThanOrEqual(BASE_LOCK_MS);
        expect(b).toBe(Math.min(2 * a, MAX_LOCK_MS));
      }),
    );
  });

  it('the fifth wrong PIN in a row locks; a correct one clears everything', () => {
    let state: LockState = { failedAttempts: 0, lockCount: 0, lockedUntilMs: null };
    const now = 1_000_000;
    for (let i = 1; i < MAX_FAILED_ATTEMPTS; i++) {
      const next = afterAttempt(state, false, now);
      expect(next).toMatchObject({ failedAttempts: i, lockedNow: false, lockedUntilMs: null });
      expect(attemptsLeft(next.failedAttempts)).toBe(MAX_FAILED_ATTEMPTS - i);
      state = next;
    }
    const locked = afterAttempt(state, false, now);
    expect(locked).toEqual({ failedAttempts: 0, lockCount: 1, lockedUntilMs: now + 5 * MIN, lockedNow: true });
    expect(isLocked(locked, now + 5 * MIN - 1)).toBe(true);
    expect(isLocked(locked, now + 5 * MIN)).toBe(false);

    // After the lock, five more wrong ones lock for twice as long.
    let again: LockState = locked;
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) again = afterAttempt(again, false, now + 6 * MIN);
    expect(again).toMatchObject({ lockCount: 2, lockedUntilMs: now + 6 * MIN + 10 * MIN });

    expect(afterAttempt(again, true, now)).toEqual({ failedAttempts: 0, lockCount: 0, lockedUntilMs: null, lockedNow: false });
  });
});

describe('idle expiry', () => {
  it('manager mode ends 60 s after the last command, exactly at the limit', () => {
    expect(MANAGER_IDLE_MS).toBe(60_000);
    const expires = idleExpiry(1000);
    expect(expires).toBe(61_000);
    expect(isExpired(expires, 60_999)).toBe(false);
    expect(isExpired(expires, 61_000)).toBe(true);
    expect(idleExpiry(0, 500)).toBe(500);
  });
});

describe('names', () => {
  it('trimmed, inner spaces collapsed, 1..40 characters, no control characters', () => {
    expect(normalizeName('  Wang   Fang ')).toBe('Wang Fang');
    expect(normalizeName('王芳')).toBe('王芳');
    expect(normalizeName('   ')).toBeNull();
    expect(normalizeName('x'.repeat(41))).toBeNull();
    expect(normalizeName('a\u0000b')).toBeNull();
  });
});
