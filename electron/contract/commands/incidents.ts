/**
 * The incident log (issue #6): the list, one incident with its timeline and the steps that move it
 * on, the dashboard, and the offline export. Money is integer minor units throughout.
 */
import { z } from 'zod';
import { PREVENTION_ACTIONS, RESOLUTION_TYPES, STEP_ACTIONS } from '../../domain/incidentWorkflow.js';
import { FlagCause, IncidentKind, IncidentStatus, SignedMinorUnits } from '../counterSchemas.js';
import { Charge, MinorUnits } from '../schemas.js';
import { NoInput } from './common.js';
import { Adjustment } from './adjustments.js';

export const ResolutionType = z.enum(RESOLUTION_TYPES);
export const PreventionAction = z.enum(PREVENTION_ACTIONS);
export const StepAction = z.enum(STEP_ACTIONS);
export type StepAction = z.infer<typeof StepAction>;
export const ContactChannel = z.enum(['phone', 'email', 'wechat', 'other']);
export const ContactOutcome = z.enum(['reached', 'no_answer', 'left_message', 'wrong_number', 'declined', 'other']);
export const NotifyChannel = z.enum(['phone', 'email', 'wechat', 'in_person', 'letter', 'other']);
export const EVIDENCE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'pdf', 'txt', 'csv', 'json', 'eml'] as const;
export const EvidenceExt = z.enum(EVIDENCE_EXTENSIONS);
export const EVENT_ACTIONS = [
  'opened',
  'migrated',
  ...STEP_ACTIONS,
  'note',
  'contact_attempt',
  'contact_set',
  'facts_updated',
  'evidence_added',
  'charge_linked',
] as const;
export const EventAction = z.enum(EVENT_ACTIONS);
/** The causes on the dashboard: the flag causes, and `unspecified` (a settlement mismatch has none). */
export const DASHBOARD_CAUSES = [...FlagCause.options, 'unspecified'] as const;

const Id = z.number().int().positive();
const Text = (max: number) => z.string().trim().max(max);
const Required = (max: number, what: string) => z.string().trim().min(1, `${what} is required`).max(max);
const Positive = MinorUnits.refine((v) => v > 0, 'the amount must be more than zero');
const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');

/** One line of an incident list: the customer's contact only masked. */
export const IncidentSummary = z.object({
  id: Id,
  kind: IncidentKind,
  status: IncidentStatus,
  cause: FlagCause.nullable(),
  chargeId: Id.nullable(),
  currency: z.string().nullable(),
  chargedMinor: MinorUnits.nullable(),
  intendedMinor: MinorUnits.nullable(),
  differenceMinor: SignedMinorUnits.nullable(),
  /** What the customer should get back. */
  owedMinor: MinorUnits,
  /** Given back so far. */
  returnedMinor: MinorUnits,
  /** Held for a customer who could not be reached. */
  suspenseMinor: MinorUnits,
  /** Owed and neither given back nor held (0 once closed). */
  outstandingMinor: MinorUnits,
  terminalId: z.string().nullable(),
  batch: z.string().nullable(),
  trace: z.string().nullable(),
  rrn: z.string().nullable(),
  panMasked: z.string().nullable(),
  proposal: ResolutionType.nullable(),
  proposalMinor: MinorUnits.nullable(),
  contactMasked: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
});
export type IncidentSummary = z.infer<typeof IncidentSummary>;

