import { describe, expect, it } from 'vitest';
import { applyToQueue, currentIndex, reconcileCurrent } from '../../../renderer/store/queue.js';
import { EMPTY_HISTORY_FORM, appendPage, applyToHistory, buildHistoryQuery, localDate, matchesQuery } from '../../../renderer/store/history.js';
import { formatTerminalTime, parseTerminalTime } from '../../../renderer/format/charge.js';
import { CONFIRM_ARM_MS, counterKeyAction } from '../../../renderer/screens/counterKeys.js';
import type { KeyLike } from '../../../renderer/screens/counterKeys.js';
import { charge } from './fixtures.js';

const ids = (list: { id: number }[]) => list.map((c) => c.id);

describe('queue', () => {
  const q = [charge({ id: 1 }), charge({ id: 3 }), charge({ id: 5 })];

  it('inserts waiting charges in id order and removes settled ones', () => {
    expect(ids(applyToQueue(q, charge({ id: 4 })))).toEqual([1, 3, 4, 5]);
    expect(ids(applyToQueue(q, charge({ id: 9 })))).toEqual([1, 3, 5, 9]);
    expect(ids(applyToQueue(q, charge({ id: 3, status: 'confirmed' })))).toEqual([1, 5]);
    expect(ids(applyToQueue(q, charge({ id: 3, status: 'voided' })))).toEqual([1, 5]);
    expect(applyToQueue(q, charge({ id: 7, status: 'confirmed' }))).toBe(q);
    // Flagged for review: no longer confirmable, so it leaves the counter queue like the core's.
    expect(ids(applyToQueue(q, charge({ id: 3, status: 'flagged' })))).toEqual([1, 5]);
  });

  it('keeps the charge on screen; when it leaves, the next one follows', () => {
    expect(reconcileCurrent(q, [...q, charge({ id: 6 })], 3)).toBe(3);
    expect(reconcileCurrent(q, [q[0]!, q[2]!], 3)).toBe(5);
    expect(reconcileCurrent(q, [q[0]!, q[1]!], 5)).toBe(3);
    expect(reconcileCurrent(q, [], 1)).toBeNull();
    expect(reconcileCurrent([], q, null)).toBe(1);
    // Unknown to the previous queue (e.g. after a refetch): the first newer one.
    expect(reconcileCurrent([], q, 2)).toBe(3);
    expect(currentIndex(q, 5)).toBe(2);
    expect(currentIndex(q, null)).toBe(-1);
  });
});

describe('history filter', () => {
  it('builds a contract filter from the form strings', () => {
    expect(buildHistoryQuery(EMPTY_HISTORY_FORM, 2)).toEqual({ ok: true, query: {} });
    expect(
      buildHistoryQuery(
        { status: 'confirmed', flaggedOnly: true, last4: ' 1234 ', fromDate: '2026-11-01', toDate: '2026-11-23', minAmount: '10', maxAmount: '1,280.5' },
        2,
      ),
    ).toEqual({
      ok: true,
      query: { status: 'confirmed', flagged: true, last4: '1234', fromDate: '2026-11-01', toDate: '2026-11-23', minAmountMinor: 1000, maxAmountMinor: 128050 },
    });
  });

  it('reports each invalid field', () => {
    const result = buildHistoryQuery(
      { ...EMPTY_HISTORY_FORM, last4: '12a', fromDate: '2026-12-01', toDate: '2026-11-01', minAmount: '1.234', maxAmount: 'x' },
      2,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'last4', code: 'history.error.last4' },
        { field: 'dates', code: 'history.error.dates' },
        { field: 'minAmount', code: 'money.too_many_decimals', max: 2 },
        { field: 'maxAmount', code: 'money.invalid' },
      ],
    });
    expect(buildHistoryQuery({ ...EMPTY_HISTORY_FORM, minAmount: '5', maxAmount: '4' }, 2)).toEqual({
      ok: false,
      errors: [{ field: 'amounts', code: 'history.error.amounts' }],
    });
  });

  it('matches charges like the core filter', () => {
    // Local noon: the same local date in any time zone the test machine may have.
    const receivedAt = new Date(2026, 10, 23, 12, 0, 0).toISOString();
    const c = charge({ amountMinor: 12800, panMasked: '411111******1111', receivedAt, flags: [] });
    expect(localDate(receivedAt)).toBe('2026-11-23');
    expect(matchesQuery(c, {})).toBe(true);
    expect(matchesQuery(c, { last4: '111' })).toBe(true);
    expect(matchesQuery(c, { last4: '1234' })).toBe(false);
    expect(matchesQuery(c, { flagged: true })).toBe(false);
    expect(matchesQuery({ ...c, flags: [{ kind: 'unusual_amount', params: {} }] }, { flagged: true })).toBe(true);
    expect(matchesQuery(c, { fromDate: '2026-11-23', toDate: '2026-11-23' })).toBe(true);
    expect(matchesQuery(c, { fromDate: '2026-11-24' })).toBe(false);
    expect(matchesQuery(c, { minAmountMinor: 12800, maxAmountMinor: 12800 })).toBe(true);
    expect(matchesQuery(c, { maxAmountMinor: 12799 })).toBe(false);
  });

  it('places pushed changes into loaded rows only within the loaded range', () => {
    const rows = [charge({ id: 9 }), charge({ id: 7 }), charge({ id: 5 })];
    expect(ids(applyToHistory(rows, charge({ id: 10 }), {}, false))).toEqual([10, 9, 7, 5]);
    expect(ids(applyToHistory(rows, charge({ id: 8 }), {}, false))).toEqual([9, 8, 7, 5]);
    expect(applyToHistory(rows, charge({ id: 2 }), {}, false)).toBe(rows); // paging will fetch it
    expect(ids(applyToHistory(rows, charge({ id: 2 }), {}, true))).toEqual([9, 7, 5, 2]);
    expect(ids(applyToHistory(rows, charge({ id: 7, status: 'confirmed' }), { status: 'pending' }, false))).toEqual([9, 5]);
    expect(applyToHistory(rows, charge({ id: 7, status: 'confirmed' }), {}, false)[1]?.status).toBe('confirmed');
    expect(ids(appendPage(rows, [charge({ id: 5 }), charge({ id: 4 })]))).toEqual([9, 7, 5, 4]);
  });
});

