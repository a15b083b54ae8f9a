/** batch.status's blockers during a flood: counted in full, listed in part, the same as the full list. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectionForTests, openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { flagChargeWithIncident } from '../../../electron/ledger/incidents.js';
import { settlementBlockers, settlementBlockersSummary } from '../../../electron/ledger/settlements.js';
import { newCharge, tempLedgerFile, testClock } from '../ledger/helpers.js';

let ledger: Ledger;
beforeEach(async () => {
  ledger = await openLedger(tempLedgerFile(), { clock: testClock('2026-11-23T06:00:00.000Z') });
});
afterEach(() => ledger.close());

const record = (amountMinor: number) => ledger.recordCharge(newCharge({ amountMinor }), 'terminal:10293847').charge;

describe('settlement blockers summary', () => {
  it('lists the oldest `limit` blockers of the full list, pending and flagged merged, and counts them all', () => {
    const charges = Array.from({ length: 40 }, (_, i) => record(100 + i));
    ledger.confirmCharge(charges[0]!.id, 'cashier');
    flagChargeWithIncident(ledger, { chargeId: charges[2]!.id, intendedMinor: 30, cause: 'operator_error' }, 'cashier');
    const { incident } = flagChargeWithIncident(ledger, { chargeId: charges[5]!.id, intendedMinor: 30, cause: 'operator_error' }, 'cashier');
    connectionForTests(ledger).prepare("UPDATE incidents SET status = 'executed', resolved_by = 'manager:Li', resolved_at = 'x' WHERE id = ?").run(incident.id);
    flagChargeWithIncident(ledger, { chargeId: charges[39]!.id, intendedMinor: 30, cause: 'operator_error' }, 'cashier');

    const full = settlementBlockers(ledger);
    expect(full).toHaveLength(38); // 40 − 1 confirmed − 1 flagged with its incident resolved
    for (const limit of [1, 3, 10, 38, 100]) {
      const summary = settlementBlockersSummary(ledger, limit);
      expect(summary.count).toBe(full.length);
      expect(summary.blockers).toEqual(full.slice(0, limit));
    }
  });

  it('stays bounded with thousands waiting', () => {
    for (let i = 0; i < 3000; i++) record(100 + (i % 50));
    const summary = settlementBlockersSummary(ledger, 200);
    expect(summary.count).toBe(3000);
    expect(summary.blockers).toHaveLength(200);
    expect(summary.blockers[0]!.charge.id).toBe(1);
  });
});