export const IncidentEvent = z.object({
  id: Id,
  at: z.string(),
  actor: z.string(),
  action: EventAction,
  fromStatus: z.string().nullable(),
  toStatus: IncidentStatus.nullable(),
  amountMinor: MinorUnits.nullable(),
  note: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
export type IncidentEvent = z.infer<typeof IncidentEvent>;

export const IncidentEvidence = z.object({
  id: Id,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sizeBytes: z.number().int().nonnegative(),
  originalName: z.string(),
  ext: EvidenceExt,
  /** Relative to the data folder: evidence/<incident>/<sha256>.<ext>. */
  storedPath: z.string(),
  note: z.string().nullable(),
  addedBy: z.string(),
  addedAt: z.string(),
});
export type IncidentEvidence = z.infer<typeof IncidentEvidence>;

export const Contact = z.object({ name: z.string().nullable(), channel: ContactChannel, value: z.string() });
export type Contact = z.infer<typeof Contact>;

export const LinkedCharge = z.object({
  role: z.enum(['original', 'duplicate_of', 'recharge', 'related']),
  charge: Charge,
});

export const AvailableStep = z.object({ action: StepAction, managerOnly: z.boolean() });

export const IncidentDetail = IncidentSummary.extend({
  note: z.string().nullable(),
  relatedChargeId: Id.nullable(),
  settlementId: Id.nullable(),
  merchantId: z.string().nullable(),
  authCode: z.string().nullable(),
  /** settlement_mismatch: both sets of figures (as in Incident). */
  details: z.record(z.string(), z.unknown()).nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
  proposalNote: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  /** The full contact for a manager; for anyone else only `contactMasked` is filled. */
  contact: Contact.nullable(),
  rootCause: z.string().nullable(),
  prevention: PreventionAction.nullable(),
  preventionNote: z.string().nullable(),
  reopenedCount: z.number().int().nonnegative(),
  hasCustomer: z.boolean(),
  events: z.array(IncidentEvent),
  evidence: z.array(IncidentEvidence),
  charges: z.array(LinkedCharge),
  /** Voids and refunds that name this incident. */
  adjustments: z.array(Adjustment),
  /** The steps that may be taken now (whoever may take them). */
  steps: z.array(AvailableStep),
});
export type IncidentDetail = z.infer<typeof IncidentDetail>;

export const IncidentListFilter = z
  .object({
    /** One status, or `active` (everything not closed). */
    status: z.union([IncidentStatus, z.literal('active')]).optional(),
    kind: IncidentKind.optional(),
    /** Local dates of creation, both inclusive. */
    fromDate: LocalDate.optional(),
    toDate: LocalDate.optional(),
    /** Bounds on the amount owed to the customer. */
    minAmountMinor: MinorUnits.optional(),
    maxAmountMinor: MinorUnits.optional(),
    beforeId: Id.optional(),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();
export type IncidentListFilter = z.input<typeof IncidentListFilter>;

const ContactInput = z
  .object({
    name: Text(100).optional(),
    channel: ContactChannel,
    value: Required(200, 'a phone number, e-mail or account'),
  })
  .strict();

/** A step's own fields beside the incident id; every step object is strict. */
const step = <A extends string, S extends z.ZodRawShape>(action: A, shape: S) =>
  z.object({ id: Id, action: z.literal(action), ...shape }).strict();

/** What a step carries, by action (the state machine decides whether it may happen). */
export const StepInput = z.discriminatedUnion('action', [
  step('start_verification', { note: Text(1000).optional() }),
  step('contact_customer', { note: Text(1000).optional(), contact: ContactInput.optional() }),
  step('propose_resolution', { resolution: ResolutionType, amountMinor: Positive, note: Required(500, 'a note') }),
  step('submit_for_review', { note: Text(1000).optional() }),
  step('approve', { note: Text(1000).optional() }),
  step('reject', { reason: Required(500, 'a reason') }),
  step('execute', {
    /**
     * terminal: void/refund the incident's charge on the terminal now (the amount approved);
     * adjustment: a void/refund already approved by the terminal; transfer: money sent off the
     * terminal (bank transfer, WeChat…), with its reference.
     */
    method: z.enum(['terminal', 'adjustment', 'transfer']),
    adjustmentId: Id.optional(),
    amountMinor: Positive.optional(),
    reference: Text(100).optional(),
    note: Text(1000).optional(),
  }),
  step('mark_unreachable', { amountMinor: Positive.optional(), note: Required(1000, 'a note') }),
  step('pay_out', {
    method: z.enum(['adjustment', 'transfer', 'cash']),
    adjustmentId: Id.optional(),
    amountMinor: Positive.optional(),
    reference: Text(100).optional(),
    note: Text(1000).optional(),
  }),
  step('notify_customer', { channel: NotifyChannel, note: Text(1000).optional() }),
  step('close', { rootCause: Required(1000, 'the root cause'), prevention: PreventionAction, preventionNote: Text(500).optional() }),
  step('reopen', { reason: Required(500, 'a reason') }),
]);
export type StepInput = z.infer<typeof StepInput>;

export const DashboardMoney = z.object({
  currency: z.string().nullable(),
  atRiskMinor: MinorUnits,
  returnedMinor: MinorUnits,
  suspenseMinor: MinorUnits,
});

export const IncidentDashboard = z.object({
  /** Monday of each week (local date), oldest first, with the incidents opened that week by cause. */
  weeks: z.array(z.object({ weekStart: LocalDate, counts: z.record(z.string(), z.number().int().nonnegative()) })),
  causes: z.array(z.enum(DASHBOARD_CAUSES)),
  /** One row per currency (amounts of different currencies never add up). */
  money: z.array(DashboardMoney),
  byStatus: z.record(z.string(), z.number().int().nonnegative()),
  /** Held in suspense, shown until paid out. */
  suspense: z.array(IncidentSummary),
});
export type IncidentDashboard = z.infer<typeof IncidentDashboard>;

export const ExportFormat = z.enum(['csv', 'json', 'pdf', 'all']);
export const ExportLocale = z.enum(['en', 'zh-CN']);

export const ExportProgress = z.object({
  exportId: z.string(),
  phase: z.enum(['counting', 'writing', 'finishing']),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type ExportProgress = z.infer<typeof ExportProgress>;

export const ExportFinished = z.object({
  exportId: z.string(),
  state: z.enum(['done', 'cancelled', 'failed']),
  folder: z.string().nullable(),
  files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number().int().nonnegative() })),
  incidents: z.number().int().nonnegative(),
  error: z.object({ code: z.string(), message: z.string(), params: z.record(z.string(), z.string()) }).nullable(),
});
export type ExportFinished = z.infer<typeof ExportFinished>;

export const ApprovalPolicy = z.object({
  selfApprovalAllowed: z.boolean(),
  approvers: z.number().int().nonnegative(),
  /** Whether a person may now review their own proposal: the setting, and a single approver. */
  selfApprovalApplies: z.boolean(),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

export const incidentCommands = {
  'incidents.list': {
    input: IncidentListFilter,
    output: z.object({ items: z.array(IncidentSummary), nextBeforeId: Id.nullable() }),
  },
  'incidents.get': { input: z.object({ id: Id }).strict(), output: IncidentDetail },
  /** Manager only. An incident not opened by flagging a charge (a transfer error, …). */
  'incidents.create': {
    input: z
      .object({
        kind: IncidentKind.exclude(['settlement_mismatch']),
        cause: FlagCause,
        chargeId: Id.optional(),
        /** With a charge: what the customer should have paid. */
        intendedMinor: MinorUnits.optional(),
        /** Without a charge: what the customer should get back. */
        owedMinor: MinorUnits.optional(),
        currency: z.string().regex(/^\d{3}$/).optional(),
        note: Required(500, 'a note'),
      })
      .strict(),
    output: IncidentDetail,
  },
  /** One step of the workflow (manager-only steps need a manager signed in). */
  'incidents.step': { input: StepInput, output: IncidentDetail },
  'incidents.note': { input: z.object({ id: Id, text: Required(1000, 'a note') }).strict(), output: IncidentDetail },
  'incidents.contactAttempt': {
    input: z.object({ id: Id, channel: ContactChannel, outcome: ContactOutcome, note: Text(500).optional() }).strict(),
    output: IncidentDetail,
  },
  'incidents.setContact': { input: ContactInput.extend({ id: Id }).strict(), output: IncidentDetail },
  /** Manager only: the cause, root cause and prevention may be set before closing. */
  'incidents.updateFacts': {
    input: z
      .object({
        id: Id,
        cause: FlagCause.optional(),
        rootCause: Text(1000).optional(),
        prevention: PreventionAction.optional(),
        preventionNote: Text(500).optional(),
      })
      .strict(),
    output: IncidentDetail,
  },
  /** A file on this computer (an absolute path) copied into the data folder with its SHA-256. */
  'incidents.addEvidence': {
    input: z.object({ id: Id, path: z.string().min(1).max(4096), note: Text(500).optional() }).strict(),
    output: IncidentDetail,
  },
  'incidents.linkCharge': {
    input: z.object({ id: Id, chargeId: Id, role: z.enum(['recharge', 'related']) }).strict(),
    output: IncidentDetail,
  },
  'incidents.dashboard': { input: z.object({ weeks: z.number().int().min(1).max(26).default(8) }).strict(), output: IncidentDashboard },
  /** Four-eyes on resolutions: how many people can approve, and whether the owner allowed self-approval (single-manager shops only). */
  'incidents.approvalPolicy': { input: NoInput, output: ApprovalPolicy },
  /** Owner only; turning it on is refused while two or more people can approve (incident.self_approval_not_needed). */
  'incidents.setSelfApproval': { input: z.object({ allowed: z.boolean() }).strict(), output: ApprovalPolicy },
  /** The native folder/file chooser of the desktop shell; `supported: false` in the browser host (type a path instead). */
  'files.choose': {
    input: z.object({ kind: z.enum(['folder', 'file']) }).strict(),
    output: z.object({ supported: z.boolean(), path: z.string().nullable() }),
  },
  /** Manager only. Starts the export into a new folder inside `folder`; progress and the end are pushed. */
  'export.start': {
    input: z
      .object({
        from: LocalDate,
        to: LocalDate,
        format: ExportFormat,
        folder: z.string().min(1).max(4096),
        locale: ExportLocale.default('en'),
      })
      .strict(),
    output: z.object({ exportId: z.string() }),
  },
  'export.cancel': { input: z.object({ exportId: z.string().min(1).max(64) }).strict(), output: z.object({ cancelled: z.boolean() }) },
  'export.status': { input: NoInput, output: z.object({ running: ExportProgress.nullable(), last: ExportFinished.nullable() }) },
} as const;

export const incidentEvents = {
  /** An incident was opened or moved on (the list applies it in place). */
  'incident.changed': IncidentSummary,
  'export.progress': ExportProgress,
  'export.finished': ExportFinished,
} as const;
