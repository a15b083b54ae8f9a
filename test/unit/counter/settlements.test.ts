/** The settlements repository over the real ledger: the open batch, its blockers, recording a settlement. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchStatus, SettlementReport } from '../../../electron/contract/counterSchemas.js';
import { connectionForTests, openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { flagChargeWithIncident, incidentsForSettlement } from '../../../electron/ledger/incidents.js';
import {
  lastSettlementReport,
  openBatch,
  recordSettlement,
  settlementBlockers,
  settlementInDoubt,
  unrecordedSettlements,
} from '../../../electron/ledger/settlements.js';
import { ledgerErrorOf, newCharge, tempLedgerFile, testClock } from '../ledger/helpers.js';

let ledger: Ledger;
beforeEach(async () => {
  ledger = await openLedger(tempLedgerFile(), { clock: testClock('2026-11-23T06:00:00.000Z') });
});
afterEach(() => ledger.close());

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const record = (amountMinor: number, batch = '000027') =>
  ledger.recordCharge(newCharge({ amountMinor, batch }), 'terminal:10293847').charge;

/** An SE the terminal answered with these totals; returns the request id. */
function answeredSE(t: { sc: number; sa: number; vc?: number; va?: number; fc?: number; fa?: number }, batch = '000027', rc = '00'): { id: number; seq: string } {
  const req = ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager:Li');
  const response: Record<string, string> =
    rc === '00'
      ? {
          RQ: req.seq,
          RC: '00',
          BT: batch,
          SC: pad(t.sc, 4),
          SA: pad(t.sa, 12),
          VC: pad(t.vc ?? 0, 4),
          VA: pad(t.va ?? 0, 12),
          FC: pad(t.fc ?? 0, 4),
          FA: pad(t.fa ?? 0, 12),
          NB: pad(Number(batch) + 1, 6),
        }
      : { RQ: req.seq, RC: rc };
  ledger.resolveHostRequest(req.seq, { state: 'answered', rc, response }, 'manager:Li');
  return req;
}

/** The void or refund bookkeeping another issue builds: simulated here with the columns it will set. */
function markVoided(chargeId: number) {
  connectionForTests(ledger).prepare("UPDATE charges SET status = 'voided' WHERE id = ?").run(chargeId);
}
function approvedRefund(amountMinor: number) {
  const req = ledger.createHostRequest({ type: 'RF', fields: { RF: '331822000001', OD: '20261122', AM: pad(amountMinor, 12) } }, 'manager:Li');
  ledger.resolveHostRequest(req.seq, { state: 'answered', rc: '00', response: { RQ: req.seq, RC: '00', TR: '000099' } }, 'manager:Li');
}

describe('the open batch', () => {
  it('is the batch of the newest unsettled charge, with totals counted like the terminal (voided sales included)', () => {
    expect(openBatch(ledger)).toMatchObject({ batch: null, pending: 0, totals: { sales: { count: 0, amountMinor: 0 } } });
    const a = record(10000);
    const b = record(2500);
    record(700);
    ledger.confirmCharge(a.id, 'cashier');
    markVoided(b.id);
    approvedRefund(400);
    const open = openBatch(ledger);
    expect(open).toEqual({
      batch: '000027',
      terminalId: '10293847',
      currency: '156',
      totals: { sales: { count: 3, amountMinor: 13200 }, voids: { count: 1, amountMinor: 2500 }, refunds: { count: 1, amountMinor: 400 } },
      pending: 1,
      confirmed: 1,
      flagged: 0,
    });
  });

  it('blockers: every unconfirmed charge, and every flagged charge with its unresolved incident; oldest first', () => {
    const a = record(100);
    const b = record(200);
    const c = record(300);
    ledger.confirmCharge(a.id, 'cashier');
    const { incident } = flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 30, cause: 'operator_error' }, 'cashier');
    const blockers = settlementBlockers(ledger);
    expect(blockers.map((x) => [x.kind, x.charge.id])).toEqual([
      ['unconfirmed', b.id],
      ['flagged', c.id],
    ]);
    expect(blockers[1]).toMatchObject({ kind: 'flagged', incident: { id: incident.id, intendedMinor: 30 } });
    // Resolved (by the incident workflow, later): no longer a blocker.
    connectionForTests(ledger).prepare("UPDATE incidents SET status = 'executed', resolved_by = 'manager:Li', resolved_at = 'x' WHERE id = ?").run(incident.id);
    expect(settlementBlockers(ledger).map((x) => x.charge.id)).toEqual([b.id]);
  });
});