describe('charge formatting', () => {
  it('reads terminal time without any timezone shift', () => {
    expect(parseTerminalTime('20261123143005')?.toISOString()).toBe('2026-11-23T14:30:05.000Z');
    expect(parseTerminalTime('20261323143005')).toBeNull();
    expect(parseTerminalTime('20260230120000')).toBeNull();
    expect(parseTerminalTime('2026112314300')).toBeNull();
    expect(formatTerminalTime('20261123143005', 'en')).toBe('Nov 23, 2026, 14:30:05');
    expect(formatTerminalTime('20261123143005', 'zh-CN')).toBe('2026年11月23日 14:30:05');
    expect(formatTerminalTime('20261123090005', 'en', 'short')).toMatch(/Nov 23.*09:00:05/);
    expect(formatTerminalTime('garbage', 'en')).toBe('garbage');
  });
});

describe('counter keys', () => {
  const el = (matches: string[]) => ({ closest: (selector: string) => (matches.some((m) => selector.includes(m)) ? {} : null) });
  const key = (k: string, extra: Partial<KeyLike> = {}): KeyLike => ({
    key: k,
    repeat: false,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    defaultPrevented: false,
    target: el([]) as unknown as EventTarget,
    ...extra,
  });

  it('maps Enter and the arrows', () => {
    expect(counterKeyAction(key('Enter'))).toBe('confirm');
    expect(counterKeyAction(key('ArrowRight'))).toBe('next');
    expect(counterKeyAction(key('ArrowLeft'))).toBe('prev');
    expect(counterKeyAction(key('a'))).toBeNull();
    expect(counterKeyAction(key('Enter', { target: null }))).toBe('confirm');
  });

  it('ignores keys in inputs and selects, held Enter, modifiers, IME composition and buttons', () => {
    expect(counterKeyAction(key('Enter', { target: el(['input']) as unknown as EventTarget }))).toBeNull();
    expect(counterKeyAction(key('ArrowLeft', { target: el(['select']) as unknown as EventTarget }))).toBeNull();
    expect(counterKeyAction(key('Enter', { repeat: true }))).toBeNull();
    expect(counterKeyAction(key('Enter', { ctrlKey: true }))).toBeNull();
    expect(counterKeyAction(key('Enter', { isComposing: true }))).toBeNull();
    expect(counterKeyAction(key('Enter', { target: el(['button']) as unknown as EventTarget }))).toBeNull();
    expect(counterKeyAction(key('ArrowRight', { target: el(['button']) as unknown as EventTarget }))).toBe('next');
    expect(CONFIRM_ARM_MS).toBeGreaterThanOrEqual(300);
  });
});
