/** Texts and small rules shared by the account screens (pure, testable without a DOM). */
import type { TFunction } from 'i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import { translateError } from '../../i18n/translate.js';

/** The PIN rules the core names in auth.weak_pin {rule} (electron/domain/pinPolicy.ts). */
export const PIN_RULES = ['too_short', 'too_long', 'not_digits', 'all_same', 'sequence'] as const;

/** Auth error codes the screens explain in their own words. */
export const AUTH_ERROR_CODES = [
  'required',
  'forbidden',
  'wrong_pin',
  'locked',
  'unknown_user',
  'weak_pin',
  'name_taken',
  'invalid_name',
  'already_set_up',
] as const;

/** 0:42, 4:59, 1:20:00 — a countdown that reads the same in every language. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * One sentence for an account error, live where time matters: a lock says how long is left now
 * (`nowMs`), a weak PIN says which rule it broke.
 */
export function describeAuthError(t: TFunction, error: ApiErrorShape, nowMs: number): string {
  const params = error.params ?? {};
  switch (error.code) {
    case 'auth.wrong_pin':
      return t('auth.errors.wrong_pin', { attemptsLeft: params.attemptsLeft ?? '?' });
    case 'auth.locked': {
      const until = Date.parse(params.until ?? '');
      return Number.isFinite(until)
        ? t('auth.signIn.lockedFor', { name: params.name ?? '', time: formatCountdown(until - nowMs) })
        : t('auth.errors.locked', { name: params.name ?? '', minutes: params.minutes ?? '?' });
    }
    case 'auth.weak_pin': {
      const rule = params.rule;
      return (PIN_RULES as readonly string[]).includes(rule ?? '') ? t(`auth.pinRules.${rule}`) : t('auth.errors.weak_pin');
    }
    default:
      return translateError(t, error);
  }
}

/** Role names in the current language. */
export function roleLabel(t: TFunction, role: 'owner' | 'manager' | 'cashier'): string {
  return t(`auth.roles.${role}`);
}
