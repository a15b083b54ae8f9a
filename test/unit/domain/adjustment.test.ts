import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkAdjustmentAmount, planAdjustment, responseCodeMeaning, statusAfter } from '../../../electron/domain/adjustment.js';

const none = { refundedMinor: 0, inFlightRefundMinor: 0, voided: false, voidInFlight: false };

describe('void or refund', () => {
  it('voids a charge of the open batch, in full only', () => {
    const plan = planAdjustment({ amountMinor: 128000, status: 'confirmed', settled: false }, none);
    expect(plan).toMatchObject({ ok: true, mode: 'void', why: 'open_batch', maxMinor: 128000 });
    if (!plan.ok) throw new Error('unreachable');
    expect(checkAdjustmentAmount(plan, 128000)).toEqual({ ok: true });
    expect(checkAdjustmentAmount(plan, 115200)).toEqual({ ok: false, code: 'void_must_be_full' });
  });

  it('refunds a settled charge in parts, never beyond what remains', () => {
    const plan = planAdjustment({ amountMinor: 128000, status: 'confirmed', settled: true }, { ...none, refundedMinor: 100000 });
    expect(plan).toMatchObject({ ok: true, mode: 'refund', remainingMinor: 28000 });
    if (!plan.ok) throw new Error('unreachable');
    expect(checkAdjustmentAmount(plan, 28000)).toEqual({ ok: true });
    expect(checkAdjustmentAmount(plan, 28001)).toEqual({ ok: false, code: 'refund_beyond_remaining' });
    expect(checkAdjustmentAmount(plan, 0)).toEqual({ ok: false, code: 'amount_not_positive' });
  });

  it('counts refunds still in flight against what remains', () => {
    const plan = planAdjustment({ amountMinor: 10000, status: 'confirmed', settled: true }, { ...none, inFlightRefundMinor: 10000 });
    expect(plan).toEqual({ ok: false, code: 'refund_in_flight_covers_rest', remainingMinor: 0 });
  });

  it('refuses a second void, a void in flight, and a fully refunded charge', () => {
    expect(planAdjustment({ amountMinor: 1, status: 'voided', settled: false }, { ...none, voided: true })).toMatchObject({ ok: false, code: 'already_voided' });
    expect(planAdjustment({ amountMinor: 1, status: 'confirmed', settled: false }, { ...none, voidInFlight: true })).toMatchObject({ ok: false, code: 'void_in_flight' });
    expect(planAdjustment({ amountMinor: 500, status: 'refunded', settled: true }, { ...none, refundedMinor: 500 })).toMatchObject({ ok: false, code: 'fully_refunded' });
  });

  it('property: any sequence of accepted partial refunds never exceeds the charge', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.array(fc.integer({ min: 1, max: 1e9 }), { maxLength: 20 }), (amount, asks) => {
        let refunded = 0;
        for (const ask of asks) {
          const plan = planAdjustment({ amountMinor: amount, status: 'confirmed', settled: true }, { ...none, refundedMinor: refunded });
          if (!plan.ok) break;
          if (checkAdjustmentAmount(plan, ask).ok) refunded += ask;
        }
        return refunded <= amount;
      }),
    );
  });

  it('names the status after the answers', () => {
    expect(statusAfter(100, 0, true, 'confirmed')).toBe('voided');
    expect(statusAfter(100, 100, false, 'confirmed')).toBe('refunded');
    expect(statusAfter(100, 40, false, 'confirmed')).toBe('partially_refunded');
    expect(statusAfter(100, 0, false, 'flagged')).toBe('flagged');
  });

  it('explains response codes', () => {
    expect(responseCodeMeaning('00')).toBe('approved');
    expect(responseCodeMeaning('25')).toBe('original_not_found');
    expect(responseCodeMeaning('Z9')).toBe('unknown_code');
  });
});
