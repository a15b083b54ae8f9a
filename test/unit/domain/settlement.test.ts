import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SettlementTotals } from '../../../electron/contract/counterSchemas.js';
import { SettlementReport } from '../../../electron/contract/counterSchemas.js';
import { incidentKindFor } from '../../../electron/domain/incidentKind.js';
import {
  MAX_WIRE_COUNT,
  compareSettlement,
  ledgerTotals,
  netMinor,
  parseSettlementFields,
  zeroTotals,
  type StatusGroup,
} from '../../../electron/domain/settlement.js';
import { buildSettlementReport } from '../../../electron/domain/settlementReport.js';

const countAmount = fc.record({ count: fc.integer({ min: 0, max: MAX_WIRE_COUNT }), amountMinor: fc.integer({ min: 0, max: 999_999_999_999 }) });
const totals: fc.Arbitrary<SettlementTotals> = fc.record({ sales: countAmount, voids: countAmount, refunds: countAmount });
const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** The SE answer a terminal would send for these totals (as native/sim/terminal.ts encodes it). */
function seFields(t: SettlementTotals, batch = '000027'): Record<string, string> {
  return {
    RQ: '000001',
    RC: '00',
    BT: batch,
    SC: pad(t.sales.count, 4),
    SA: pad(t.sales.amountMinor, 12),
    VC: pad(t.voids.count, 4),
    VA: pad(t.voids.amountMinor, 12),
    FC: pad(t.refunds.count, 4),
    FA: pad(t.refunds.amountMinor, 12),
    NB: '000028',
  };
}

describe('settlement comparison', () => {
  it('property: a batch always matches itself', () => {
    fc.assert(fc.property(totals, (t) => compareSettlement(t, structuredClone(t)).matched && compareSettlement(t, t).differences.length === 0));
  });

  it('property: exactly the figures that differ are reported, with terminal − ledger', () => {
    fc.assert(
      fc.property(totals, totals, (terminal, ledger) => {
        const { matched, differences } = compareSettlement(terminal, ledger);
        const expected: string[] = [];
        for (const c of ['sales', 'voids', 'refunds'] as const) {
          if (terminal[c].count !== ledger[c].count) expected.push(`${c}.count`);
          if (terminal[c].amountMinor !== ledger[c].amountMinor) expected.push(`${c}.amountMinor`);
        }
        expect(differences.map((d) => `${d.category}.${d.field}`)).toEqual(expected);
        for (const d of differences) {
          expect(d.difference).toBe(d.terminal - d.ledger);
          expect(Number.isSafeInteger(d.difference)).toBe(true);
        }
        return matched === (expected.length === 0);
      }),
    );
  });

  it('one extra sale on the terminal is a count and an amount difference in sales only', () => {
    const ledger: SettlementTotals = { ...zeroTotals(), sales: { count: 2, amountMinor: 17800 } };
    const terminal: SettlementTotals = { ...zeroTotals(), sales: { count: 3, amountMinor: 30600 } };
    expect(compareSettlement(terminal, ledger)).toEqual({
      matched: false,
      differences: [
        { category: 'sales', field: 'count', terminal: 3, ledger: 2, difference: 1 },
        { category: 'sales', field: 'amountMinor', terminal: 30600, ledger: 17800, difference: 12800 },
      ],
    });
  });

  it('a ledger count beyond the 4 wire digits is compared as the terminal can report it', () => {
    const ledger: SettlementTotals = { ...zeroTotals(), sales: { count: 12_000, amountMinor: 5 } };
    const terminal: SettlementTotals = { ...zeroTotals(), sales: { count: 9999, amountMinor: 5 } };
    expect(compareSettlement(terminal, ledger).matched).toBe(true);
  });
});

