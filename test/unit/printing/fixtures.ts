import type { ReceiptBodyInput, ReceiptData } from '../../../electron/contract/commands/printing.js';
import { ReceiptBody } from '../../../electron/contract/commands/printing.js';

/** A manager's VOID of a wrong-amount sale, as the void flow would hand it to PrintService. */
export const VOID_BODY: ReceiptBodyInput = {
  kind: 'VOID',
  merchantName: '好运来便利店',
  merchantId: '898310058120001',
  terminalId: '10293847',
  batch: '000123',
  dateTime: '20251126140305',
  transaction: { trace: '000318', rrn: '533014000318', authCode: 'K48213' },
  original: { trace: '000317', rrn: '533014000317', authCode: 'K10734', dateTime: '20251126135512' },
  card: { panMasked: '622848******1234', brand: 'UnionPay', entryMode: 'C' },
  amountMinor: 128_000,
  currency: '156',
  reason: 'wrong_amount',
  note: '应收128.00元，误输1280.00元',
  manager: '王经理',
};

export const REFUND_BODY: ReceiptBodyInput = {
  ...VOID_BODY,
  kind: 'REFUND',
  dateTime: '20251127093012',
  transaction: { trace: '000401', rrn: '533109000401', authCode: 'K77120' },
  amountMinor: 5_000,
  reason: 'customer_request',
  note: null,
};

/** The same VOID for an English counter (merchant name in Latin letters). */
export const VOID_BODY_EN: ReceiptBodyInput = { ...VOID_BODY, merchantName: 'Good Luck Mart', note: 'Keyed 1280.00 instead of 128.00', manager: 'Ms Wang' };

export function receipt(body: ReceiptBodyInput, copy: ReceiptData['copy']): ReceiptData {
  return { ...ReceiptBody.parse(body), copy };
}
