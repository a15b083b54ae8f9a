import { z } from 'zod';
import { BatchStatus, CounterSettings, SettlementReport } from '../counterSchemas.js';
import { NoInput } from './common.js';

/** The counter's settings (flag rules, blind re-key) and the settlement gate. */
export const counterCommands = {
  'settings.counter.get': { input: NoInput, output: CounterSettings },
  /** Manager only. Any subset of the settings; the rest stay as they are. */
  'settings.counter.update': {
    input: CounterSettings.partial()
      .strict()
      .refine((patch) => Object.keys(patch).length > 0, 'change at least one setting'),
    output: CounterSettings,
  },
  /** The open batch, its ledger totals and what blocks settling it. */
  'batch.status': { input: NoInput, output: BatchStatus },
  /**
   * Manager only. Refused with `batch.blocked` while any charge is unconfirmed or flagged and
   * unresolved; otherwise sends SE, compares the terminal's totals with the ledger's, and records
   * the settled batch (a settlement_mismatch incident when they differ).
   */
  'batch.settle': { input: NoInput, output: SettlementReport },
} as const;
