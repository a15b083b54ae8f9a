/**
 * Which kind of incident a flagged charge opens. Pure.
 *
 * - the cashier says it is a duplicate                 → duplicate_charge
 * - the customer paid more than intended (charged > intended) → over_charge
 * - otherwise (less than intended, or the amount is right but something else is wrong) → wrong_amount
 */
import type { FlagCause, IncidentKind } from '../contract/counterSchemas.js';

export type ChargeIncidentKind = Extract<IncidentKind, 'wrong_amount' | 'over_charge' | 'duplicate_charge'>;

export function incidentKindFor(cause: FlagCause, chargedMinor: number, intendedMinor: number): ChargeIncidentKind {
  if (cause === 'duplicate') return 'duplicate_charge';
  return chargedMinor > intendedMinor ? 'over_charge' : 'wrong_amount';
}
