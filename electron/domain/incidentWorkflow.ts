/**
 * The incident workflow as a pure state machine: from a wrong swipe to the money back.
 *
 *   open → verifying → contacting_customer → resolution_proposed → manager_review
 *        → approved | rejected (reason)
 *   approved → executed (linked void/refund, or a recorded off-terminal transfer)
 *   executed → customer_notified → closed
 *   contacting_customer | approved → held_in_suspense ("customer unreachable": the amount owed is
 *        put aside and shown until it is paid out) → pay_out (in one or more parts) → executed
 *   rejected → resolution_proposed (a new proposal) | closed | open (reopen)
 *   closed → open (reopen, audited)
 *
 * Shortcuts that real cases need: verifying → resolution_proposed (the customer is still at the
 * counter, or there is no customer to contact), and executed → closed only when the incident has
 * no customer (a settlement mismatch).
 *
 * Money is integer minor units. `returnedMinor` only grows; `suspenseMinor` is what is held for a
 * customer who could not be reached, never negative, and positive exactly while the incident is
 * held in suspense. No I/O here: the ledger applies the result in one transaction with its audit row.
 */

export const INCIDENT_STATUSES = [
  'open',
  'verifying',
  'contacting_customer',
  'resolution_proposed',
  'manager_review',
  'approved',
  'rejected',
  'executed',
  'held_in_suspense',
  'customer_notified',
  'closed',
] as const;
export type WorkflowStatus = (typeof INCIDENT_STATUSES)[number];

export const RESOLUTION_TYPES = ['void', 'refund', 'partial_refund', 'recharge', 'compensation'] as const;
export type ResolutionType = (typeof RESOLUTION_TYPES)[number];

export const PREVENTION_ACTIONS = ['training', 'maintenance', 'settings_change', 'none', 'other'] as const;
export type PreventionAction = (typeof PREVENTION_ACTIONS)[number];

export const STEP_ACTIONS = [
  'start_verification',
  'contact_customer',
  'propose_resolution',
  'submit_for_review',
  'approve',
  'reject',
  'execute',
  'mark_unreachable',
  'pay_out',
  'notify_customer',
  'close',
  'reopen',
] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

/** Who may take a step: anyone at the till, or a signed-in manager (or the owner). */
export type StepRole = 'any' | 'manager';

export const STEP_ROLES: Record<StepAction, StepRole> = {
  start_verification: 'any',
  contact_customer: 'any',
  propose_resolution: 'any',
  submit_for_review: 'any',
  approve: 'manager',
  reject: 'manager',
  execute: 'manager',
  mark_unreachable: 'manager',
  pay_out: 'manager',
  notify_customer: 'any',
  close: 'manager',
  reopen: 'manager',
};

/** Where each step may start. */
const FROM: Record<StepAction, readonly WorkflowStatus[]> = {
  start_verification: ['open'],
  contact_customer: ['verifying'],
  propose_resolution: ['verifying', 'contacting_customer', 'rejected'],
  submit_for_review: ['resolution_proposed'],
  approve: ['manager_review'],
  reject: ['manager_review'],
  execute: ['approved'],
  mark_unreachable: ['contacting_customer', 'approved'],
  pay_out: ['held_in_suspense'],
  notify_customer: ['executed'],
  close: ['customer_notified', 'rejected', 'executed'],
  reopen: ['closed', 'rejected'],
};

/** The largest amount anything may carry (12 digits on the wire). */
export const MAX_WORKFLOW_MINOR = 999_999_999_999;

export interface WorkflowState {
  status: WorkflowStatus;
  /** What the customer should get back (charged − intended, the whole charge for a duplicate). */
  owedMinor: number;
  /** Given back so far (executed voids/refunds/transfers and suspense pay-outs). */
  returnedMinor: number;
  /** Held for a customer who could not be reached. */
  suspenseMinor: number;
  /** The resolution on the table (set by propose, kept through review and execution). */
  proposal: { type: ResolutionType; amountMinor: number } | null;
  /** Whether there is a customer to contact and notify (false for a settlement mismatch). */
  hasCustomer: boolean;
  /** Set at close: why it happened and what prevents it next time. */
  rootCause: string | null;
  prevention: PreventionAction | null;
}

export type Step =
  | { action: 'start_verification' }
  | { action: 'contact_customer' }
  | { action: 'propose_resolution'; resolution: ResolutionType; amountMinor: number }
  | { action: 'submit_for_review' }
  | { action: 'approve' }
  | { action: 'reject'; reason: string }
  | { action: 'execute'; amountMinor: number }
  | { action: 'mark_unreachable'; amountMinor: number }
  | { action: 'pay_out'; amountMinor: number }
  | { action: 'notify_customer' }
  | { action: 'close'; rootCause: string; prevention: PreventionAction }
  | { action: 'reopen'; reason: string };

