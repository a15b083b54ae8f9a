/** Schema v7 (the incident workflow) on top of a v6 ledger holding incidents, voids and re-charges that name them. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openLedger } from '../../../electron/ledger/ledger.js';
import { MIGRATIONS } from '../../../electron/ledger/migrations.js';
import { v7IncidentWorkflow } from '../../../electron/ledger/schema/v7IncidentWorkflow.js';
import { getIncidentDetail } from '../../../electron/ledger/incidentCases.js';
import { newCharge, tempLedgerFile, testClock } from '../ledger/helpers.js';

describe('migration v7: incident workflow', () => {
  it('is version 7, right after the v6 re-charges', () => {
    expect(MIGRATIONS[6]).toBe(v7IncidentWorkflow);
    expect(MIGRATIONS.map((m) => m.version).slice(0, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('rebuilds incidents: v3 statuses are migrated, voids/refunds and re-charges still point at their incidents, the chain verifies', async () => {
    const file = tempLedgerFile();
    const v6 = await openLedger(file, { clock: testClock(), migrations: MIGRATIONS.slice(0, 6) });
    const a = v6.recordCharge(newCharge({ amountMinor: 128000 }), 'terminal:1').charge;
    const b = v6.recordCharge(newCharge({ amountMinor: 5600 }), 'terminal:1').charge;
    const c = v6.recordCharge(newCharge({ amountMinor: 900 }), 'terminal:1').charge;
    const request = v6.createHostRequest({ type: 'VD', fields: { TR: a.trace, AM: '000000128000' }, chargeId: a.id }, 'manager:Li');
    v6.close();

    const raw = new Database(file);
    raw.pragma('foreign_keys = ON');
    const insert = raw.prepare(
      `INSERT INTO incidents (kind, status, cause, charge_id, currency, charged_minor, intended_minor, difference_minor, created_by, created_at, updated_at, resolved_by, resolved_at)
       VALUES (?, ?, 'operator_error', ?, '156', ?, ?, ?, 'cashier', ?, ?, ?, ?)`,
    );
    const i1 = Number(insert.run('over_charge', 'investigating', a.id, 128000, 12800, 115200, '2026-03-10T02:00:00.000Z', '2026-03-10T02:05:00.000Z', null, null).lastInsertRowid);
    const i2 = Number(insert.run('duplicate_charge', 'resolved', b.id, 5600, 0, 5600, '2026-03-10T02:01:00.000Z', '2026-03-10T02:06:00.000Z', 'manager:Li', '2026-03-10T02:06:00.000Z').lastInsertRowid);
    const i3 = Number(insert.run('wrong_amount', 'open', c.id, 900, 1000, -100, '2026-03-10T02:02:00.000Z', '2026-03-10T02:02:00.000Z', null, null).lastInsertRowid);
    raw
      .prepare(
        `INSERT INTO adjustments (charge_id, kind, amount_minor, currency, reason, note, incident_id, request_id, request_seq, state, requested_by, requested_at)
         VALUES (?, 'void', 128000, '156', 'wrong_amount', 'keyed 1280', ?, ?, ?, 'sent', 'manager:Li', 't')`,
      )
      .run(a.id, i1, request.id, request.seq);
    raw
      .prepare(
        `INSERT INTO recharges (incident_id, voided_charge_id, amount_minor, currency, state, expected_by, expected_at) VALUES (?, ?, 12800, '156', 'waiting', 'manager:Li', 't')`,
      )
      .run(i1, a.id);
    raw.close();

    const ledger = await openLedger(file, { clock: testClock('2026-12-01T00:00:00.000Z') });
    expect(ledger.diagnostics().schemaVersion).toBe(7);
    expect(ledger.auditRows(1, 100).find((r) => r.action === 'ledger.migrated' && (r.data as { to: number }).to === 7)).toMatchObject({ data: { from: 6, to: 7, name: 'incident workflow' } });
    expect(ledger.verifyAudit().ok).toBe(true);

    const d1 = getIncidentDetail(ledger, i1, { revealContact: true });
    expect(d1).toMatchObject({ status: 'verifying', owedMinor: 115200, returnedMinor: 0, suspenseMinor: 0, outstandingMinor: 115200 });
    expect(d1.events.map((e) => [e.action, e.fromStatus, e.toStatus])).toEqual([
      ['opened', null, 'open'],
      ['migrated', 'investigating', 'verifying'],
    ]);
    expect(d1.adjustments.map((x) => x.incidentId)).toEqual([i1]);
    const d2 = getIncidentDetail(ledger, i2, { revealContact: true });
    expect(d2).toMatchObject({ status: 'executed', owedMinor: 5600, resolvedBy: 'manager:Li' });
    const d3 = getIncidentDetail(ledger, i3, { revealContact: true });
    expect(d3).toMatchObject({ status: 'open', owedMinor: 0 });
    expect(d3.events.map((e) => e.action)).toEqual(['opened']);
    ledger.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.prepare('SELECT incident_id FROM recharges').pluck().all()).toEqual([i1]);
    const sql = (db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'adjustments'").pluck().get() as string).replace(/\s+/g, ' ');
    expect(sql).toContain('REFERENCES incidents(id)');
    const indexes = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'incidents'").pluck().all();
    expect(indexes).toEqual(expect.arrayContaining(['incidents_open_charge', 'incidents_status', 'incidents_created', 'incidents_kind']));
    expect(db.prepare("SELECT name FROM sqlite_temp_schema").all()).toEqual([]);
    // The money can only be held in suspense while the incident is.
    db.close();
    const rw = new Database(file);
    expect(() => rw.prepare("UPDATE incidents SET suspense_minor = 10 WHERE id = ?").run(i3)).toThrow(/CHECK/);
    expect(() => rw.prepare("UPDATE incidents SET status = 'investigating' WHERE id = ?").run(i3)).toThrow(/CHECK/);
    rw.close();
  });
});
