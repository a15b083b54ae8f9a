import type { SettlementReport } from '../contract/counterSchemas.js';
import type { Ledger } from '../ledger/ledger.js';
import type { PrintService } from './printService.js';

const LINE_TYPE = { sales: 'SALE', voids: 'VOID', refunds: 'REFUND' } as const;

/** YYYYMMDDhhmmss in the till's local time (the SE answer carries no terminal time). */
export function localStamp(at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(at.getFullYear(), 4)}${p(at.getMonth() + 1)}${p(at.getDate())}${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
}

/**
 * Prints the settlement report (the terminal's figures, as the acquirer will see them) on the
 * default printer, merchant copy. A printer failure leaves the job queued; it never touches the
 * settlement itself.
 */
export async function printSettlementReport(printing: PrintService, ledger: Ledger, report: SettlementReport, actor: string, now: Date) {
  const merchantId = ledger.query(
    (db) => (db.prepare('SELECT merchant_id AS m FROM charges WHERE batch = ? ORDER BY id DESC LIMIT 1').get(report.batch) as { m: string } | undefined)?.m,
  );
  if (!merchantId || !report.terminalId || !report.currency) return [];
  return printing.printReceipt(
    {
      kind: 'SETTLEMENT',
      merchantName: '',
      merchantId,
      terminalId: report.terminalId,
      batch: report.batch,
      dateTime: localStamp(now),
      amountMinor: Math.max(0, report.netTerminalMinor),
      currency: report.currency,
      manager: actor.slice(actor.indexOf(':') + 1).slice(0, 40),
      settlement: {
        lines: report.rows.map((row) => ({ type: LINE_TYPE[row.category], count: row.terminal.count, amountMinor: row.terminal.amountMinor })),
        netMinor: report.netTerminalMinor,
      },
    },
    ['merchant'],
    actor,
  );
}
