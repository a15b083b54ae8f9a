/**
 * Four-eyes on a resolution: whoever proposed giving money back does not also decide on it.
 *
 * A manager review (approve or reject) by the person who made the proposal is refused. The one
 * exception is a shop where that person is the only active manager/owner account (nobody else could
 * ever approve): there the owner may allow self-approval in a setting, and it only applies while the
 * shop still has a single approver — as soon as a second manager exists, four-eyes is back on its
 * own. Actors are audit names (`role:name`, core/auth/authorizer.ts actorName); account names are
 * unique regardless of case, and a person keeps their name when their role changes, so the name
 * identifies the person. The anonymous counter ('cashier') is nobody in particular and never matches.
 */

/** The person an audit actor stands for (lower-cased account name), or null for the anonymous counter. */
export function personOf(actor: string | null | undefined): string | null {
  if (!actor) return null;
  const colon = actor.indexOf(':');
  if (colon < 0) return null;
  const role = actor.slice(0, colon);
  if (role !== 'manager' && role !== 'owner') return null;
  const name = actor.slice(colon + 1).trim();
  return name === '' ? null : name.toLowerCase();
}

export interface ReviewCheck {
  /** Who proposed the resolution under review (its latest proposal). */
  proposer: string | null;
  /** Who approves or rejects it now. */
  reviewer: string;
  /** Active manager and owner accounts: the people who could review. */
  approvers: number;
  /** The owner's setting (it only counts while `approvers` is 1). */
  selfApprovalAllowed: boolean;
}

export type ReviewDecision =
  | { ok: true; selfApproved: boolean }
  /** `same_approver`: someone else can review; `same_approver_only_one`: nobody else can, and self-approval is off. */
  | { ok: false; code: 'same_approver' | 'same_approver_only_one' };

export function checkReviewer(c: ReviewCheck): ReviewDecision {
  const proposer = personOf(c.proposer);
  if (proposer === null || proposer !== personOf(c.reviewer)) return { ok: true, selfApproved: false };
  if (c.approvers > 1) return { ok: false, code: 'same_approver' };
  return c.selfApprovalAllowed ? { ok: true, selfApproved: true } : { ok: false, code: 'same_approver_only_one' };
}

/** Whether the owner may turn self-approval on: only in a shop with a single approver. */
export function selfApprovalMayBeAllowed(approvers: number): boolean {
  return approvers <= 1;
}
