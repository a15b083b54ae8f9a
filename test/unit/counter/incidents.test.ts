/** The incidents repository over the real ledger (schema v3). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Incident } from '../../../electron/contract/counterSchemas.js';
import { connectionForTests, openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { flagChargeWithIncident, getIncident, incidentForCharge, unresolvedIncidents } from '../../../electron/ledger/incidents.js';
import { ledgerErrorOf, newCharge, tempLedgerFile, testClock } from '../ledger/helpers.js';

let ledger: Ledger;
let file: string;
beforeEach(async () => {
  file = tempLedgerFile();
  ledger = await openLedger(file, { clock: testClock('2026-11-23T06:00:00.000Z') });
});
afterEach(() => ledger.close());

const record = (over: Parameters<typeof newCharge>[0] = {}) => ledger.recordCharge(newCharge(over), 'terminal:10293847').charge;

describe('flagging a charge opens an incident', () => {
  it('a 10× slip: the charge is flagged and an over_charge incident holds both amounts, the difference and the identifiers', () => {
    const c = record({ amountMinor: 128000, panMasked: '622848******1234' });
    const headBefore = ledger.auditHead()!.seq;
    const { charge, incident } = flagChargeWithIncident(
      ledger,
      { chargeId: c.id, intendedMinor: 12800, cause: 'operator_error', note: '  keyed an extra zero ' },
      'cashier',
    );
    expect(charge).toMatchObject({ id: c.id, status: 'flagged' });
    expect(Incident.parse(incident)).toEqual(incident);
    expect(incident).toMatchObject({
      kind: 'over_charge',
      status: 'open',
      cause: 'operator_error',
      note: 'keyed an extra zero',
      chargeId: c.id,
      currency: '156',
      chargedMinor: 128000,
      intendedMinor: 12800,
      differenceMinor: 115200,
      terminalId: c.terminalId,
      batch: c.batch,
      trace: c.trace,
      rrn: c.rrn,
      authCode: c.authCode,
      panMasked: '622848******1234',
      createdBy: 'cashier',
      resolvedAt: null,
      details: null,
    });
    expect(incident.createdAt).toBe(incident.updatedAt);
    // One transaction, two audit rows: the charge and the incident.
    const rows = ledger.auditRows(headBefore + 1, 10);
    expect(rows.map((r) => [r.action, r.actor, r.entity])).toEqual([
      ['charge.flagged', 'cashier', 'charge'],
      ['incident.opened', 'cashier', 'incident'],
    ]);
    expect(rows[0]!.at).toBe(rows[1]!.at);
    expect(rows[1]!.data).toMatchObject({ incidentId: incident.id, chargedMinor: 128000, intendedMinor: 12800, differenceMinor: 115200 });
    // The card only ever appears masked (no run of 13+ digits, no digits between the first 6 and last 4).
    const data = JSON.stringify(rows.map((r) => r.data));
    expect(data).toContain('622848******1234');
    expect(data).not.toMatch(/\d{13,}|\d{7,}\*/);
    expect(ledger.verifyAudit().ok).toBe(true);
    expect(getIncident(ledger, incident.id)).toEqual(incident);
    expect(incidentForCharge(ledger, c.id)).toEqual(incident);
    expect(ledger.pendingQueue()).toEqual([]);
  });

  it('a duplicate names the other charge from the detector flag; under-charges are wrong_amount with a negative difference', () => {
    const first = record({ amountMinor: 5000 });
    const second = record({ amountMinor: 5000 });
    ledger.setFlags(second.id, [{ kind: 'possible_duplicate', params: { otherTrace: first.trace, otherId: first.id, minutes: 1 } }], 'system:detectors');
    const dup = flagChargeWithIncident(ledger, { chargeId: second.id, intendedMinor: 0, cause: 'duplicate' }, 'cashier').incident;
    expect(dup).toMatchObject({ kind: 'duplicate_charge', relatedChargeId: first.id, differenceMinor: 5000, note: null });

    const under = record({ amountMinor: 1280 });
    const wrong = flagChargeWithIncident(ledger, { chargeId: under.id, intendedMinor: 12800, cause: 'operator_error' }, 'cashier').incident;
    expect(wrong).toMatchObject({ kind: 'wrong_amount', differenceMinor: -11520 });
    expect(unresolvedIncidents(ledger).map((i) => i.id)).toEqual([dup.id, wrong.id]);
  });

  it('a confirmed charge can be flagged; a flagged one cannot be flagged again (no second incident)', () => {
    const c = record();
    ledger.confirmCharge(c.id, 'cashier');
    flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 100, cause: 'other' }, 'manager:Li');
    const again = ledgerErrorOf(() => flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 100, cause: 'other' }, 'cashier'));
    expect(again.code).toBe('charge.not_flaggable');
    expect(unresolvedIncidents(ledger)).toHaveLength(1);
  });

  it('refuses bad input with specific codes, before writing anything', () => {
    const c = record();
    const head = ledger.auditHead();
    expect(ledgerErrorOf(() => flagChargeWithIncident(ledger, { chargeId: 999, intendedMinor: 1, cause: 'other' }, 'cashier')).code).toBe('charge.not_found');
    expect(ledgerErrorOf(() => flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: -1, cause: 'other' }, 'cashier')).code).toBe('argument.invalid');
    expect(ledgerErrorOf(() => flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 1.5, cause: 'other' }, 'cashier')).code).toBe('argument.invalid');
    expect(
      ledgerErrorOf(() => flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 1, cause: 'bored' as never }, 'cashier')).code,
    ).toBe('argument.invalid');
    expect(
      ledgerErrorOf(() => flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 1, cause: 'other', note: 'x'.repeat(501) }, 'cashier')).code,
    ).toBe('argument.invalid');
    expect(ledgerErrorOf(() => flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 1, cause: 'other' }, ' ')).code).toBe('actor.invalid');
    expect(ledger.auditHead()).toEqual(head);
    expect(ledger.getCharge(c.id)!.status).toBe('pending');
  });

  it('all or nothing: when the incident cannot be written, the charge stays pending and no audit row remains', () => {
    const c = record();
    const head = ledger.auditHead();
    connectionForTests(ledger).exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON incidents BEGIN SELECT RAISE(ABORT, 'disk trouble'); END");
    const err = ledgerErrorOf(() => flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 1, cause: 'other' }, 'cashier'));
    expect(err.code).toBe('db.error');
    expect(ledger.getCharge(c.id)!.status).toBe('pending');
    expect(ledger.auditHead()).toEqual(head);
    expect(unresolvedIncidents(ledger)).toEqual([]);
  });

  it('the schema itself refuses an inconsistent incident (difference ≠ charged − intended, two open per charge)', () => {
    const c = record({ amountMinor: 500 });
    flagChargeWithIncident(ledger, { chargeId: c.id, intendedMinor: 100, cause: 'other' }, 'cashier');
    const db = connectionForTests(ledger);
    const insert = (difference: number) =>
      db
        .prepare(
          `INSERT INTO incidents (kind, charge_id, charged_minor, intended_minor, difference_minor, created_by, created_at, updated_at)
           VALUES ('wrong_amount', ?, 500, 100, ?, 'x', 't', 't')`,
        )
        .run(c.id, difference);
    expect(() => insert(1)).toThrow(/CHECK/);
    expect(() => insert(400)).toThrow(/UNIQUE/);
  });
});
