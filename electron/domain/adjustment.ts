/**
 * Void or refund: which one a charge allows, and how much. Pure; amounts in integer minor units.
 * A void (撤销) cancels a charge of the open batch in full; a refund (退货) returns money of a
 * settled charge, in one or more parts, never beyond what remains.
 */

export type AdjustmentMode = 'void' | 'refund';

export interface ChargeForAdjustment {
  amountMinor: number;
  status: string;
  /** Whether the charge's batch has been settled with the terminal. */
  settled: boolean;
}

export interface PriorAdjustments {
  /** Minor units already refunded (terminal approved). */
  refundedMinor: number;
  /** Minor units in refunds sent but not yet answered (they may still be executed). */
  inFlightRefundMinor: number;
  /** A void approved, or a void sent and not yet answered. */
  voided: boolean;
  voidInFlight: boolean;
}

export type AdjustmentPlan =
  | { ok: true; mode: AdjustmentMode; why: AdjustmentWhy; remainingMinor: number; maxMinor: number; minMinor: number }
  | { ok: false; code: AdjustmentRefusal; remainingMinor: number };

export type AdjustmentWhy = 'open_batch' | 'settled';
export type AdjustmentRefusal = 'already_voided' | 'void_in_flight' | 'fully_refunded' | 'refund_in_flight_covers_rest' | 'not_adjustable';

export function planAdjustment(charge: ChargeForAdjustment, prior: PriorAdjustments): AdjustmentPlan {
  const remainingMinor = Math.max(0, charge.amountMinor - prior.refundedMinor - prior.inFlightRefundMinor);
  if (prior.voided) return { ok: false, code: 'already_voided', remainingMinor: 0 };
  if (prior.voidInFlight) return { ok: false, code: 'void_in_flight', remainingMinor };
  if (charge.status === 'voided') return { ok: false, code: 'already_voided', remainingMinor: 0 };
  if (!charge.settled) {
    return { ok: true, mode: 'void', why: 'open_batch', remainingMinor: charge.amountMinor, maxMinor: charge.amountMinor, minMinor: charge.amountMinor };
  }
  if (charge.amountMinor - prior.refundedMinor <= 0) return { ok: false, code: 'fully_refunded', remainingMinor: 0 };
  if (remainingMinor <= 0) return { ok: false, code: 'refund_in_flight_covers_rest', remainingMinor: 0 };
  return { ok: true, mode: 'refund', why: 'settled', remainingMinor, maxMinor: remainingMinor, minMinor: 1 };
}

export type AmountCheck = { ok: true } | { ok: false; code: 'void_must_be_full' | 'refund_beyond_remaining' | 'amount_not_positive' };

export function checkAdjustmentAmount(plan: Extract<AdjustmentPlan, { ok: true }>, amountMinor: number): AmountCheck {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) return { ok: false, code: 'amount_not_positive' };
  if (plan.mode === 'void' && amountMinor !== plan.maxMinor) return { ok: false, code: 'void_must_be_full' };
  if (plan.mode === 'refund' && amountMinor > plan.maxMinor) return { ok: false, code: 'refund_beyond_remaining' };
  return { ok: true };
}

/** The charge's status once the terminal's answers are in. */
export function statusAfter(amountMinor: number, refundedMinor: number, voided: boolean, current: string): string {
  if (voided) return 'voided';
  if (refundedMinor >= amountMinor) return 'refunded';
  if (refundedMinor > 0) return 'partially_refunded';
  return current;
}

/** The terminal's response codes in words a manager understands (the i18n key suffix). */
export const RESPONSE_CODE_MEANINGS: Record<string, string> = {
  '00': 'approved',
  '12': 'invalid_transaction',
  '13': 'invalid_amount',
  '25': 'original_not_found',
  '51': 'insufficient_funds',
  '61': 'exceeds_limit',
  '94': 'duplicate_transmission',
  '96': 'system_malfunction',
  '98': 'issuer_timeout',
};

export function responseCodeMeaning(rc: string): string {
  return RESPONSE_CODE_MEANINGS[rc] ?? 'unknown_code';
}
