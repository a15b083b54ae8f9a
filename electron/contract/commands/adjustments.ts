import { z } from 'zod';
import { Charge, MinorUnits } from '../schemas.js';
import { NoInput } from './common.js';
import { PrintOutcome } from './printing.js';

export const AdjustmentReason = z.enum(['wrong_amount', 'duplicate', 'customer_request', 'suspected_fraud', 'other']);
export const AdjustmentMode = z.enum(['void', 'refund']);

export const Adjustment = z.object({
  id: z.number().int().positive(),
  chargeId: z.number().int().positive(),
  kind: AdjustmentMode,
  amountMinor: MinorUnits,
  currency: z.string(),
  reason: AdjustmentReason,
  note: z.string(),
  incidentId: z.number().int().nullable(),
  requestSeq: z.string(),
  state: z.enum(['sent', 'approved', 'declined', 'unknown']),
  rc: z.string().nullable(),
  trace: z.string().nullable(),
  rrn: z.string().nullable(),
  authCode: z.string().nullable(),
  terminalTime: z.string().nullable(),
  requestedBy: z.string(),
  requestedAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type AdjustmentView = z.infer<typeof Adjustment>;

/** The charge's incident, as the void/refund screen shows it. */
export const AdjustmentIncident = z.object({
  id: z.number().int().positive(),
  /** IncidentKind (the incident workflow may add kinds and statuses; the screen names unknown ones generally). */
  kind: z.string(),
  status: z.string(),
  /** What the customer should have paid (null when not a charge incident). */
  intendedMinor: MinorUnits.nullable(),
  chargedMinor: MinorUnits.nullable(),
  /** The correct-amount charge (补刷) once linked; for a duplicate, the other swipe. */
  relatedChargeId: z.number().int().positive().nullable(),
});
export type AdjustmentIncident = z.infer<typeof AdjustmentIncident>;

/** "Charge the correct amount" (补刷): the manager's request and, once it arrived, the linked charge. */
export const Recharge = z.object({
  id: z.number().int().positive(),
  incidentId: z.number().int().positive(),
  voidedChargeId: z.number().int().positive(),
  amountMinor: MinorUnits,
  currency: z.string(),
  panMasked: z.string().nullable(),
  state: z.enum(['waiting', 'linked', 'replaced']),
  chargeId: z.number().int().positive().nullable(),
  trace: z.string().nullable(),
  expectedBy: z.string(),
  expectedAt: z.string(),
  linkedAt: z.string().nullable(),
});
export type RechargeView = z.infer<typeof Recharge>;

export const AdjustmentPreview = z.object({
  charge: Charge,
  /** What the manager can do now, and why; null with `refusal` when nothing can be done. */
  mode: AdjustmentMode.nullable(),
  why: z.enum(['open_batch', 'settled']).nullable(),
  refusal: z.string().nullable(),
  refundedMinor: MinorUnits,
  remainingMinor: MinorUnits,
  minMinor: MinorUnits,
  maxMinor: MinorUnits,
  adjustments: z.array(Adjustment),
  incidentId: z.number().int().nullable(),
  incident: AdjustmentIncident.nullable(),
  /** The correct-amount request on this charge's incident (waiting or linked), if any. */
  recharge: Recharge.nullable(),
  /** This charge is itself the correct-amount charge of an incident. */
  rechargeOf: Recharge.nullable(),
});
export type AdjustmentPreview = z.infer<typeof AdjustmentPreview>;

export const AdjustmentOutcome = z.object({
  adjustment: Adjustment,
  charge: Charge,
  /** The terminal's answer in words (i18n key suffix): approved, invalid_amount, original_not_found, unknown… */
  meaning: z.string(),
  /** One outcome per copy (customer, merchant); a printer failure leaves the job queued for reprint. */
  receipts: z.array(PrintOutcome),
});
export type AdjustmentOutcome = z.infer<typeof AdjustmentOutcome>;

/** The manager's void (撤销) and refund (退货). */
export const adjustmentCommands = {
  'adjust.find': {
    input: z.object({ query: z.string().trim().min(4).max(32) }).strict(),
    output: z.array(Charge),
  },
  'adjust.preview': {
    input: z.object({ chargeId: z.number().int().positive() }).strict(),
    output: AdjustmentPreview,
  },
  'adjust.execute': {
    input: z
      .object({
        chargeId: z.number().int().positive(),
        mode: AdjustmentMode,
        amountMinor: MinorUnits.refine((v) => v > 0, 'amount must be positive'),
        reason: AdjustmentReason,
        note: z.string().trim().min(1, 'a note is required').max(500),
      })
      .strict(),
    output: AdjustmentOutcome,
  },
  /**
   * After voiding a wrong amount: the cashier keys the intended amount on the terminal, and the next
   * charge of `amountMinor` (on the same card when known) is linked to the incident.
   */
  'adjust.expectRecharge': {
    input: z
      .object({
        incidentId: z.number().int().positive(),
        amountMinor: MinorUnits.refine((v) => v > 0, 'amount must be positive'),
      })
      .strict(),
    output: Recharge,
  },
  /** The latest correct-amount requests and links (newest first): which charge answers which incident. */
  'adjust.recharges': { input: NoInput, output: z.array(Recharge) },
} as const;

export const adjustmentEvents = {
  /** A void/refund was sent (durable, on its way to the terminal) or answered (directly or through QT). */
  'adjustment.changed': Adjustment,
  /** A correct-amount request was made, or its charge arrived and was linked to the incident. */
  'adjustment.recharge': Recharge,
} as const;
