/**
 * The settlement report's data: what is shown after settling and, later, printed (the printing
 * module renders this; it decides nothing). Pure.
 */
import type { SettlementReport, SettlementTotals } from '../contract/counterSchemas.js';
import { SETTLEMENT_CATEGORIES, compareSettlement, netMinor } from './settlement.js';

export interface SettlementReportInput {
  settlementId: number;
  batch: string;
  nextBatch: string | null;
  terminalId: string | null;
  currency: string | null;
  settledBy: string;
  settledAt: string;
  requestSeq: string;
  terminal: SettlementTotals;
  ledger: SettlementTotals;
  incidentId: number | null;
}

export function buildSettlementReport(input: SettlementReportInput): SettlementReport {
  const { differences, matched } = compareSettlement(input.terminal, input.ledger);
  const rows = SETTLEMENT_CATEGORIES.map((category) => {
    const terminal = input.terminal[category];
    const ledger = input.ledger[category];
    const mine = differences.filter((d) => d.category === category);
    const countDiff = mine.find((d) => d.field === 'count')?.difference ?? 0;
    return {
      category,
      terminal: { ...terminal },
      ledger: { ...ledger },
      countDifference: countDiff,
      amountDifference: terminal.amountMinor - ledger.amountMinor,
      matched: mine.length === 0,
    };
  });
  return {
    settlementId: input.settlementId,
    batch: input.batch,
    nextBatch: input.nextBatch,
    terminalId: input.terminalId,
    currency: input.currency,
    settledBy: input.settledBy,
    settledAt: input.settledAt,
    requestSeq: input.requestSeq,
    rows,
    netTerminalMinor: netMinor(input.terminal),
    netLedgerMinor: netMinor(input.ledger),
    matched,
    incidentId: input.incidentId,
  };
}
