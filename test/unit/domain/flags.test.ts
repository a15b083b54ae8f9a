import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_FLAG_SETTINGS,
  digitSlip,
  medianMinor,
  possibleDuplicate,
  rekeyFlags,
  unusualAmount,
  type ChargeFacts,
} from '../../../electron/domain/flags.js';

const base: ChargeFacts = { id: 2, amountMinor: 12800, panMasked: '622848******1234', trace: '000002', receivedAtMs: 1_000_000_000, status: 'pending' };

describe('possible duplicate swipe', () => {
  const earlier: ChargeFacts = { ...base, id: 1, trace: '000001', receivedAtMs: base.receivedAtMs - 3 * 60_000, status: 'confirmed' };

  it('flags the same card and amount within the window, naming the other charge', () => {
    expect(possibleDuplicate(base, [earlier], DEFAULT_FLAG_SETTINGS)).toEqual({
      kind: 'possible_duplicate',
      params: { otherTrace: '000001', otherId: 1, minutes: 3 },
    });
  });

  it('does not flag another amount, another card, a voided original, or outside the window', () => {
    expect(possibleDuplicate(base, [{ ...earlier, amountMinor: 12801 }], DEFAULT_FLAG_SETTINGS)).toBeNull();
    expect(possibleDuplicate(base, [{ ...earlier, panMasked: '622848******9999' }], DEFAULT_FLAG_SETTINGS)).toBeNull();
    expect(possibleDuplicate(base, [{ ...earlier, status: 'voided' }], DEFAULT_FLAG_SETTINGS)).toBeNull();
    expect(possibleDuplicate(base, [{ ...earlier, receivedAtMs: base.receivedAtMs - 11 * 60_000 }], DEFAULT_FLAG_SETTINGS)).toBeNull();
    expect(possibleDuplicate(base, [base], DEFAULT_FLAG_SETTINGS)).toBeNull();
  });
});

describe('unusual amount', () => {
  const sample = Array.from({ length: 30 }, (_, i) => 5000 + i * 100);

  it('flags at or above 5x the median of recent confirmed charges', () => {
    const median = medianMinor(sample)!;
    expect(unusualAmount({ ...base, amountMinor: median * 5 }, sample, DEFAULT_FLAG_SETTINGS)?.kind).toBe('unusual_amount');
    expect(unusualAmount({ ...base, amountMinor: median * 5 - 1 }, sample, DEFAULT_FLAG_SETTINGS)).toBeNull();
  });

  it('needs enough history before judging by the median', () => {
    expect(unusualAmount({ ...base, amountMinor: 10_000_000 }, sample.slice(0, 5), DEFAULT_FLAG_SETTINGS)).toBeNull();
  });

  it('flags anything above a configured ceiling', () => {
    const settings = { ...DEFAULT_FLAG_SETTINGS, ceilingMinor: 100_000 };
    expect(unusualAmount({ ...base, amountMinor: 100_001 }, [], settings)?.params.reason).toBe('ceiling');
    expect(unusualAmount({ ...base, amountMinor: 100_000 }, [], settings)).toBeNull();
  });
});

describe('digit slips', () => {
  it.each([
    [128000, 12800, 'times10'],
    [1280000, 12800, 'times100'],
    [1280, 12800, 'tenth'],
    [128, 12800, 'hundredth'],
    [12080, 12800, 'swap'],
    [21800, 12800, 'swap'],
  ] as const)('charged %i for %i is %s', (charged, intended, slip) => {
    expect(digitSlip(charged, intended)).toBe(slip);
  });

  it('is not a slip when the digits differ otherwise', () => {
    expect(digitSlip(12900, 12800)).toBeNull();
    expect(digitSlip(12800, 12800)).toBeNull();
    expect(digitSlip(18300, 12800)).toBeNull();
    expect(digitSlip(82100, 12800)).toBeNull();
  });

  it('re-key mismatch always flags, with the slip when there is one', () => {
    expect(rekeyFlags(128000, 12800).map((f) => f.kind)).toEqual(['rekey_mismatch', 'digit_slip']);
    expect(rekeyFlags(13000, 12800).map((f) => f.kind)).toEqual(['rekey_mismatch']);
    expect(rekeyFlags(12800, 12800)).toEqual([]);
  });

  it('property: ten times any amount is always recognised, and the median is one of the values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999 }), (x) => digitSlip(x * 10, x) === 'times10' && digitSlip(x, x * 10) === 'tenth'),
    );
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1 }), (xs) => xs.includes(medianMinor(xs)!)));
  });
});
