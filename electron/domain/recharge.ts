/**
 * "Charge the correct amount" (补刷): after a wrong amount was voided, the manager asks the cashier
 * to key the intended amount on the terminal, and the next charge of that amount (on the same card,
 * when the card is known) is linked to the incident. Pure rules; amounts in integer minor units.
 */

/** A correct-amount charge must arrive within this long after the manager asked for it. */
export const RECHARGE_WINDOW_MS = 30 * 60_000;

export interface RechargeExpectation {
  amountMinor: number;
  currency: string;
  /** The card the wrong charge was on; null when unknown (then any card matches). */
  panMasked: string | null;
  /** When the manager asked (ISO 8601). */
  expectedAt: string;
}

export interface ArrivingCharge {
  amountMinor: number;
  currency: string;
  panMasked: string;
  /** When the host stored it (ISO 8601). */
  receivedAt: string;
}

/** Whether `charge` is the correct-amount charge the expectation waits for. */
export function matchesRecharge(expectation: RechargeExpectation, charge: ArrivingCharge): boolean {
  if (charge.amountMinor !== expectation.amountMinor || charge.currency !== expectation.currency) return false;
  if (expectation.panMasked !== null && charge.panMasked !== expectation.panMasked) return false;
  const asked = Date.parse(expectation.expectedAt);
  const arrived = Date.parse(charge.receivedAt);
  if (!Number.isFinite(asked) || !Number.isFinite(arrived)) return false;
  return arrived >= asked && arrived - asked <= RECHARGE_WINDOW_MS;
}

export type RechargeRefusal = 'recharge_no_intended_amount' | 'recharge_wrong_incident' | 'recharge_not_voided' | 'recharge_already_linked';

/**
 * Whether the manager may ask for the correct amount on this incident: a charge incident about the
 * amount (not a duplicate, not a settlement), with an intended amount, whose charge was voided or
 * refunded in full, and not already linked to its correct-amount charge.
 */
export function checkRechargeRequest(incident: {
  kind: string;
  chargeId: number | null;
  intendedMinor: number | null;
  relatedChargeId: number | null;
  chargeStatus: string | null;
}): { ok: true } | { ok: false; code: RechargeRefusal } {
  if (incident.chargeId === null || (incident.kind !== 'wrong_amount' && incident.kind !== 'over_charge')) {
    return { ok: false, code: 'recharge_wrong_incident' };
  }
  if (incident.intendedMinor === null || incident.intendedMinor <= 0) return { ok: false, code: 'recharge_no_intended_amount' };
  if (incident.relatedChargeId !== null) return { ok: false, code: 'recharge_already_linked' };
  if (incident.chargeStatus !== 'voided' && incident.chargeStatus !== 'refunded') return { ok: false, code: 'recharge_not_voided' };
  return { ok: true };
}
