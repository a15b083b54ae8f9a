import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Charge, ChargeStatus } from '../../../electron/contract/schemas.js';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { SQL, buildHistoryQuery, historyQueries, type HistoryQueryInput } from '../../../electron/ledger/queries.js';
import { ledgerErrorOf, newCharge, tempLedgerFile, testClock } from './helpers.js';

/**
 * One ledger of 400 charges over 8 days (UTC), with known PANs, amounts and statuses; every
 * history answer is checked against the same filter applied in plain JS to all charges.
 */
const originalTz = process.env.TZ;
let ledger: Ledger;
let all: Charge[];
let file: string;

const PANS = ['622848******1234', '436742******5234', '622202******0034', '625807******1235', '621700******9999'];

beforeAll(async () => {
  process.env.TZ = 'UTC';
  file = tempLedgerFile('file');
  const clock = testClock('2026-03-01T00:00:00.000Z');
  ledger = await openLedger(file, { clock, durability: 'demo' });
  for (let i = 0; i < 400; i++) {
    clock.set(new Date(Date.parse('2026-03-01T00:00:00.000Z') + i * 29 * 60_000)); // ~8 days
    const { charge } = ledger.recordCharge(
      newCharge({ panMasked: PANS[i % PANS.length]!, amountMinor: (i * 7919) % 50_000 }),
      'terminal:10293847',
    );
    if (i % 4 === 0) ledger.confirmCharge(charge.id, 'cashier');
    else if (i % 13 === 0) ledger.flagCharge(charge.id, 'cashier', 'check');
    else if (i % 11 === 0) ledger.setFlags(charge.id, [{ kind: 'possible_duplicate', params: { otherTrace: '000001' } }], 'detector');
  }
  all = ledger.history({ limit: 1000 });
});

afterAll(() => {
  ledger.close();
  process.env.TZ = originalTz;
});

interface Filter {
  status?: ChargeStatus;
  flagged?: boolean;
  last4?: string;
  fromDate?: string;
  toDate?: string;
  minAmountMinor?: number;
  maxAmountMinor?: number;
  beforeId?: number;
  limit?: number;
}

function expected(f: Filter): number[] {
  return all
    .filter((c) => f.status === undefined || c.status === f.status)
    .filter((c) => f.flagged === undefined || (c.status === 'flagged' || c.flags.length > 0) === f.flagged)
    .filter((c) => f.last4 === undefined || c.panMasked.endsWith(f.last4))
    .filter((c) => f.fromDate === undefined || c.receivedAt.slice(0, 10) >= f.fromDate)
    .filter((c) => f.toDate === undefined || c.receivedAt.slice(0, 10) <= f.toDate)
    .filter((c) => f.minAmountMinor === undefined || c.amountMinor >= f.minAmountMinor)
    .filter((c) => f.maxAmountMinor === undefined || c.amountMinor <= f.maxAmountMinor)
    .filter((c) => f.beforeId === undefined || c.id < f.beforeId)
    .map((c) => c.id)
    .slice(0, f.limit ?? 200);
}

const ids = (f: Filter) => ledger.history(f).map((c) => c.id);

describe('history', () => {
  test('no filter: newest first, default limit 200', () => {
    expect(all).toHaveLength(400);
    expect(all.map((c) => c.id)).toEqual([...all.map((c) => c.id)].sort((a, b) => b - a));
    expect(ids({})).toEqual(expected({}));
    expect(ids({})).toHaveLength(200);
  });

  test.each(['1234', '234', '34', '4', '9999', '0034', '0000'])('last4 %s: suffix match on the last 4', (last4) => {
    const got = ids({ last4, limit: 1000 });
    expect(got).toEqual(expected({ last4, limit: 1000 }));
    if (last4 !== '0000') expect(got.length).toBeGreaterThan(0);
  });

  test('last4 "234" matches ...1234 and ...5234 but not ...1235; merged pages are ordered and limited', () => {
    const got = ledger.history({ last4: '234', limit: 30 });
    expect(new Set(got.map((c) => c.panMasked.slice(-4)))).toEqual(new Set(['1234', '5234']));
    expect(got.map((c) => c.id)).toEqual(expected({ last4: '234', limit: 30 }));
  });

  test.each<ChargeStatus>(['pending', 'confirmed', 'flagged', 'voided'])('status %s', (status) => {
    expect(ids({ status, limit: 1000 })).toEqual(expected({ status, limit: 1000 }));
  });

  test('flagged true / false', () => {
    const flagged = ids({ flagged: true, limit: 1000 });
    expect(flagged).toEqual(expected({ flagged: true, limit: 1000 }));
    expect(flagged.length).toBeGreaterThan(0);
    expect(ids({ flagged: false, limit: 1000 })).toEqual(expected({ flagged: false, limit: 1000 }));
  });

  test('amount range, exact amount, and an empty range', () => {
    expect(ids({ minAmountMinor: 10_000, maxAmountMinor: 20_000, limit: 1000 })).toEqual(
      expected({ minAmountMinor: 10_000, maxAmountMinor: 20_000, limit: 1000 }),
    );
    const one = all[17]!.amountMinor;
    expect(ids({ minAmountMinor: one, maxAmountMinor: one })).toEqual(expected({ minAmountMinor: one, maxAmountMinor: one }));
    expect(ids({ minAmountMinor: 100, maxAmountMinor: 99 })).toEqual([]);
    expect(ids({ minAmountMinor: 45_000 })).toEqual(expected({ minAmountMinor: 45_000 }));
  });

  test('local date ranges: one day, several days, open ends', () => {
    for (const f of [
      { fromDate: '2026-03-03', toDate: '2026-03-03' },
      { fromDate: '2026-03-02', toDate: '2026-03-05' },
      { fromDate: '2026-03-06' },
      { toDate: '2026-03-02' },
      { fromDate: '2026-02-01', toDate: '2026-12-31' },
    ]) {
      expect(ids({ ...f, limit: 1000 })).toEqual(expected({ ...f, limit: 1000 }));
    }
  });

  test('combined filters', () => {
    const f: Filter = { last4: '1234', status: 'confirmed', fromDate: '2026-03-02', toDate: '2026-03-07', minAmountMinor: 5_000, limit: 1000 };
    expect(ids(f)).toEqual(expected(f));
    const g: Filter = { flagged: true, last4: '34', limit: 1000 };
    expect(ids(g)).toEqual(expected(g));
  });

  test('keyset pages by beforeId cover everything once, in order, for plain and filtered queries', () => {
    for (const base of [{}, { last4: '234' }, { status: 'pending' as const }, { fromDate: '2026-03-02', toDate: '2026-03-04' }]) {
      const seen: number[] = [];
      let beforeId: number | undefined;
      for (;;) {
        const page = ids({ ...base, limit: 37, ...(beforeId ? { beforeId } : {}) });
        if (page.length === 0) break;
        seen.push(...page);
        beforeId = page.at(-1);
      }
      expect(seen).toEqual(expected({ ...base, limit: 1000 }));
    }
  });

  test('invalid filters are refused with history.invalid_filter', () => {
    for (const bad of [{ last4: '12345' }, { last4: '12a4' }, { fromDate: '2026-3-1' }, { fromDate: '2026-02-30' }, { limit: 0 }, { status: 'paid' }]) {
      expect(ledgerErrorOf(() => ledger.history(bad as never)).code).toBe('history.invalid_filter');
    }
  });
});

