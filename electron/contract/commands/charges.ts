import { z } from 'zod';
import { Charge, HistoryFilter, MinorUnits, TodayTotals } from '../schemas.js';
import { FlagCause, Incident } from '../counterSchemas.js';
import { NoInput } from './common.js';

const ChargeId = z.number().int().positive();

/** The counter: charges waiting for the cashier, the history, today's totals. */
export const chargeCommands = {
  /** The oldest waiting charges (at most 500), or those after `afterId` (the next page). */
  'charges.queue': { input: z.object({ afterId: z.number().int().nonnegative().optional() }).strict(), output: z.array(Charge) },
  /** The ids of every waiting charge, oldest first: the counter's count and position in a long queue. */
  'charges.pendingIds': { input: NoInput, output: z.array(ChargeId) },
  'charges.history': { input: HistoryFilter.strict(), output: z.array(Charge) },
  'charges.today': { input: NoInput, output: TodayTotals },
  'charges.confirm': {
    input: z
      .object({
        chargeId: ChargeId,
        /** Blind re-key: the till's total the cashier typed; must equal the charge's amount. */
        rekeyedMinor: MinorUnits.optional(),
      })
      .strict(),
    output: Charge,
  },
  /**
   * Blind re-key: compares the till's total the cashier typed with the charged amount. A mismatch
   * flags the charge (rekey_mismatch, plus digit_slip when it is one) and it can no longer be
   * confirmed by the cashier: it must be flagged, or a manager must decide.
   */
  'charges.rekey': {
    input: z.object({ chargeId: ChargeId, rekeyedMinor: MinorUnits }).strict(),
    output: z.object({ match: z.boolean(), charge: Charge }),
  },
  /** The cashier flags a charge: it leaves the queue and an incident opens (one transaction). */
  'charges.flag': {
    input: z
      .object({
        chargeId: ChargeId,
        /** What the customer should have paid (0 for a duplicate swipe). */
        intendedMinor: MinorUnits,
        cause: FlagCause,
        note: z.string().max(500).optional(),
      })
      .strict(),
    output: z.object({ charge: Charge, incident: Incident }),
  },
} as const;
