/** The incident workflow's state machine (pure): examples, then random step sequences (fast-check). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  INCIDENT_STATUSES,
  PREVENTION_ACTIONS,
  RESOLUTION_TYPES,
  applyStep,
  outstandingMinor,
  stepsFrom,
  type Step,
  type WorkflowState,
  type WorkflowStatus,
} from '../../../electron/domain/incidentWorkflow.js';

/**
 * The graph the issue describes, written out independently of the implementation's table:
 * every successful step must be one of these edges.
 */
const LEGAL: ReadonlyArray<readonly [WorkflowStatus, Step['action'], WorkflowStatus]> = [
  ['open', 'start_verification', 'verifying'],
  ['verifying', 'contact_customer', 'contacting_customer'],
  ['verifying', 'propose_resolution', 'resolution_proposed'],
  ['contacting_customer', 'propose_resolution', 'resolution_proposed'],
  ['rejected', 'propose_resolution', 'resolution_proposed'],
  ['resolution_proposed', 'submit_for_review', 'manager_review'],
  ['manager_review', 'approve', 'approved'],
  ['manager_review', 'reject', 'rejected'],
  ['approved', 'execute', 'executed'],
  ['contacting_customer', 'mark_unreachable', 'held_in_suspense'],
  ['approved', 'mark_unreachable', 'held_in_suspense'],
  ['held_in_suspense', 'pay_out', 'held_in_suspense'],
  ['held_in_suspense', 'pay_out', 'executed'],
  ['executed', 'notify_customer', 'customer_notified'],
  ['customer_notified', 'close', 'closed'],
  ['rejected', 'close', 'closed'],
  ['executed', 'close', 'closed'], // only without a customer (checked below)
  ['closed', 'reopen', 'open'],
  ['rejected', 'reopen', 'open'],
];
const legalKey = (from: string, action: string, to: string) => `${from} -${action}-> ${to}`;
const LEGAL_SET = new Set(LEGAL.map(([f, a, t]) => legalKey(f, a, t)));

function fresh(over: Partial<WorkflowState> = {}): WorkflowState {
  return { status: 'open', owedMinor: 115200, returnedMinor: 0, suspenseMinor: 0, proposal: null, hasCustomer: true, rootCause: null, prevention: null, ...over };
}

function run(state: WorkflowState, steps: Step[]): WorkflowState {
  for (const step of steps) {
    const r = applyStep(state, step);
    if (!r.ok) throw new Error(`${step.action} refused from ${state.status}: ${r.code}`);
    state = r.state;
  }
  return state;
}

describe('the happy path and its branches', () => {
  it('walks from open to closed with the money returned', () => {
    const end = run(fresh(), [
      { action: 'start_verification' },
      { action: 'contact_customer' },
      { action: 'propose_resolution', resolution: 'partial_refund', amountMinor: 115200 },
      { action: 'submit_for_review' },
      { action: 'approve' },
      { action: 'execute', amountMinor: 115200 },
      { action: 'notify_customer' },
      { action: 'close', rootCause: ' extra zero keyed ', prevention: 'training' },
    ]);
    expect(end).toMatchObject({ status: 'closed', returnedMinor: 115200, suspenseMinor: 0, rootCause: 'extra zero keyed', prevention: 'training' });
    expect(outstandingMinor(end)).toBe(0);
  });

  it('customer unreachable: the amount is held in suspense, paid out in parts, then executed', () => {
    let s = run(fresh(), [{ action: 'start_verification' }, { action: 'contact_customer' }, { action: 'mark_unreachable', amountMinor: 115200 }]);
    expect(s).toMatchObject({ status: 'held_in_suspense', suspenseMinor: 115200 });
    expect(outstandingMinor(s)).toBe(0);
    const over = applyStep(s, { action: 'pay_out', amountMinor: 115201 });
    expect(over).toMatchObject({ ok: false, code: 'amount_exceeds_suspense' });
    s = run(s, [{ action: 'pay_out', amountMinor: 15200 }]);
    expect(s).toMatchObject({ status: 'held_in_suspense', suspenseMinor: 100000, returnedMinor: 15200 });
    s = run(s, [{ action: 'pay_out', amountMinor: 100000 }]);
    expect(s).toMatchObject({ status: 'executed', suspenseMinor: 0, returnedMinor: 115200 });
  });

  it('rejected with a reason, then reopened; closing needs a root cause; a customer is notified before closing', () => {
    let s = run(fresh(), [
      { action: 'start_verification' },
      { action: 'propose_resolution', resolution: 'compensation', amountMinor: 500 },
      { action: 'submit_for_review' },
    ]);
    expect(applyStep(s, { action: 'reject', reason: '  ' })).toMatchObject({ ok: false, code: 'reason_required' });
    s = run(s, [{ action: 'reject', reason: 'the charge was right' }]);
    expect(s.status).toBe('rejected');
    expect(applyStep(s, { action: 'close', rootCause: '', prevention: 'none' })).toMatchObject({ ok: false, code: 'root_cause_required' });
    s = run(s, [{ action: 'reopen', reason: 'customer sent the receipt' }]);
    expect(s.status).toBe('open');

    const executed = run(fresh(), [
      { action: 'start_verification' },
      { action: 'propose_resolution', resolution: 'void', amountMinor: 128000 },
      { action: 'submit_for_review' },
      { action: 'approve' },
      { action: 'execute', amountMinor: 128000 },
    ]);
    expect(applyStep(executed, { action: 'close', rootCause: 'x', prevention: 'none' })).toMatchObject({ ok: false, code: 'notify_first' });
    expect(applyStep({ ...executed, hasCustomer: false }, { action: 'close', rootCause: 'x', prevention: 'none' })).toMatchObject({ ok: true });
  });

  it('refuses a step from the wrong status and leaves the state as it was', () => {
    const s = fresh();
    const before = structuredClone(s);
    const r = applyStep(s, { action: 'approve' });
    expect(r).toMatchObject({ ok: false, code: 'not_allowed_from_status', from: 'open', allowedFrom: ['manager_review'] });
    expect(s).toEqual(before);
    expect(applyStep(fresh({ status: 'verifying' }), { action: 'propose_resolution', resolution: 'void', amountMinor: 0 })).toMatchObject({ ok: false, code: 'amount_invalid' });
    expect(applyStep(fresh({ status: 'approved' }), { action: 'execute', amountMinor: 1.5 })).toMatchObject({ ok: false, code: 'amount_invalid' });
  });

  it('lists the steps open from each status', () => {
    expect(stepsFrom('open')).toEqual(['start_verification']);
    expect(stepsFrom('manager_review')).toEqual(['approve', 'reject']);
    expect(stepsFrom('executed')).toEqual(['notify_customer']);
    expect(stepsFrom('executed', false)).toEqual(['notify_customer', 'close']);
    expect(stepsFrom('closed')).toEqual(['reopen']);
    expect(new Set(INCIDENT_STATUSES.flatMap((s) => stepsFrom(s))).size).toBe(12);
  });
});

