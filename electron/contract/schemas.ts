import { z } from 'zod';

/** Integer minor units (fen, cents). Never a float. 12 wire digits fit in a safe integer. */
export const MinorUnits = z.number().int().nonnegative().max(999_999_999_999);

export const ChargeStatus = z.enum(['pending', 'confirmed', 'flagged', 'voided', 'refunded', 'partially_refunded']);
export type ChargeStatus = z.infer<typeof ChargeStatus>;

export const FlagKind = z.enum(['possible_duplicate', 'digit_slip', 'unusual_amount', 'rekey_mismatch']);
export type FlagKind = z.infer<typeof FlagKind>;

export const ChargeFlag = z.object({
  kind: FlagKind,
  /** Parameters for the i18n explanation, e.g. the other charge's trace or the multiplier. */
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type ChargeFlag = z.infer<typeof ChargeFlag>;

export const EntryMode = z.enum(['S', 'C', 'T', 'M', 'F']);

export const Charge = z.object({
  id: z.number().int().positive(),
  terminalId: z.string(),
  merchantId: z.string(),
  batch: z.string(),
  trace: z.string(),
  rrn: z.string(),
  authCode: z.string(),
  amountMinor: MinorUnits,
  /** ISO 4217 numeric code from the terminal's CU field, e.g. "156". */
  currency: z.string().regex(/^\d{3}$/),
  panMasked: z.string(),
  entryMode: EntryMode,
  brand: z.string().nullable(),
  /** Terminal local time as on the wire: YYYYMMDDhhmmss. */
  terminalTime: z.string().regex(/^\d{14}$/),
  /** When the host stored it, ISO 8601 UTC. */
  receivedAt: z.string(),
  status: ChargeStatus,
  flags: z.array(ChargeFlag),
  confirmedBy: z.string().nullable(),
  confirmedAt: z.string().nullable(),
});
export type Charge = z.infer<typeof Charge>;

export const LinkState = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connected'), backend: z.enum(['node-hid', 'simulator']), device: z.string() }),
  z.object({ kind: z.literal('searching'), backend: z.enum(['node-hid', 'simulator']) }),
  z.object({
    kind: z.literal('reconnecting'),
    backend: z.enum(['node-hid', 'simulator']),
    attempt: z.number().int(),
    nextRetryMs: z.number(),
    reason: z.string(),
  }),
  z.object({ kind: z.literal('unavailable'), backend: z.literal('node-hid'), reason: z.string() }),
  z.object({ kind: z.literal('stopped') }),
]);
export type LinkState = z.infer<typeof LinkState>;

/** The ledger file's health: its integrity check, a restore at start, backups, a full disk. */
export const LedgerHealth = z.object({
  /** 'full': checked in full at start; 'running': the full check runs in the background; then 'ok', 'damaged' or 'failed' (could not run). */
  check: z.enum(['full', 'running', 'ok', 'damaged', 'failed']),
  /** Set when the ledger file was damaged at start and put aside: what was restored, and from when. */
  recovery: z
    .object({
      at: z.string(),
      /** The damaged file as set aside (kept, never deleted). */
      setAside: z.string().nullable(),
      /** The backup restored; null when none verified and a new, empty ledger was started. */
      backupFile: z.string().nullable(),
      /** ISO 8601 UTC: anything recorded after this may be missing. */
      backupTakenAt: z.string().nullable(),
    })
    .nullable(),
  /** ISO 8601 UTC of the newest backup, null if none. */
  lastBackupAt: z.string().nullable(),
  /** The last write failed for lack of disk space (cleared by the next write that succeeds). */
  diskFull: z.boolean(),
});
export type LedgerHealth = z.infer<typeof LedgerHealth>;

export const AppStatus = z.object({
  version: z.string(),
  dataDir: z.string(),
  link: LinkState,
  /** Whether the simulated terminal is the active source of charges. */
  simulator: z.boolean(),
  /** Why node-hid is not in use, when it is not (e.g. libusb missing). */
  nodeHidProblem: z.string().nullable(),
  operator: z.string(),
  auditHead: z.object({ seq: z.number().int(), hash: z.string() }).nullable(),
  /** The ledger file's health (absent from cores that do not track it, e.g. in tests). */
  ledger: LedgerHealth.optional(),
});
export type AppStatus = z.infer<typeof AppStatus>;

export const HistoryFilter = z.object({
  status: ChargeStatus.optional(),
  flagged: z.boolean().optional(),
  last4: z.string().regex(/^\d{1,4}$/).optional(),
  fromDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  toDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  minAmountMinor: MinorUnits.optional(),
  maxAmountMinor: MinorUnits.optional(),
  /** Keyset pagination: return charges with id below this. */
  beforeId: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type HistoryFilter = z.input<typeof HistoryFilter>;

export const TodayTotals = z.object({
  date: z.string(),
  charges: z.object({ count: z.number().int(), amountMinor: MinorUnits }),
  pending: z.object({ count: z.number().int(), amountMinor: MinorUnits }),
  confirmed: z.object({ count: z.number().int(), amountMinor: MinorUnits }),
  flagged: z.object({ count: z.number().int(), amountMinor: MinorUnits }),
  voided: z.object({ count: z.number().int(), amountMinor: MinorUnits }),
  /** Refunded in full or in part (the charges' own amounts). */
  refunded: z.object({ count: z.number().int(), amountMinor: MinorUnits }),
  currency: z.string().nullable(),
});
export type TodayTotals = z.infer<typeof TodayTotals>;

export const AuditVerification = z.union([
  z.object({ ok: z.literal(true), rows: z.number().int(), head: z.string().nullable() }),
  z.object({ ok: z.literal(false), rows: z.number().int(), badSeq: z.number().int(), reason: z.string() }),
]);
export type AuditVerification = z.infer<typeof AuditVerification>;
