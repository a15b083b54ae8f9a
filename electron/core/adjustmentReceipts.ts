import type { Charge } from '../contract/schemas.js';
import type { Adjustment } from '../ledger/adjustments.js';
import type { AdjustmentReceipts } from './adjustmentService.js';
import type { PrintService } from './printService.js';

/** The customer and merchant copies of an approved void (撤销) or refund (退货). */
export function adjustmentReceipts(printing: PrintService): AdjustmentReceipts {
  return {
    async print(adjustment: Adjustment, charge: Charge, actor: string) {
      const manager = actor.includes(':') ? actor.slice(actor.indexOf(':') + 1) : actor;
      try {
        return await printing.printReceipt(
          {
            kind: adjustment.kind === 'void' ? 'VOID' : 'REFUND',
            chargeId: charge.id,
            merchantName: '',
            merchantId: charge.merchantId,
            terminalId: charge.terminalId,
            batch: charge.batch,
            dateTime: adjustment.terminalTime ?? charge.terminalTime,
            transaction: { trace: adjustment.trace ?? '', rrn: adjustment.rrn ?? '', authCode: adjustment.authCode ?? '' },
            original: { trace: charge.trace, rrn: charge.rrn, authCode: charge.authCode, dateTime: charge.terminalTime },
            card: { panMasked: charge.panMasked, brand: charge.brand, entryMode: charge.entryMode },
            amountMinor: adjustment.amountMinor,
            currency: adjustment.currency,
            reason: adjustment.reason,
            note: adjustment.note.slice(0, 200),
            manager: manager.slice(0, 40),
          },
          ['customer', 'merchant'],
          actor,
        );
      } catch (error) {
        // An incomplete receipt must not hide that the money moved: report it as a failed copy.
        const message = (error as Error).message;
        return (['customer', 'merchant'] as const).map((copy) => ({
          jobId: null,
          copy,
          printerId: '',
          state: 'failed' as const,
          error: { code: 'print.receipt_invalid', message, params: {} },
          output: null,
          paperLow: false,
        }));
      }
    },
  };
}