const amount = fc.oneof(fc.integer({ min: -5, max: 300_000 }), fc.constant(0), fc.constant(1.5), fc.constant(Number.MAX_SAFE_INTEGER));
const text = fc.oneof(fc.constant(''), fc.constant('  '), fc.string({ minLength: 1, maxLength: 20 }));
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ action: 'start_verification' }),
  fc.constant<Step>({ action: 'contact_customer' }),
  fc.record({ action: fc.constant('propose_resolution' as const), resolution: fc.constantFrom(...RESOLUTION_TYPES), amountMinor: amount }),
  fc.constant<Step>({ action: 'submit_for_review' }),
  fc.constant<Step>({ action: 'approve' }),
  fc.record({ action: fc.constant('reject' as const), reason: text }),
  fc.record({ action: fc.constant('execute' as const), amountMinor: amount }),
  fc.record({ action: fc.constant('mark_unreachable' as const), amountMinor: amount }),
  fc.record({ action: fc.constant('pay_out' as const), amountMinor: amount }),
  fc.constant<Step>({ action: 'notify_customer' }),
  fc.record({ action: fc.constant('close' as const), rootCause: text, prevention: fc.constantFrom(...PREVENTION_ACTIONS) }),
  fc.record({ action: fc.constant('reopen' as const), reason: text }),
);

describe('random step sequences (fast-check)', () => {
  it('never take an illegal transition; suspense accounting is never negative and balances', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 500_000 }), fc.array(stepArb, { maxLength: 60 }), (withCustomer, owed, steps) => {
        let state = fresh({ hasCustomer: withCustomer, owedMinor: owed });
        let heldIn = 0; // put in suspense
        let paidOut = 0; // paid out of suspense
        let executedSum = 0; // returned by execute
        for (const step of steps) {
          const before = state;
          const r = applyStep(state, step);
          if (!r.ok) {
            // A refusal changes nothing and says where the step could have started.
            expect(r.from).toBe(before.status);
            expect(r.allowedFrom.length).toBeGreaterThan(0);
            continue;
          }
          expect(LEGAL_SET.has(legalKey(r.from, step.action, r.to)), legalKey(r.from, step.action, r.to)).toBe(true);
          if (r.from === 'executed' && r.to === 'closed') expect(withCustomer).toBe(false);
          state = r.state;
          if (step.action === 'mark_unreachable') heldIn += step.amountMinor;
          if (step.action === 'pay_out') paidOut += step.amountMinor;
          if (step.action === 'execute') executedSum += step.amountMinor;
          // Amounts are whole minor units, never negative.
          for (const v of [state.suspenseMinor, state.returnedMinor]) {
            expect(Number.isSafeInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
          // Money is held exactly while the incident is held in suspense.
          expect(state.suspenseMinor > 0).toBe(state.status === 'held_in_suspense');
          // Returned only grows; what is held is what was put in minus what was paid out of the current hold.
          expect(state.returnedMinor).toBeGreaterThanOrEqual(before.returnedMinor);
          expect(state.returnedMinor).toBe(executedSum + paidOut);
          expect(heldIn - paidOut).toBeGreaterThanOrEqual(state.suspenseMinor);
          expect(outstandingMinor(state)).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('every status is reachable from open, and closed is reachable from every status', () => {
    const edges = LEGAL.filter(([, , to]) => to !== undefined);
    const reach = (from: WorkflowStatus) => {
      const seen = new Set<WorkflowStatus>([from]);
      const queue = [from];
      while (queue.length) {
        const s = queue.shift()!;
        for (const [f, , t] of edges) if (f === s && !seen.has(t)) (seen.add(t), queue.push(t));
      }
      return seen;
    };
    expect([...reach('open')].sort()).toEqual([...INCIDENT_STATUSES].sort());
    for (const s of INCIDENT_STATUSES) expect(reach(s).has('closed'), s).toBe(true);
  });
});
