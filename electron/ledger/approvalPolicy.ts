/**
 * Who may review an incident's proposed resolution (domain/fourEyes.ts): the people who could
 * approve (active manager/owner accounts), who made the proposal under review, and the owner's
 * "allow self-approval" setting, kept in the ledger's settings table and changed in one audited
 * transaction that re-checks the shop still has a single approver.
 */
import type Database from 'better-sqlite3';
import { checkReviewer, selfApprovalMayBeAllowed, type ReviewDecision } from '../domain/fourEyes.js';
import { checkActor } from './auditStore.js';
import { LedgerError } from './errors.js';
import type { Ledger } from './ledger.js';

export const SELF_APPROVAL_KEY = 'incidents.self_approval';

export interface ApprovalPolicy {
  /** The owner's setting as stored. */
  selfApprovalAllowed: boolean;
  /** Active manager and owner accounts. */
  approvers: number;
  /** Whether a person may now review their own proposal (the setting, and a single approver). */
  selfApprovalApplies: boolean;
}

function approversIn(db: Database.Database): number {
  return db.prepare<[], number>("SELECT count(*) FROM users WHERE active = 1 AND role IN ('manager', 'owner')").pluck().get() ?? 0;
}

function selfApprovalIn(db: Database.Database): boolean {
  const text = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck().get(SELF_APPROVAL_KEY);
  return text === 'true';
}

function policyIn(db: Database.Database): ApprovalPolicy {
  const approvers = approversIn(db);
  const selfApprovalAllowed = selfApprovalIn(db);
  return { selfApprovalAllowed, approvers, selfApprovalApplies: selfApprovalAllowed && approvers <= 1 };
}

export function approvalPolicy(ledger: Ledger): ApprovalPolicy {
  return ledger.query(policyIn);
}

/**
 * The owner turns self-approval on or off (audit `incidents.self_approval_changed`). Turning it on
 * is refused while two or more people could approve: then a second person always can.
 */
export function setSelfApproval(ledger: Ledger, allowed: boolean, actor: string): ApprovalPolicy {
  checkActor(actor);
  return ledger.transact((tx) => {
    const before = policyIn(tx.db);
    if (allowed && !selfApprovalMayBeAllowed(before.approvers)) {
      throw new LedgerError(
        'incident.self_approval_not_needed',
        `self-approval is only for a shop with a single manager; this shop has ${before.approvers} managers/owners who can approve, so a second person approves`,
        { approvers: String(before.approvers) },
      );
    }
    if (before.selfApprovalAllowed === allowed) return before;
    tx.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(SELF_APPROVAL_KEY, allowed ? 'true' : 'false');
    tx.audit(actor, 'incidents.self_approval_changed', 'settings', SELF_APPROVAL_KEY, { allowed, approvers: before.approvers });
    return policyIn(tx.db);
  });
}

/**
 * Inside the review's own transaction: may `reviewer` approve or reject incident `incidentId`'s
 * proposal? The proposer is whoever made the latest proposal on its timeline.
 */
export function reviewDecisionIn(db: Database.Database, incidentId: number, reviewer: string): ReviewDecision & { proposer: string | null; approvers: number } {
  const proposer =
    db
      .prepare<[number], string>("SELECT actor FROM incident_events WHERE incident_id = ? AND action = 'propose_resolution' ORDER BY id DESC LIMIT 1")
      .pluck()
      .get(incidentId) ?? null;
  const policy = policyIn(db);
  return { ...checkReviewer({ proposer, reviewer, approvers: policy.approvers, selfApprovalAllowed: policy.selfApprovalAllowed }), proposer, approvers: policy.approvers };
}
