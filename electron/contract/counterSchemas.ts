/**
 * Shapes of the counter area (issue #4): the counter settings, incidents opened by flagging a
 * charge or by a settlement that does not match, and the batch / settlement gate.
 * Money is integer minor units throughout; a signed difference is an integer too.
 */
import { z } from 'zod';
import { Charge, MinorUnits } from './schemas.js';
import { INCIDENT_STATUSES } from '../domain/incidentWorkflow.js';

/** A signed integer number of minor units (a difference between two amounts). */
export const SignedMinorUnits = z.number().int().min(-999_999_999_999).max(999_999_999_999);

export const CounterSettings = z
  .object({
    /** The cashier types the till's total before the charged amount is shown. */
    blindRekey: z.boolean(),
    /** Same card and amount within this many minutes is a possible duplicate. */
    duplicateWindowMinutes: z.number().int().min(1).max(24 * 60),
    /** A charge above this is unusual; null = no ceiling. */
    ceilingMinor: MinorUnits.refine((v) => v > 0, 'a ceiling is more than zero').nullable(),
    /** A charge at least this many times the median of recent confirmed charges is unusual. */
    medianMultiple: z.number().int().min(2).max(1000),
    /** Confirmed charges needed before the median means anything. */
    minSampleForMedian: z.number().int().min(1).max(200),
  })
  .strict();
export type CounterSettings = z.infer<typeof CounterSettings>;

export const DEFAULT_COUNTER_SETTINGS: CounterSettings = {
  blindRekey: false,
  duplicateWindowMinutes: 10,
  ceilingMinor: null,
  medianMultiple: 5,
  minSampleForMedian: 20,
};

/** Why the cashier flagged a charge. */
export const FlagCause = z.enum(['operator_error', 'system_fault', 'network', 'suspected_fraud', 'duplicate', 'other']);
export type FlagCause = z.infer<typeof FlagCause>;

export const IncidentKind = z.enum(['wrong_amount', 'over_charge', 'duplicate_charge', 'settlement_mismatch', 'transfer_error', 'other']);
export type IncidentKind = z.infer<typeof IncidentKind>;

/** The incident workflow's steps (electron/domain/incidentWorkflow.ts); v3's statuses were migrated by schema v7. */
export const IncidentStatus = z.enum(INCIDENT_STATUSES);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export const Count = z.number().int().nonnegative();

/** Counts and amounts of one category of a batch. */
export const CountAmount = z.object({ count: Count, amountMinor: MinorUnits });
export type CountAmount = z.infer<typeof CountAmount>;

/** A batch's totals the way the terminal reports them in its SE answer (SC/SA, VC/VA, FC/FA). */
export const SettlementTotals = z.object({ sales: CountAmount, voids: CountAmount, refunds: CountAmount });
export type SettlementTotals = z.infer<typeof SettlementTotals>;

export const SettlementCategory = z.enum(['sales', 'voids', 'refunds']);
export type SettlementCategory = z.infer<typeof SettlementCategory>;

export const SettlementDifference = z.object({
  category: SettlementCategory,
  field: z.enum(['count', 'amountMinor']),
  terminal: z.number().int(),
  ledger: z.number().int(),
  /** terminal − ledger */
  difference: z.number().int(),
});
export type SettlementDifference = z.infer<typeof SettlementDifference>;

export const Incident = z.object({
  id: z.number().int().positive(),
  kind: IncidentKind,
  status: IncidentStatus,
  cause: FlagCause.nullable(),
  note: z.string().nullable(),
  chargeId: z.number().int().positive().nullable(),
  /** The other charge of a duplicate, when known. */
  relatedChargeId: z.number().int().positive().nullable(),
  settlementId: z.number().int().positive().nullable(),
  currency: z.string().nullable(),
  chargedMinor: MinorUnits.nullable(),
  intendedMinor: MinorUnits.nullable(),
  /** charged − intended: positive when the customer paid too much. */
  differenceMinor: SignedMinorUnits.nullable(),
  terminalId: z.string().nullable(),
  batch: z.string().nullable(),
  trace: z.string().nullable(),
  rrn: z.string().nullable(),
  authCode: z.string().nullable(),
  panMasked: z.string().nullable(),
  /** settlement_mismatch: both sets of figures and their differences. */
  details: z
    .object({ terminal: SettlementTotals, ledger: SettlementTotals, differences: z.array(SettlementDifference) })
    .nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
  resolutionNote: z.string().nullable(),
});
export type Incident = z.infer<typeof Incident>;

export const Blocker = z.discriminatedUnion('kind', [
  /** Not yet confirmed by the cashier. */
  z.object({ kind: z.literal('unconfirmed'), charge: Charge }),
  /** Flagged, and its incident is not resolved. */
  z.object({ kind: z.literal('flagged'), charge: Charge, incident: Incident.nullable() }),
]);
export type Blocker = z.infer<typeof Blocker>;

export const SettlementReportRow = z.object({
  category: SettlementCategory,
  terminal: CountAmount,
  ledger: CountAmount,
  countDifference: z.number().int(),
  amountDifference: SignedMinorUnits,
  matched: z.boolean(),
});
export type SettlementReportRow = z.infer<typeof SettlementReportRow>;

/** What the settlement report shows (and later prints). Pure data: electron/domain/settlementReport.ts. */
export const SettlementReport = z.object({
  settlementId: z.number().int().positive(),
  batch: z.string(),
  nextBatch: z.string().nullable(),
  terminalId: z.string().nullable(),
  currency: z.string().nullable(),
  settledBy: z.string(),
  settledAt: z.string(),
  requestSeq: z.string(),
  rows: z.array(SettlementReportRow),
  /** Sales − voids − refunds, as the terminal and as the ledger count them. */
  netTerminalMinor: SignedMinorUnits,
  netLedgerMinor: SignedMinorUnits,
  matched: z.boolean(),
  /** The settlement_mismatch incident, when the figures differ. */
  incidentId: z.number().int().positive().nullable(),
});
export type SettlementReport = z.infer<typeof SettlementReport>;

export const BatchStatus = z.object({
  /** The open batch: the batch of the newest charge not yet settled (null: none since the last settlement). */
  batch: z.string().nullable(),
  terminalId: z.string().nullable(),
  currency: z.string().nullable(),
  /** Ledger totals of the open batch, counted the way the terminal counts them. */
  totals: SettlementTotals,
  /** Charges of the open batch by status. */
  confirmed: Count,
  pending: Count,
  flagged: Count,
  /** The oldest charges that block settlement (at most BATCH_BLOCKERS_LISTED); `blockerCount` counts all. */
  blockers: z.array(Blocker),
  blockerCount: Count.optional(),
  /** An SE whose answer was lost: nothing may be settled until the terminal was asked (QT). */
  inDoubtSeq: z.string().nullable(),
  lastSettlement: SettlementReport.nullable(),
});
export type BatchStatus = z.infer<typeof BatchStatus>;
