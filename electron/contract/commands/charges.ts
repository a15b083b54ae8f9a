import { z } from 'zod';
import { Charge, HistoryFilter, TodayTotals } from '../schemas.js';
import { NoInput } from './common.js';

/** The counter: charges waiting for the cashier, the history, today's totals. */
export const chargeCommands = {
  'charges.queue': { input: NoInput, output: z.array(Charge) },
  'charges.history': { input: HistoryFilter.strict(), output: z.array(Charge) },
  'charges.today': { input: NoInput, output: TodayTotals },
  'charges.confirm': {
    input: z.object({ chargeId: z.number().int().positive() }).strict(),
    output: Charge,
  },
} as const;
