/**
 * Four-eyes on a resolution: the person who proposed giving money back does not also approve or
 * reject it; self-approval only in a shop with a single approver, and only if the owner allowed it.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CountersignApi } from '../../../electron/contract/api.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { checkReviewer, personOf } from '../../../electron/domain/fourEyes.js';
import { approvalPolicy, setSelfApproval } from '../../../electron/ledger/approvalPolicy.js';
import { applyIncidentStep, getIncidentDetail } from '../../../electron/ledger/incidentCases.js';
import { openLedger } from '../../../electron/ledger/ledger.js';
import { ledgerErrorOf, tempLedgerFile, testClock } from '../ledger/helpers.js';
import { flagged, walk } from './helpers.js';

describe('the rule (domain/fourEyes.ts)', () => {
  it('names the person behind an audit actor; the anonymous counter is nobody', () => {
    expect(personOf('manager:Li Na')).toBe('li na');
    expect(personOf('owner:Li Na')).toBe('li na');
    expect(personOf('cashier')).toBeNull();
    expect(personOf('terminal:10293847')).toBeNull();
    expect(personOf(null)).toBeNull();
  });

  it('refuses the proposer as reviewer (same name whatever the case or role); allows anyone else', () => {
    const base = { approvers: 2, selfApprovalAllowed: false };
    expect(checkReviewer({ ...base, proposer: 'manager:Li Na', reviewer: 'manager:Li Na' })).toEqual({ ok: false, code: 'same_approver' });
    expect(checkReviewer({ ...base, proposer: 'manager:Li Na', reviewer: 'owner:li na' })).toEqual({ ok: false, code: 'same_approver' });
    expect(checkReviewer({ ...base, proposer: 'manager:Li Na', reviewer: 'owner:Wang Fang' })).toEqual({ ok: true, selfApproved: false });
    expect(checkReviewer({ ...base, proposer: 'cashier', reviewer: 'manager:Li Na' })).toEqual({ ok: true, selfApproved: false });
    expect(checkReviewer({ ...base, proposer: null, reviewer: 'manager:Li Na' })).toEqual({ ok: true, selfApproved: false });
  });

  it('self-approval: only with a single approver AND the owner\'s setting; a second approver turns four-eyes back on', () => {
    const same = { proposer: 'owner:Wang', reviewer: 'owner:Wang' };
    expect(checkReviewer({ ...same, approvers: 1, selfApprovalAllowed: false })).toEqual({ ok: false, code: 'same_approver_only_one' });
    expect(checkReviewer({ ...same, approvers: 1, selfApprovalAllowed: true })).toEqual({ ok: true, selfApproved: true });
    expect(checkReviewer({ ...same, approvers: 2, selfApprovalAllowed: true })).toEqual({ ok: false, code: 'same_approver' });
  });
});

describe('in the ledger', () => {
  it('a refused review changes nothing and writes no audit row; a second person then approves', async () => {
    const ledger = await openLedger(tempLedgerFile(), { clock: testClock('2026-11-23T06:00:00.000Z', 60_000) });
    try {
      const { incident } = flagged(ledger, 128000, 12800);
      walk(ledger, incident.id, [
        { action: 'start_verification' },
        { action: 'propose_resolution', resolution: 'partial_refund', amountMinor: 115200, note: 'refund the extra' },
        { action: 'submit_for_review' },
      ], 'manager:Li Na');
      const head = ledger.auditHead()!.seq;
      for (const step of [{ action: 'approve' as const }, { action: 'reject' as const, reason: 'no' }]) {
        const err = ledgerErrorOf(() => applyIncidentStep(ledger, incident.id, step, 'manager:li na'));
        // A bare ledger has no accounts: nobody else could approve, and self-approval is off.
        expect(err.code).toBe('incident.same_approver_only_one');
        expect(err.params).toMatchObject({ id: String(incident.id), approvers: '0' });
      }
      expect(ledger.auditHead()!.seq).toBe(head);
      expect(getIncidentDetail(ledger, incident.id, { revealContact: false }).status).toBe('manager_review');
      expect(applyIncidentStep(ledger, incident.id, { action: 'approve' }, 'owner:Wang Fang').status).toBe('approved');
    } finally {
      ledger.close();
    }
  });
});

let core: RunningCore | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function shop() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-four-eyes-'));
  core = await startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0 });
  const owner = createInProcessApi(core.api, 'office');
  await owner.invoke('auth.setupOwner', { ownerName: 'Wang', ownerPin: '482916', managerName: 'Li', managerPin: '739105' });
  const manager = createInProcessApi(core.api, 'till');
  const liId = (await manager.invoke('auth.status', {})).users.find((u) => u.name === 'Li')!.id;
  await manager.invoke('auth.signIn', { userId: liId, pin: '739105' });
  const { incident } = flagged(core.ledger, 128000, 12800);
  return { core, owner, manager, id: incident.id };
}

async function toReview(api: CountersignApi, id: number) {
  await api.invoke('incidents.step', { id, action: 'start_verification' });
  await api.invoke('incidents.step', { id, action: 'propose_resolution', resolution: 'partial_refund', amountMinor: 115200, note: 'refund the extra' });
  await api.invoke('incidents.step', { id, action: 'submit_for_review' });
}

describe('through the core', () => {
  it('the manager who proposed cannot approve or reject (incident.same_approver); the owner can; the audit names both', async () => {
    const { core, owner, manager, id } = await shop();
    await toReview(manager, id);
    for (const step of [{ action: 'approve' as const }, { action: 'reject' as const, reason: 'changed my mind' }]) {
      await expect(manager.invoke('incidents.step', { id, ...step })).rejects.toMatchObject({ code: 'incident.same_approver', params: { approvers: '2' } });
    }
    const approved = await owner.invoke('incidents.step', { id, action: 'approve', note: 'checked the slip' });
    expect(approved.status).toBe('approved');
    const actors = approved.events.filter((e) => e.action === 'propose_resolution' || e.action === 'approve').map((e) => [e.action, e.actor]);
    expect(actors).toEqual([
      ['propose_resolution', 'manager:Li'],
      ['approve', 'owner:Wang'],
    ]);
    expect(core.ledger.verifyAudit().ok).toBe(true);
  });

  it('self-approval cannot be turned on while two people can approve, and only the owner may change it', async () => {
    const { core, owner, manager } = await shop();
    expect(await owner.invoke('incidents.approvalPolicy', {})).toEqual({ selfApprovalAllowed: false, approvers: 2, selfApprovalApplies: false });
    await expect(owner.invoke('incidents.setSelfApproval', { allowed: true })).rejects.toMatchObject({ code: 'incident.self_approval_not_needed', params: { approvers: '2' } });
    await expect(manager.invoke('incidents.setSelfApproval', { allowed: true })).rejects.toMatchObject({ code: 'auth.forbidden' });
    expect(approvalPolicy(core.ledger).selfApprovalAllowed).toBe(false);
  });

  it('a single-approver shop: refused until the owner allows it (audited), then the review is marked self-approved', async () => {
    const { core, owner, id } = await shop();
    // The manager account leaves the shop: the owner is the only one who can approve.
    core.ledger.transact((tx) => {
      tx.db.prepare("UPDATE users SET active = 0 WHERE name = 'Li'").run();
      tx.audit('owner:Wang', 'test.user_deactivated', 'user', 'Li', {});
    });
    await toReview(owner, id);
    await expect(owner.invoke('incidents.step', { id, action: 'approve' })).rejects.toMatchObject({ code: 'incident.same_approver_only_one', params: { approvers: '1' } });

    const head = core.ledger.auditHead()!.seq;
    expect(await owner.invoke('incidents.setSelfApproval', { allowed: true })).toEqual({ selfApprovalAllowed: true, approvers: 1, selfApprovalApplies: true });
    expect(core.ledger.auditRows(head + 1, 10)).toEqual([
      expect.objectContaining({ actor: 'owner:Wang', action: 'incidents.self_approval_changed', data: { allowed: true, approvers: 1 } }),
    ]);
    const approved = await owner.invoke('incidents.step', { id, action: 'approve' });
    expect(approved.status).toBe('approved');
    expect(approved.events.at(-1)).toMatchObject({ action: 'approve', actor: 'owner:Wang', data: { selfApproved: true } });

    // Once a second approver exists again, the setting no longer applies.
    core.ledger.transact((tx) => {
      tx.db.prepare("UPDATE users SET active = 1 WHERE name = 'Li'").run();
      tx.audit('owner:Wang', 'test.user_reactivated', 'user', 'Li', {});
    });
    expect(approvalPolicy(core.ledger)).toEqual({ selfApprovalAllowed: true, approvers: 2, selfApprovalApplies: false });
    const second = flagged(core.ledger, 50000, 5000).incident;
    await toReview(owner, second.id);
    await expect(owner.invoke('incidents.step', { id: second.id, action: 'approve' })).rejects.toMatchObject({ code: 'incident.same_approver' });
    // Turning it off is always allowed (and audited).
    expect((await owner.invoke('incidents.setSelfApproval', { allowed: false })).selfApprovalAllowed).toBe(false);
    expect(core.ledger.verifyAudit().ok).toBe(true);
  });
});
