import { z } from 'zod';
import { Charge, MinorUnits } from '../schemas.js';
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
} as const;

export const adjustmentEvents = {
  'adjustment.changed': Adjustment,
} as const;
