/**
 * The detectors through the intake: a charge reported by the terminal is stored, flagged by the
 * pure rules over what the real ledger holds, and pushed once with its flags.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createChargeIntake, DETECTOR_ACTOR } from '../../../electron/core/chargeIntake.js';
import { updateCounterSettings } from '../../../electron/core/counterSettings.js';
import { createEventHub } from '../../../electron/core/events.js';
import type { ApiEvent } from '../../../electron/contract/api.js';
import type { Charge } from '../../../electron/contract/schemas.js';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { newCharge, tempLedgerFile, testClock } from '../ledger/helpers.js';

const CARD_A = '622848******1234';
const CARD_B = '622848******9876';
const MIN = 60_000;

interface Rig {
  ledger: Ledger;
  clock: ReturnType<typeof testClock>;
  events: ApiEvent[];
  errors: string[];
  intake: (c: Parameters<ReturnType<typeof createChargeIntake>>[0]) => Charge;
  at(minutes: number): void;
}

const open: Ledger[] = [];
afterEach(() => {
  for (const l of open.splice(0)) l.close();
});

async function rig(): Promise<Rig> {
  const clock = testClock('2026-11-23T06:00:00.000Z', 0);
  const ledger = await openLedger(tempLedgerFile(), { clock });
  open.push(ledger);
  const hub = createEventHub();
  const events: ApiEvent[] = [];
  const errors: string[] = [];
  hub.subscribe((e) => events.push(e));
  const intake = createChargeIntake({ ledger, hub, log: { info() {}, warn() {}, error: (m) => errors.push(m) } });
  const start = Date.parse('2026-11-23T06:00:00.000Z');
  return { ledger, clock, events, errors, intake, at: (minutes) => clock.set(new Date(start + minutes * MIN)) };
}

const kinds = (c: Charge) => c.flags.map((f) => f.kind);

describe('possible duplicate swipe', () => {
  it('the same card and amount within the window is flagged, naming the first charge; one push with the flags', async () => {
    const r = await rig();
    const first = r.intake(newCharge({ panMasked: CARD_A, amountMinor: 12800 }));
    r.at(3);
    const second = r.intake(newCharge({ panMasked: CARD_A, amountMinor: 12800 }));
    expect(kinds(first)).toEqual([]);
    expect(second.flags).toEqual([{ kind: 'possible_duplicate', params: { otherTrace: first.trace, otherId: first.id, minutes: 3 } }]);
    expect(r.ledger.getCharge(second.id)!.flags).toEqual(second.flags);
    expect(r.events.map((e) => e.name === 'charge.changed' && [e.payload.id, kinds(e.payload)])).toEqual([
      [first.id, []],
      [second.id, ['possible_duplicate']],
    ]);
    const flagRows = r.ledger.auditRows(1, 100).filter((a) => a.action === 'charge.flags_set');
    expect(flagRows).toHaveLength(1);
    expect(flagRows[0]).toMatchObject({ actor: DETECTOR_ACTOR, entityId: String(second.id) });
  });

  it('no false duplicate: another card, another amount (by one fen), outside the window, or a narrower window setting', async () => {
    const r = await rig();
    r.intake(newCharge({ panMasked: CARD_A, amountMinor: 12800 }));
    r.at(1);
    expect(kinds(r.intake(newCharge({ panMasked: CARD_B, amountMinor: 12800 })))).toEqual([]);
    expect(kinds(r.intake(newCharge({ panMasked: CARD_A, amountMinor: 12801 })))).toEqual([]);
    r.at(10 + 1 / 60); // just past 10 minutes after the first
    expect(kinds(r.intake(newCharge({ panMasked: CARD_A, amountMinor: 12800, terminalTime: '20261123141001' })))).toEqual([]);

    updateCounterSettings(r.ledger, { duplicateWindowMinutes: 2 }, 'manager:Li');
    r.at(20);
    r.intake(newCharge({ panMasked: CARD_B, amountMinor: 500 }));
    r.at(23);
    expect(kinds(r.intake(newCharge({ panMasked: CARD_B, amountMinor: 500 })))).toEqual([]);
    r.at(24);
    expect(kinds(r.intake(newCharge({ panMasked: CARD_B, amountMinor: 500 })))).toEqual(['possible_duplicate']);
  });

  it('property: flagged exactly when an earlier charge has the same masked card and amount within the window', async () => {
    const step = fc.record({
      card: fc.constantFrom(CARD_A, CARD_B, '622848******0001'),
      amountMinor: fc.constantFrom(100, 12800, 12801, 128000),
      gapMinutes: fc.integer({ min: 0, max: 7 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const r = await rig();
        let minutes = 0;
        const seen: { card: string; amountMinor: number; minutes: number }[] = [];
        for (const s of steps) {
          minutes += s.gapMinutes;
          r.at(minutes);
          const stored = r.intake(newCharge({ panMasked: s.card, amountMinor: s.amountMinor }));
          const expected = seen.some((e) => e.card === s.card && e.amountMinor === s.amountMinor && minutes - e.minutes <= 10);
          expect(kinds(stored).includes('possible_duplicate'), JSON.stringify({ steps, at: seen.length })).toBe(expected);
          seen.push({ card: s.card, amountMinor: s.amountMinor, minutes });
        }
        r.ledger.close();
        open.splice(open.indexOf(r.ledger), 1);
      }),
      { numRuns: 40 },
    );
  });

  it('a repeated delivery of the same charge (same terminal, batch, trace) is neither flagged against itself nor pushed again', async () => {
    const r = await rig();
    const input = newCharge({ panMasked: CARD_A, amountMinor: 12800 });
    const first = r.intake(input);
    r.at(1);
    const again = r.intake(input);
    expect(again).toEqual(first);
    expect(kinds(again)).toEqual([]);
    expect(r.events).toHaveLength(1);
  });
});

describe('unusual amount', () => {
  async function withConfirmed(n: number, amountMinor: number) {
    const r = await rig();
    for (let i = 0; i < n; i++) {
      const c = r.ledger.recordCharge(newCharge({ panMasked: `622848******${String(1000 + i)}`, amountMinor }), 'terminal:10293847').charge;
      r.ledger.confirmCharge(c.id, 'cashier');
    }
    return r;
  }

  it('at or above 5× the median of the recent confirmed charges (with enough of them), not below', async () => {
    const r = await withConfirmed(20, 10000);
    const unusual = r.intake(newCharge({ panMasked: CARD_A, amountMinor: 50000 }));
    expect(unusual.flags).toEqual([{ kind: 'unusual_amount', params: { reason: 'median', medianMinor: 10000, multiple: 5 } }]);
    expect(kinds(r.intake(newCharge({ panMasked: CARD_B, amountMinor: 49999 })))).toEqual([]);
  });

  it('needs the minimum sample; the multiple and the sample are settings', async () => {
    const r = await withConfirmed(19, 10000);
    expect(kinds(r.intake(newCharge({ panMasked: CARD_A, amountMinor: 1_000_000 })))).toEqual([]);
    updateCounterSettings(r.ledger, { minSampleForMedian: 10, medianMultiple: 3 }, 'manager:Li');
    expect(kinds(r.intake(newCharge({ panMasked: CARD_B, amountMinor: 30000 })))).toEqual(['unusual_amount']);
  });

  it('above the ceiling, whatever the history', async () => {
    const r = await rig();
    updateCounterSettings(r.ledger, { ceilingMinor: 100_000 }, 'manager:Li');
    expect(kinds(r.intake(newCharge({ panMasked: CARD_A, amountMinor: 100_000 })))).toEqual([]);
    const over = r.intake(newCharge({ panMasked: CARD_B, amountMinor: 100_001 }));
    expect(over.flags).toEqual([{ kind: 'unusual_amount', params: { reason: 'ceiling', ceilingMinor: 100_000 } }]);
  });

  it('a charge can be both a duplicate and unusual', async () => {
    const r = await rig();
    updateCounterSettings(r.ledger, { ceilingMinor: 1000 }, 'manager:Li');
    r.intake(newCharge({ panMasked: CARD_A, amountMinor: 5000 }));
    expect(kinds(r.intake(newCharge({ panMasked: CARD_A, amountMinor: 5000 })))).toEqual(['possible_duplicate', 'unusual_amount']);
  });
});

describe('resilience', () => {
  it('a failing detector never loses the charge: stored, pushed unflagged, the failure logged', async () => {
    const r = await rig();
    const broken = new Proxy(r.ledger, {
      get(target, prop, receiver) {
        if (prop === 'chargesByCardSince') return () => {
          throw new Error('disk hiccup');
        };
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const hub = createEventHub();
    const events: ApiEvent[] = [];
    hub.subscribe((e) => events.push(e));
    const errors: string[] = [];
    const intake = createChargeIntake({ ledger: broken, hub, log: { info() {}, warn() {}, error: (m) => errors.push(m) } });
    const c = intake(newCharge({ panMasked: CARD_A, amountMinor: 100 }));
    expect(r.ledger.getCharge(c.id)).toMatchObject({ status: 'pending', flags: [] });
    expect(events).toHaveLength(1);
    expect(errors).toEqual(['charge.flags_failed']);
  });

  it('a stored setting that no longer validates falls back to the defaults (and is reported)', async () => {
    const r = await rig();
    r.ledger.settings.set('counter.settings', { duplicateWindowMinutes: 0 }, 'someone');
    r.intake(newCharge({ panMasked: CARD_A, amountMinor: 100 }));
    r.at(9);
    expect(kinds(r.intake(newCharge({ panMasked: CARD_A, amountMinor: 100 })))).toEqual(['possible_duplicate']);
    expect(r.errors).toContain('settings.counter_invalid');
  });
});