describe('ledger totals (counted the way the terminal counts)', () => {
  it('every charge is a sale (voided ones too), voided charges are also voids, refunds are what RF approved', () => {
    const groups: StatusGroup[] = [
      { status: 'confirmed', count: 3, amountMinor: 30000 },
      { status: 'voided', count: 1, amountMinor: 2500 },
      { status: 'refunded', count: 1, amountMinor: 10000 },
      { status: 'flagged', count: 1, amountMinor: 128000 },
    ];
    expect(ledgerTotals(groups, [4000, 6000])).toEqual({
      sales: { count: 6, amountMinor: 170500 },
      voids: { count: 1, amountMinor: 2500 },
      refunds: { count: 2, amountMinor: 10000 },
    });
    expect(ledgerTotals([], [])).toEqual(zeroTotals());
  });

  it('property: sales are the sum over all statuses, voids only the voided group', () => {
    const status = fc.constantFrom('pending', 'confirmed', 'flagged', 'voided', 'refunded', 'partially_refunded' as const);
    const group = fc.record({ status, count: fc.integer({ min: 0, max: 1000 }), amountMinor: fc.integer({ min: 0, max: 1e10 }) });
    fc.assert(
      fc.property(fc.array(group, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 1e9 }), { maxLength: 10 }), (groups, refunds) => {
        const t = ledgerTotals(groups, refunds);
        const sum = (gs: typeof groups) => gs.reduce((a, g) => a + g.amountMinor, 0);
        return (
          t.sales.amountMinor === sum(groups) &&
          t.sales.count === groups.reduce((a, g) => a + g.count, 0) &&
          t.voids.amountMinor === sum(groups.filter((g) => g.status === 'voided')) &&
          t.refunds.count === refunds.length &&
          t.refunds.amountMinor === refunds.reduce((a, r) => a + r, 0)
        );
      }),
    );
  });
});

describe("parsing the terminal's SE answer", () => {
  it('property: what a terminal encodes parses back to the same totals', () => {
    fc.assert(
      fc.property(totals, (t) => {
        const parsed = parseSettlementFields(seFields(t));
        return parsed.ok && JSON.stringify(parsed.value.totals) === JSON.stringify(t) && parsed.value.batch === '000027' && parsed.value.nextBatch === '000028';
      }),
    );
  });

  it.each([
    ['BT', { BT: '27' }],
    ['SC', { SC: '12' }],
    ['SA', { SA: '12.00' }],
    ['VC', { VC: undefined }],
    ['FA', { FA: '-00000000001' }],
    ['NB', { NB: 'x' }],
  ])('names the bad field %s', (field, change) => {
    const fields: Record<string, string | undefined> = { ...seFields(zeroTotals()), ...change };
    const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string>;
    expect(parseSettlementFields(clean)).toEqual({ ok: false, field });
  });
});

describe('settlement report data', () => {
  const base = {
    settlementId: 4,
    batch: '000027',
    nextBatch: '000028',
    terminalId: '10293847',
    currency: '156',
    settledBy: 'manager:Li Na',
    settledAt: '2026-11-23T10:00:00.000Z',
    requestSeq: '000009',
    incidentId: null,
  };

  it('matched: one row per category, net = sales − voids − refunds on both sides', () => {
    const t: SettlementTotals = { sales: { count: 5, amountMinor: 50000 }, voids: { count: 1, amountMinor: 2000 }, refunds: { count: 1, amountMinor: 500 } };
    const report = buildSettlementReport({ ...base, terminal: t, ledger: t });
    expect(SettlementReport.parse(report)).toEqual(report);
    expect(report.matched).toBe(true);
    expect(report.rows.map((r) => [r.category, r.matched, r.countDifference, r.amountDifference])).toEqual([
      ['sales', true, 0, 0],
      ['voids', true, 0, 0],
      ['refunds', true, 0, 0],
    ]);
    expect(report.netTerminalMinor).toBe(47500);
    expect(report.netLedgerMinor).toBe(47500);
  });

  it('property: the report matches exactly when the comparison does, and its differences add up', () => {
    fc.assert(
      fc.property(totals, totals, (terminal, ledger) => {
        const report = buildSettlementReport({ ...base, terminal, ledger, incidentId: 1 });
        const amountDiffs = report.rows.reduce((a, r) => a + r.amountDifference, 0);
        const expectedNet = netMinor(terminal) - netMinor(ledger);
        const signed = report.rows[0]!.amountDifference - report.rows[1]!.amountDifference - report.rows[2]!.amountDifference;
        return (
          report.matched === compareSettlement(terminal, ledger).matched &&
          report.rows.every((r) => r.matched === (r.terminal.count === r.ledger.count && r.terminal.amountMinor === r.ledger.amountMinor)) &&
          signed === expectedNet &&
          Number.isSafeInteger(amountDiffs)
        );
      }),
    );
  });
});

describe('incident kind of a flagged charge', () => {
  it('duplicate cause → duplicate_charge; charged more than intended → over_charge; otherwise wrong_amount', () => {
    expect(incidentKindFor('duplicate', 12800, 0)).toBe('duplicate_charge');
    expect(incidentKindFor('operator_error', 128000, 12800)).toBe('over_charge');
    expect(incidentKindFor('operator_error', 1280, 12800)).toBe('wrong_amount');
    expect(incidentKindFor('suspected_fraud', 12800, 12800)).toBe('wrong_amount');
  });
});
