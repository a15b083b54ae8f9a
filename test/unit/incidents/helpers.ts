/** Incidents made through the real ledger, for the incident tests. */
import { flagChargeWithIncident } from '../../../electron/ledger/incidents.js';
import { applyIncidentStep, type StepData } from '../../../electron/ledger/incidentCases.js';
import type { Ledger } from '../../../electron/ledger/ledger.js';
import type { NewCharge } from '../../../electron/domain/charge.js';
import { newCharge } from '../ledger/helpers.js';

export const MANAGER = 'manager:Li Na';
export const CASHIER = 'cashier';

/** A charge of `amountMinor` flagged by the cashier: the incident it opened. */
export function flagged(ledger: Ledger, amountMinor: number, intendedMinor: number, over: Partial<NewCharge> = {}, cause: 'operator_error' | 'duplicate' | 'other' = 'operator_error') {
  const charge = ledger.recordCharge(newCharge({ amountMinor, ...over }), 'terminal:10293847').charge;
  return flagChargeWithIncident(ledger, { chargeId: charge.id, intendedMinor, cause, note: 'flagged at the counter' }, CASHIER);
}

/** A second manager: reviews (approves/rejects) what MANAGER proposed (four-eyes). */
export const REVIEWER = 'owner:Wang Fang';

/** Applies steps in order (each its own transaction), by the manager; the review by a second person. */
export function walk(ledger: Ledger, id: number, steps: StepData[], actor = MANAGER, reviewer = REVIEWER) {
  let last = null;
  for (const step of steps) last = applyIncidentStep(ledger, id, step, step.action === 'approve' || step.action === 'reject' ? reviewer : actor);
  return last!;
}

export const TO_APPROVED: StepData[] = [
  { action: 'start_verification', note: 'receipt checked' },
  { action: 'contact_customer', contact: { name: '王小明', channel: 'phone', value: '13812345678' } },
  { action: 'propose_resolution', resolution: 'partial_refund', amountMinor: 115200, note: 'refund the extra' },
  { action: 'submit_for_review' },
  { action: 'approve', note: 'ok' },
];