export type StepRefusal =
  | 'not_allowed_from_status'
  | 'amount_invalid'
  | 'amount_exceeds_suspense'
  | 'reason_required'
  | 'root_cause_required'
  | 'notify_first';

export type StepResult =
  | { ok: true; state: WorkflowState; from: WorkflowStatus; to: WorkflowStatus }
  | { ok: false; code: StepRefusal; from: WorkflowStatus; allowedFrom: readonly WorkflowStatus[] };

export function isWorkflowStatus(value: unknown): value is WorkflowStatus {
  return typeof value === 'string' && (INCIDENT_STATUSES as readonly string[]).includes(value);
}

function validAmount(minor: number, min: number): boolean {
  return Number.isSafeInteger(minor) && minor >= min && minor <= MAX_WORKFLOW_MINOR;
}

/** The steps that may start from `status` (role aside). */
export function stepsFrom(status: WorkflowStatus, hasCustomer = true): StepAction[] {
  return STEP_ACTIONS.filter((a) => FROM[a].includes(status) && !(a === 'close' && status === 'executed' && hasCustomer));
}

/** Where a step may start from. */
export function allowedFrom(action: StepAction): readonly WorkflowStatus[] {
  return FROM[action];
}

/** Still owed and neither given back nor held: what is at risk. Nothing once closed. */
export function outstandingMinor(state: Pick<WorkflowState, 'status' | 'owedMinor' | 'returnedMinor' | 'suspenseMinor'>): number {
  if (state.status === 'closed') return 0;
  return Math.max(0, state.owedMinor - state.returnedMinor - state.suspenseMinor);
}

/** Whether the incident no longer holds up the till (its batch may settle): money dealt with, or closed. */
export function isResolvedStatus(status: WorkflowStatus): boolean {
  return status === 'executed' || status === 'held_in_suspense' || status === 'customer_notified' || status === 'closed';
}

/**
 * Applies one step. Never throws for a refused step: the refusal says why, and the state is
 * untouched (a new object is returned only on success).
 */
export function applyStep(state: WorkflowState, step: Step): StepResult {
  const from = state.status;
  const allowed = FROM[step.action];
  const refuse = (code: StepRefusal): StepResult => ({ ok: false, code, from, allowedFrom: allowed });
  if (!allowed.includes(from)) return refuse('not_allowed_from_status');
  const next = (to: WorkflowStatus, patch: Partial<WorkflowState> = {}): StepResult => ({
    ok: true,
    from,
    to,
    state: { ...state, ...patch, status: to },
  });

  switch (step.action) {
    case 'start_verification':
      return next('verifying');
    case 'contact_customer':
      return next('contacting_customer');
    case 'propose_resolution':
      if (!validAmount(step.amountMinor, 1)) return refuse('amount_invalid');
      return next('resolution_proposed', { proposal: { type: step.resolution, amountMinor: step.amountMinor } });
    case 'submit_for_review':
      return next('manager_review');
    case 'approve':
      return next('approved');
    case 'reject':
      if (step.reason.trim() === '') return refuse('reason_required');
      return next('rejected');
    case 'execute':
      if (!validAmount(step.amountMinor, 1) || state.returnedMinor + step.amountMinor > MAX_WORKFLOW_MINOR) return refuse('amount_invalid');
      return next('executed', { returnedMinor: state.returnedMinor + step.amountMinor });
    case 'mark_unreachable':
      if (!validAmount(step.amountMinor, 1)) return refuse('amount_invalid');
      return next('held_in_suspense', { suspenseMinor: step.amountMinor });
    case 'pay_out': {
      if (!validAmount(step.amountMinor, 1) || state.returnedMinor + step.amountMinor > MAX_WORKFLOW_MINOR) return refuse('amount_invalid');
      if (step.amountMinor > state.suspenseMinor) return refuse('amount_exceeds_suspense');
      const suspenseMinor = state.suspenseMinor - step.amountMinor;
      return next(suspenseMinor === 0 ? 'executed' : 'held_in_suspense', {
        suspenseMinor,
        returnedMinor: state.returnedMinor + step.amountMinor,
      });
    }
    case 'notify_customer':
      return next('customer_notified');
    case 'close':
      if (from === 'executed' && state.hasCustomer) return refuse('notify_first');
      if (step.rootCause.trim() === '') return refuse('root_cause_required');
      return next('closed', { rootCause: step.rootCause.trim(), prevention: step.prevention });
    case 'reopen':
      if (step.reason.trim() === '') return refuse('reason_required');
      return next('open');
  }
}
