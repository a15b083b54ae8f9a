/**
 * The settlement comparison: what the terminal says it took in a batch (its SE answer) against what
 * the ledger recorded. Pure; integer minor units only.
 *
 * The terminal counts every sale approved in the batch in SC/SA (voided ones included), the voids
 * in VC/VA and the refunds made in the batch in FC/FA; the ledger side is counted the same way.
 */
import type { ChargeStatus } from '../contract/schemas.js';
import type { SettlementCategory, SettlementDifference, SettlementTotals } from '../contract/counterSchemas.js';

export const SETTLEMENT_CATEGORIES: readonly SettlementCategory[] = ['sales', 'voids', 'refunds'];

/** SC/VC/FC are 4 digits on the wire: the terminal reports at most this many. */
export const MAX_WIRE_COUNT = 9999;
export const MAX_WIRE_AMOUNT = 999_999_999_999;

export function zeroTotals(): SettlementTotals {
  return {
    sales: { count: 0, amountMinor: 0 },
    voids: { count: 0, amountMinor: 0 },
    refunds: { count: 0, amountMinor: 0 },
  };
}

export interface ParsedSettlement {
  /** BT: the batch the terminal closed. */
  batch: string;
  /** NB: the batch that opened; null when absent. */
  nextBatch: string | null;
  totals: SettlementTotals;
}

export type ParseSettlementResult = { ok: true; value: ParsedSettlement } | { ok: false; field: string };

/** An SE answer's fields → the terminal's totals; names the first missing or malformed field. */
export function parseSettlementFields(fields: Readonly<Record<string, string>>): ParseSettlementResult {
  const digits = (tag: string, width: number): number | null => {
    const v = fields[tag];
    return typeof v === 'string' && v.length === width && /^\d+$/.test(v) ? Number.parseInt(v, 10) : null;
  };
  const batch = fields.BT;
  if (typeof batch !== 'string' || !/^\d{6}$/.test(batch)) return { ok: false, field: 'BT' };
  const nb = fields.NB;
  if (nb !== undefined && !/^\d{6}$/.test(nb)) return { ok: false, field: 'NB' };
  const totals = zeroTotals();
  const spec: [SettlementCategory, string, string][] = [
    ['sales', 'SC', 'SA'],
    ['voids', 'VC', 'VA'],
    ['refunds', 'FC', 'FA'],
  ];
  for (const [category, countTag, amountTag] of spec) {
    const count = digits(countTag, 4);
    if (count === null) return { ok: false, field: countTag };
    const amount = digits(amountTag, 12);
    if (amount === null) return { ok: false, field: amountTag };
    totals[category] = { count, amountMinor: amount };
  }
  return { ok: true, value: { batch, nextBatch: nb ?? null, totals } };
}

/** Charges of a batch grouped by status (count and sum of their amounts), as SQL returns them. */
export interface StatusGroup {
  status: ChargeStatus;
  count: number;
  amountMinor: number;
}

/**
 * The ledger's totals of a batch: every charge is a sale (whatever became of it since), voided
 * charges are also voids, and refunds are the amounts the terminal approved (RF) in the batch.
 */
export function ledgerTotals(groups: readonly StatusGroup[], refundAmountsMinor: readonly number[]): SettlementTotals {
  const totals = zeroTotals();
  for (const g of groups) {
    totals.sales.count += g.count;
    totals.sales.amountMinor += g.amountMinor;
    if (g.status === 'voided') {
      totals.voids.count += g.count;
      totals.voids.amountMinor += g.amountMinor;
    }
  }
  for (const amount of refundAmountsMinor) {
    totals.refunds.count += 1;
    totals.refunds.amountMinor += amount;
  }
  return totals;
}

/** What the terminal could report for these totals: counts are 4 wire digits. */
function wireCount(n: number): number {
  return Math.min(n, MAX_WIRE_COUNT);
}

export interface SettlementComparison {
  matched: boolean;
  /** One entry per figure that differs, in category order, count before amount. */
  differences: SettlementDifference[];
}

/** Compares every figure; a count beyond 4 digits on the ledger's side is compared as 9999. */
export function compareSettlement(terminal: SettlementTotals, ledger: SettlementTotals): SettlementComparison {
  const differences: SettlementDifference[] = [];
  for (const category of SETTLEMENT_CATEGORIES) {
    const t = terminal[category];
    const l = ledger[category];
    const ledgerCount = wireCount(l.count);
    if (t.count !== ledgerCount) {
      differences.push({ category, field: 'count', terminal: t.count, ledger: ledgerCount, difference: t.count - ledgerCount });
    }
    if (t.amountMinor !== l.amountMinor) {
      differences.push({
        category,
        field: 'amountMinor',
        terminal: t.amountMinor,
        ledger: l.amountMinor,
        difference: t.amountMinor - l.amountMinor,
      });
    }
  }
  return { matched: differences.length === 0, differences };
}

/** Sales − voids − refunds. */
export function netMinor(t: SettlementTotals): number {
  return t.sales.amountMinor - t.voids.amountMinor - t.refunds.amountMinor;
}
