import type { LinkMessage } from '../../native/link/types.js';
import type { NewCharge } from '../domain/charge.js';

function required(message: LinkMessage, tag: string): string {
  const value = message.fields[tag];
  if (value === undefined) throw new Error(`CH without ${tag}`);
  return value;
}

/** The codec already validated every form; this only maps tags to names and digits to integers. */
export function chargeFromMessage(message: LinkMessage): NewCharge {
  if (message.type !== 'CH') throw new Error(`expected CH, got ${message.type}`);
  const amountDigits = required(message, 'AM');
  const amountMinor = Number.parseInt(amountDigits, 10);
  if (!/^\d{12}$/.test(amountDigits) || !Number.isSafeInteger(amountMinor)) throw new Error('CH with a malformed amount');
  return {
    terminalId: required(message, 'TI'),
    merchantId: required(message, 'MI'),
    batch: required(message, 'BT'),
    trace: required(message, 'TR'),
    rrn: required(message, 'RF'),
    authCode: required(message, 'AC'),
    amountMinor,
    currency: required(message, 'CU'),
    panMasked: required(message, 'PN'),
    entryMode: required(message, 'EM') as NewCharge['entryMode'],
    brand: message.fields.CB ?? null,
    aid: message.fields.AI ?? null,
    txClass: message.fields.TC ?? null,
    merchantName: message.fields.MN ?? null,
    responseCode: required(message, 'RC'),
    terminalTime: required(message, 'DT'),
  };
}