describe('recording a settlement', () => {
  it('matched: the charges of the batch are settled, one audit row, no incident; idempotent per request', () => {
    const a = record(10000);
    const b = record(2500);
    ledger.confirmCharge(a.id, 'cashier');
    ledger.confirmCharge(b.id, 'cashier');
    const other = record(999, '000028'); // already the next batch: not settled with this one
    ledger.confirmCharge(other.id, 'cashier');
    const se = answeredSE({ sc: 2, sa: 12500 });
    const head = ledger.auditHead()!.seq;

    const { report, created } = recordSettlement(ledger, se.id, 'manager:Li');
    expect(created).toBe(true);
    expect(SettlementReport.parse(report)).toEqual(report);
    expect(report).toMatchObject({ batch: '000027', nextBatch: '000028', matched: true, incidentId: null, requestSeq: se.seq, settledBy: 'manager:Li', netTerminalMinor: 12500, netLedgerMinor: 12500 });
    expect(ledger.auditRows(head + 1, 10).map((r) => r.action)).toEqual(['settlement.recorded']);
    expect(ledger.auditRows(head + 1, 1)[0]!.data).toMatchObject({ chargesSettled: 2, matched: true, batch: '000027' });
    const db = connectionForTests(ledger);
    const settled = db.prepare('SELECT id FROM charges WHERE settled_batch_id = ? ORDER BY id').pluck().all(report.settlementId);
    expect(settled).toEqual([a.id, b.id]);
    expect(openBatch(ledger).batch).toBe('000028');

    expect(recordSettlement(ledger, se.id, 'manager:Li')).toEqual({ report, created: false });
    expect(lastSettlementReport(ledger)).toEqual(report);
    expect(ledger.verifyAudit().ok).toBe(true);
  });

  it('mismatch: a settlement_mismatch incident with both sets of figures, in the same transaction', () => {
    const a = record(12800);
    const b = record(5000);
    ledger.confirmCharge(a.id, 'cashier');
    ledger.confirmCharge(b.id, 'cashier');
    const se = answeredSE({ sc: 3, sa: 30600 });
    const head = ledger.auditHead()!.seq;
    const { report } = recordSettlement(ledger, se.id, 'manager:Li');
    expect(report.matched).toBe(false);
    expect(report.rows[0]).toMatchObject({ category: 'sales', countDifference: 1, amountDifference: 12800, matched: false });
    expect(ledger.auditRows(head + 1, 10).map((r) => r.action)).toEqual(['settlement.recorded', 'incident.opened']);
    const [incident] = incidentsForSettlement(ledger, report.settlementId);
    expect(report.incidentId).toBe(incident!.id);
    expect(incident).toMatchObject({
      kind: 'settlement_mismatch',
      status: 'open',
      settlementId: report.settlementId,
      batch: '000027',
      currency: '156',
      chargeId: null,
      details: {
        terminal: { sales: { count: 3, amountMinor: 30600 } },
        ledger: { sales: { count: 2, amountMinor: 17800 } },
        differences: [
          { category: 'sales', field: 'count', terminal: 3, ledger: 2, difference: 1 },
          { category: 'sales', field: 'amountMinor', terminal: 30600, ledger: 17800, difference: 12800 },
        ],
      },
    });
  });

  it('voids and refunds: the refunds are those approved since the previous settlement', () => {
    const a = record(10000);
    ledger.confirmCharge(a.id, 'cashier');
    const b = record(2500);
    markVoided(b.id);
    approvedRefund(400);
    const first = recordSettlement(ledger, answeredSE({ sc: 2, sa: 12500, vc: 1, va: 2500, fc: 1, fa: 400 }).id, 'manager:Li').report;
    expect(first.matched).toBe(true);
    // Next batch: the old refund is not counted again.
    const c = record(300, '000028');
    ledger.confirmCharge(c.id, 'cashier');
    approvedRefund(50);
    const second = recordSettlement(ledger, answeredSE({ sc: 1, sa: 300, fc: 1, fa: 50 }, '000028').id, 'manager:Li').report;
    expect(second).toMatchObject({ matched: true, batch: '000028', netLedgerMinor: 250 });
  });

  it('only an approved SE settles; an SE whose answer is lost is in doubt; answered-but-unrecorded ones are found', () => {
    record(100);
    const declined = answeredSE({ sc: 0, sa: 0 }, '000027', '12');
    expect(ledgerErrorOf(() => recordSettlement(ledger, declined.id, 'manager:Li')).code).toBe('settlement.not_settled');
    const vd = ledger.createHostRequest({ type: 'VD', fields: { TR: '000001', AM: '000000000100' } }, 'manager:Li');
    expect(ledgerErrorOf(() => recordSettlement(ledger, vd.id, 'manager:Li')).code).toBe('settlement.not_settled');
    expect(ledgerErrorOf(() => recordSettlement(ledger, 999, 'manager:Li')).code).toBe('request.not_found');

    expect(settlementInDoubt(ledger)).toBeNull();
    const lost = ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager:Li');
    expect(settlementInDoubt(ledger)).toBe(lost.seq);
    ledger.resolveHostRequest(lost.seq, { state: 'unknown', reason: 'no response within 30000 ms' }, 'manager:Li');
    expect(settlementInDoubt(ledger)).toBe(lost.seq);
    // QT found the answer: now it is answered, and waits to be recorded.
    ledger.resolveHostRequest(lost.seq, { state: 'answered', rc: '00', response: { RQ: lost.seq, RC: '00', BT: '000027', SC: '0001', SA: '000000000100', VC: '0000', VA: '000000000000', FC: '0000', FA: '000000000000', NB: '000028' } }, 'system');
    expect(settlementInDoubt(ledger)).toBeNull();
    expect(unrecordedSettlements(ledger).map((u) => [u.seq, u.actor])).toEqual([[lost.seq, 'manager:Li']]);
  });

  it('a malformed SE answer is refused with the field named, and nothing is recorded', () => {
    record(100);
    const req = ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager:Li');
    ledger.resolveHostRequest(req.seq, { state: 'answered', rc: '00', response: { RQ: req.seq, RC: '00', BT: '000027', SC: '1' } }, 'manager:Li');
    const err = ledgerErrorOf(() => recordSettlement(ledger, req.id, 'manager:Li'));
    expect(err).toMatchObject({ code: 'settlement.bad_response', params: { field: 'SC' } });
    expect(lastSettlementReport(ledger)).toBeNull();
  });

  it('a batch status built from these parts fits the contract', () => {
    record(100);
    const status = {
      ...openBatch(ledger),
      blockers: settlementBlockers(ledger),
      inDoubtSeq: settlementInDoubt(ledger),
      lastSettlement: lastSettlementReport(ledger),
    };
    expect(BatchStatus.parse(status)).toEqual(status);
  });
});
