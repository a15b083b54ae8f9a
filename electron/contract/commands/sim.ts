import { z } from 'zod';
import { AppStatus, MinorUnits } from '../schemas.js';
import { MaskedPan } from './printing.js';

/** The simulated terminal: for demos, training and tests. */
export const simCommands = {
  'sim.charge': {
    input: z
      .object({
        amountMinor: MinorUnits.refine((v) => v > 0, 'amount must be positive').optional(),
        /** Masked only: at most first 6 and last 4 digits visible (a full PAN is refused here, never echoed). */
        panMasked: MaskedPan.optional(),
        entryMode: z.enum(['S', 'C', 'T', 'M', 'F']).optional(),
      })
      .strict(),
    output: z.object({ trace: z.string() }),
  },
  'sim.fault': {
    input: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.enum(['corrupt-next-frame', 'lose-next-response', 'unplug', 'replug']) }).strict(),
        z.object({ kind: z.literal('drop-next-ack'), direction: z.enum(['from-host', 'to-host']).optional() }).strict(),
        z.object({ kind: z.literal('delay-next-response'), ms: z.number().int().min(0).max(600_000) }).strict(),
        z.object({ kind: z.literal('split-reports'), maxChunk: z.number().int().min(0).max(63) }).strict(),
        z.object({ kind: z.literal('merge-reports'), on: z.boolean() }).strict(),
        z.object({ kind: z.literal('noise'), count: z.number().int().min(0).max(1000) }).strict(),
        /** The next SE answer reports sale totals off by these deltas (a terminal with wrong totals). */
        z
          .object({
            kind: z.literal('skew-next-settlement'),
            saleCountDelta: z.number().int().min(-9999).max(9999),
            saleAmountDelta: z.number().int().min(-999_999_999_999).max(999_999_999_999),
          })
          .strict(),
      ]),
    output: z.object({ ok: z.literal(true) }),
  },
  /** The simulator's script language, one step a line (charge 128.00, flood 200, split 3, …). */
  'sim.script': {
    input: z.object({ script: z.string().min(1).max(20_000) }).strict(),
    output: z.object({ steps: z.number().int(), charges: z.number().int() }),
  },
  'sim.setEnabled': { input: z.object({ enabled: z.boolean() }).strict(), output: AppStatus },
  /** How many host requests the simulated terminal actually executed, by type (replays not counted). */
  'sim.executed': {
    input: z.object({}).strict(),
    output: z.object({ VD: z.number().int(), RF: z.number().int(), SE: z.number().int(), QT: z.number().int() }),
  },
} as const;
