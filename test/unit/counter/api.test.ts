/**
 * The counter's commands at the API boundary (the dispatcher validates every input), with the
 * real ledger, intake, request runner and simulated terminal, and a fake authorizer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_COUNTER_SETTINGS } from '../../../electron/contract/counterSchemas.js';
import type { Charge } from '../../../electron/contract/schemas.js';
import { digitSlip } from '../../../electron/domain/flags.js';
import { connectionForTests } from '../../../electron/ledger/ledger.js';
import { newCharge } from '../ledger/helpers.js';
import { errorOf, testCore, until, type TestCore } from './helpers.js';

let core: TestCore | null = null;
afterEach(async () => {
  await core?.close();
  core = null;
});

async function boot(withTerminal = false) {
  core = await testCore({ withTerminal });
  return core;
}

const kinds = (c: Charge) => c.flags.map((f) => f.kind);

describe('blind re-key', () => {
  it('a 10× slip: mismatch, flagged rekey_mismatch + digit_slip with the intended amount, pushed; the cashier can no longer confirm', async () => {
    const c = await boot();
    const charge = c.intake(newCharge({ amountMinor: 128000 }));
    const result = await c.call('charges.rekey', { chargeId: charge.id, rekeyedMinor: 12800 });
    expect(result.match).toBe(false);
    expect(result.charge.flags).toEqual([
      { kind: 'rekey_mismatch', params: { rekeyedMinor: 12800, differenceMinor: 115200 } },
      { kind: 'digit_slip', params: { slip: 'times10', intendedMinor: 12800 } },
    ]);
    expect(c.events.at(-1)).toEqual({ name: 'charge.changed', payload: result.charge });
    expect(c.ledger.auditRows(1, 100).filter((r) => r.action === 'charge.flags_set').at(-1)).toMatchObject({ actor: 'cashier' });

    expect(await errorOf(c.call('charges.confirm', { chargeId: charge.id }))).toMatchObject({ code: 'auth.required' });
    expect(await errorOf(c.call('charges.confirm', { chargeId: charge.id, rekeyedMinor: 128000 }))).toMatchObject({ code: 'auth.required' });
    // A manager who checked with the customer may let it through.
    c.authz.signIn('counter', 'Li Na');
    const confirmed = await c.call('charges.confirm', { chargeId: charge.id });
    expect(confirmed).toMatchObject({ status: 'confirmed', confirmedBy: 'manager:Li Na' });
  });

  it('a match changes nothing and writes nothing; the matching amount is stored with the confirmation', async () => {
    const c = await boot();
    const charge = c.intake(newCharge({ amountMinor: 12800 }));
    const head = c.ledger.auditHead();
    const eventsBefore = c.events.length;
    expect(await c.call('charges.rekey', { chargeId: charge.id, rekeyedMinor: 12800 })).toEqual({ match: true, charge });
    expect(c.ledger.auditHead()).toEqual(head);
    expect(c.events).toHaveLength(eventsBefore);
    await c.call('charges.confirm', { chargeId: charge.id, rekeyedMinor: 12800 });
    const stored = connectionForTests(c.ledger).prepare('SELECT rekeyed_minor FROM confirmations WHERE charge_id = ?').pluck().get(charge.id);
    expect(stored).toBe(12800);
  });

  it('property: never a slip or mismatch flag when the amounts match; always a mismatch when they differ, a slip only when it is one', async () => {
    const c = await boot();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 0, max: 99_999_999 }), async (charged, typed) => {
        const charge = c.intake(newCharge({ amountMinor: charged, panMasked: '622848******5555' }));
        const same = await c.call('charges.rekey', { chargeId: charge.id, rekeyedMinor: charged });
        expect(same.match).toBe(true);
        expect(same.charge.flags.filter((f) => f.kind === 'rekey_mismatch' || f.kind === 'digit_slip')).toEqual([]);
        if (typed !== charged) {
          const other = await c.call('charges.rekey', { chargeId: charge.id, rekeyedMinor: typed });
          expect(other.match).toBe(false);
          expect(kinds(other.charge).includes('rekey_mismatch')).toBe(true);
          expect(kinds(other.charge).includes('digit_slip')).toBe(digitSlip(charged, typed) !== null);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("keeps the detectors' flags, and a second re-key replaces (not duplicates) the comparison's flags", async () => {
    const c = await boot();
    c.intake(newCharge({ amountMinor: 5000, panMasked: '622848******1111' }));
    const dup = c.intake(newCharge({ amountMinor: 5000, panMasked: '622848******1111' }));
    expect(kinds(dup)).toEqual(['possible_duplicate']);
    await c.call('charges.rekey', { chargeId: dup.id, rekeyedMinor: 500 });
    const again = await c.call('charges.rekey', { chargeId: dup.id, rekeyedMinor: 4000 });
    expect(kinds(again.charge)).toEqual(['possible_duplicate', 'rekey_mismatch']);
  });

  it('with blind mode on, the cashier must re-key before confirming; a manager need not', async () => {
    const c = await boot();
    c.authz.signIn('office', 'Li Na');
    await c.call('settings.counter.update', { blindRekey: true }, 'office');
    const a = c.intake(newCharge({ amountMinor: 700 }));
    expect(await errorOf(c.call('charges.confirm', { chargeId: a.id }))).toMatchObject({ code: 'charge.rekey_required' });
    expect(await errorOf(c.call('charges.confirm', { chargeId: a.id, rekeyedMinor: 70 }))).toMatchObject({ code: 'charge.rekey_mismatch' });
    expect(await c.call('charges.confirm', { chargeId: a.id, rekeyedMinor: 700 })).toMatchObject({ status: 'confirmed', confirmedBy: 'cashier' });
    const b = c.intake(newCharge({ amountMinor: 800 }));
    expect(await c.call('charges.confirm', { chargeId: b.id }, 'office')).toMatchObject({ status: 'confirmed', confirmedBy: 'manager:Li Na' });
  });

  it('validates at the boundary: amounts are non-negative integer minor units; a charge must exist and wait', async () => {
    const c = await boot();
    const charge = c.intake(newCharge({ amountMinor: 700 }));
    for (const bad of [-1, 1.5, '700', 1e13]) {
      expect(await errorOf(c.call('charges.rekey', { chargeId: charge.id, rekeyedMinor: bad as number }))).toMatchObject({ code: 'validation.failed' });
    }
    expect(await errorOf(c.call('charges.rekey', { chargeId: charge.id, rekeyedMinor: 1, extra: 1 } as never))).toMatchObject({ code: 'validation.failed' });
    expect(await errorOf(c.call('charges.rekey', { chargeId: 999, rekeyedMinor: 1 }))).toMatchObject({ code: 'charge.not_found' });
    await c.call('charges.confirm', { chargeId: charge.id });
    expect(await errorOf(c.call('charges.rekey', { chargeId: charge.id, rekeyedMinor: 1 }))).toMatchObject({ code: 'charge.not_pending' });
  });
});

describe('flagging through the API', () => {
  it('the charge leaves the queue, an incident opens, the change is pushed', async () => {
    const c = await boot();
    const charge = c.intake(newCharge({ amountMinor: 128000 }));
    const { charge: flagged, incident } = await c.call('charges.flag', { chargeId: charge.id, intendedMinor: 12800, cause: 'operator_error', note: 'extra zero' });
    expect(flagged.status).toBe('flagged');
    expect(incident).toMatchObject({ kind: 'over_charge', chargedMinor: 128000, intendedMinor: 12800, differenceMinor: 115200, createdBy: 'cashier', note: 'extra zero' });
    expect(c.events.at(-1)).toEqual({ name: 'charge.changed', payload: flagged });
    expect(await c.call('charges.queue', {})).toEqual([]);
  });

  it('refuses unknown causes, negative or fractional amounts, long notes, a second flag', async () => {
    const c = await boot();
    const charge = c.intake(newCharge({ amountMinor: 100 }));
    const bad = [
      { chargeId: charge.id, intendedMinor: 1, cause: 'bored' },
      { chargeId: charge.id, intendedMinor: -1, cause: 'other' },
      { chargeId: charge.id, intendedMinor: 0.5, cause: 'other' },
      { chargeId: charge.id, intendedMinor: 1, cause: 'other', note: 'x'.repeat(501) },
      { chargeId: charge.id, cause: 'other' },
    ];
    for (const input of bad) expect(await errorOf(c.call('charges.flag', input as never))).toMatchObject({ code: 'validation.failed' });
    await c.call('charges.flag', { chargeId: charge.id, intendedMinor: 0, cause: 'duplicate' });
    expect(await errorOf(c.call('charges.flag', { chargeId: charge.id, intendedMinor: 0, cause: 'duplicate' }))).toMatchObject({ code: 'charge.not_flaggable' });
  });
});

describe('counter settings', () => {
  it('defaults; only a manager may change them; a change is audited and pushed; invalid values refused', async () => {
    const c = await boot();
    expect(await c.call('settings.counter.get', {})).toEqual(DEFAULT_COUNTER_SETTINGS);
    expect(await errorOf(c.call('settings.counter.update', { blindRekey: true }))).toMatchObject({ code: 'auth.required' });
    c.authz.signIn('office', 'Wang', 'cashier', 3);
    expect(await errorOf(c.call('settings.counter.update', { blindRekey: true }, 'office'))).toMatchObject({ code: 'auth.forbidden' });
    c.authz.signIn('office', 'Li Na');
    const updated = await c.call('settings.counter.update', { blindRekey: true, ceilingMinor: 500_000 }, 'office');
    expect(updated).toEqual({ ...DEFAULT_COUNTER_SETTINGS, blindRekey: true, ceilingMinor: 500_000 });
    expect(c.events.at(-1)).toEqual({ name: 'counter.settings', payload: updated });
    expect(c.ledger.auditRows(1, 100).at(-1)).toMatchObject({ action: 'settings.changed', actor: 'manager:Li Na', entityId: 'counter.settings' });
    expect(await c.call('settings.counter.get', {})).toEqual(updated);
    expect(await c.call('settings.counter.update', { ceilingMinor: null }, 'office')).toMatchObject({ ceilingMinor: null, blindRekey: true });

    for (const bad of [{}, { medianMultiple: 1 }, { duplicateWindowMinutes: 0 }, { ceilingMinor: 0 }, { ceilingMinor: 1.5 }, { blindRekey: 'yes' }, { surprise: 1 }]) {
      expect(await errorOf(c.call('settings.counter.update', bad as never, 'office')), JSON.stringify(bad)).toMatchObject({ code: 'validation.failed' });
    }
  });
});

describe('the settlement gate (simulated terminal)', () => {
  async function chargeViaSim(c: TestCore, amountMinor: number, pan?: string): Promise<Charge> {
    const sim = c.terminal!.simulator!;
    const made = sim.createCharge({ amountMinor, ...(pan ? { pan } : {}) });
    return until(() => c.ledger.history({}).find((x) => x.trace === made.trace));
  }

  it('refused while a charge is pending (batch.blocked, naming it), then settles and the totals match', async () => {
    const c = await boot(true);
    const a = await chargeViaSim(c, 12800);
    const b = await chargeViaSim(c, 5000);
    await c.call('charges.confirm', { chargeId: a.id });

    expect(await errorOf(c.call('batch.settle', {}))).toMatchObject({ code: 'auth.required' });
    c.authz.signIn('office', 'Li Na');
    const status = await c.call('batch.status', {});
    expect(status).toMatchObject({
      batch: '000001',
      terminalId: '10293847',
      currency: '156',
      pending: 1,
      confirmed: 1,
      totals: { sales: { count: 2, amountMinor: 17800 } },
      inDoubtSeq: null,
      lastSettlement: null,
    });
    expect(status.blockers.map((x) => [x.kind, x.charge.trace])).toEqual([['unconfirmed', b.trace]]);
    const refused = await errorOf(c.call('batch.settle', {}, 'office'));
    expect(refused).toMatchObject({ code: 'batch.blocked', params: { count: '1', traces: b.trace } });
    expect(c.terminal!.simulator!.executed).toEqual([]); // nothing was sent

    await c.call('charges.confirm', { chargeId: b.id });
    const report = await c.call('batch.settle', {}, 'office');
    expect(report).toMatchObject({ batch: '000001', nextBatch: '000002', matched: true, incidentId: null, settledBy: 'manager:Li Na' });
    expect(report.rows[0]).toMatchObject({ terminal: { count: 2, amountMinor: 17800 }, ledger: { count: 2, amountMinor: 17800 } });
    expect(c.events.at(-1)).toEqual({ name: 'batch.settled', payload: report });
    expect(c.terminal!.simulator!.executed.map((e) => e.type)).toEqual(['SE']);

    const after = await c.call('batch.status', {});
    expect(after).toMatchObject({ batch: null, blockers: [], lastSettlement: report });
    expect(c.ledger.verifyAudit().ok).toBe(true);
  });

  it('a flagged charge blocks until its incident is resolved, and is listed with its incident', async () => {
    const c = await boot(true);
    const a = await chargeViaSim(c, 128000);
    const { incident } = await c.call('charges.flag', { chargeId: a.id, intendedMinor: 12800, cause: 'operator_error' });
    c.authz.signIn('office', 'Li Na');
    const status = await c.call('batch.status', {});
    expect(status.blockers).toEqual([{ kind: 'flagged', charge: expect.objectContaining({ id: a.id, status: 'flagged' }), incident }]);
    expect(await errorOf(c.call('batch.settle', {}, 'office'))).toMatchObject({ code: 'batch.blocked' });
  });

  it('a terminal scripted to report wrong totals: the batch is settled and a settlement_mismatch incident opens', async () => {
    const c = await boot(true);
    const a = await chargeViaSim(c, 12800);
    await c.call('charges.confirm', { chargeId: a.id });
    c.terminal!.simulator!.inject({ kind: 'skew-next-settlement', saleCountDelta: 1, saleAmountDelta: 12800 });
    c.authz.signIn('office', 'Li Na');
    const report = await c.call('batch.settle', {}, 'office');
    expect(report.matched).toBe(false);
    expect(report.incidentId).not.toBeNull();
    expect(report.rows[0]).toMatchObject({ terminal: { count: 2, amountMinor: 25600 }, ledger: { count: 1, amountMinor: 12800 }, countDifference: 1, amountDifference: 12800 });
    const rows = c.ledger.auditRows(1, 200);
    expect(rows.at(-1)).toMatchObject({ action: 'incident.opened', actor: 'manager:Li Na', data: { kind: 'settlement_mismatch', settlementId: report.settlementId } });
  });

  it("a settlement whose answer is lost is never sent twice: in doubt until QT finds the answer, then recorded", async () => {
    const c = await boot(true);
    const a = await chargeViaSim(c, 700);
    await c.call('charges.confirm', { chargeId: a.id });
    c.authz.signIn('office', 'Li Na');
    const sim = c.terminal!.simulator!;
    sim.inject({ kind: 'lose-next-response' });
    const lost = await errorOf(c.call('batch.settle', {}, 'office'));
    expect(lost).toMatchObject({ code: 'batch.settle_unknown' });
    expect((await c.call('batch.status', {})).inDoubtSeq).toBe(lost.params.seq);
    expect(await errorOf(c.call('batch.settle', {}, 'office'))).toMatchObject({ code: 'batch.settle_in_doubt', params: { seq: lost.params.seq } });

    // Reconnect: the runner asks QT; the next status records the settlement (attributed to its sender).
    sim.unplug();
    sim.replug();
    const recovered = await until(async () => {
      const s = await c.call('batch.status', {});
      return s.lastSettlement ?? undefined;
    }, 10_000);
    expect(recovered).toMatchObject({ matched: true, requestSeq: lost.params.seq, settledBy: 'manager:Li Na', batch: '000001' });
    expect(sim.executed.filter((e) => e.type === 'SE')).toHaveLength(1);
    expect(c.events.some((e) => e.name === 'batch.settled')).toBe(true);
  });

  it('refuses when the terminal is not connected, sending nothing', async () => {
    const c = await boot(true);
    c.authz.signIn('office', 'Li Na');
    c.terminal!.simulator!.unplug();
    await until(() => (c.terminal!.state.kind !== 'connected' ? true : undefined));
    expect(await errorOf(c.call('batch.settle', {}, 'office'))).toMatchObject({ code: 'link.unavailable' });
    expect(c.ledger.unresolvedHostRequests()).toEqual([]);
  });
});