describe('query plans (no full scans where a page must come fast at 1M charges)', () => {
  let raw: Database.Database;
  beforeAll(() => {
    raw = new Database(file, { readonly: true });
  });
  afterAll(() => raw.close());

  function plan(sql: string, params: unknown[]): string {
    return (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
  }

  test('the counter queue is a range of the status index, already in id order', () => {
    const p = plan(SQL.pendingQueue, [500]);
    expect(p).toMatch(/SEARCH charges USING INDEX charges_status \(status=\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  test("today's totals read the running-totals table by key range", () => {
    expect(plan(SQL.totalsBetween, ['2026-03-01T16:00', '2026-03-02T16:00'])).toMatch(/SEARCH charge_totals USING PRIMARY KEY \(bucket>\? AND bucket<\?\)/);
  });

  test('the duplicate-swipe lookup is a range of the card index', () => {
    expect(plan(SQL.chargesByCardSince, ['622848******1234', '2026-03-01T00:00:00.000Z'])).toMatch(
      /SEARCH charges USING INDEX charges_card \(pan_masked=\? AND received_at>\?\)/,
    );
  });

  test('recent confirmed amounts walk the status index backwards, no sort', () => {
    const p = plan(SQL.recentConfirmedAmounts, [200]);
    expect(p).toMatch(/USING (COVERING )?INDEX charges_status \(status=\?\)/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  const cases: [string, HistoryQueryInput, RegExp, boolean][] = [
    ['last 4', { last4: '1234', limit: 200 }, /INDEX charges_last4 \(pan_last4=\?\)/, false],
    ['last 4 + keyset', { last4: '1234', beforeId: 100, limit: 200 }, /INDEX charges_last4 \(pan_last4=\? AND rowid<\?\)/, false],
    ['last 4 + status + dates', { last4: '1234', status: 'confirmed', fromIso: 'a', toIsoExclusive: 'b', limit: 200 }, /INDEX charges_last4 \(pan_last4=\?\)/, false],
    ['flagged', { flagged: true, limit: 200 }, /INDEX charges_attention/, false],
    ['pending status', { status: 'pending', limit: 200 }, /INDEX charges_status \(status=\?\)/, false],
    ['exact amount', { minAmountMinor: 12800, maxAmountMinor: 12800, limit: 200 }, /INDEX charges_amount \(amount_minor=\?\)/, false],
    ['one day', { fromIso: '2026-03-01T00:00:00.000Z', toIsoExclusive: '2026-03-02T00:00:00.000Z', limit: 200 }, /INDEX charges_received \(received_at>\? AND received_at<\?\)/, true],
    ['no filter', { limit: 200 }, /SCAN charges/, false],
  ];
  test.each(cases)('history: %s', (_name, q, expectedPlan, sorts) => {
    const { sql, params } = buildHistoryQuery(q);
    const p = plan(sql, params);
    expect(p).toMatch(expectedPlan);
    expect(/TEMP B-TREE/.test(p)).toBe(sorts);
  });

  test('a 3-digit suffix becomes 10 exact last-4 index walks', () => {
    const queries = historyQueries({ last4: '234', limit: 200 });
    expect(queries.map((q) => q.params[0])).toEqual(['0234', '1234', '2234', '3234', '4234', '5234', '6234', '7234', '8234', '9234']);
    expect(new Set(queries.map((q) => q.sql)).size).toBe(1);
    expect(plan(queries[0]!.sql, queries[0]!.params)).toMatch(/INDEX charges_last4 \(pan_last4=\?\)/);
  });
});
