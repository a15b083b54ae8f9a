/**
 * A charge as the terminal reports it (one CH message), and the checks it must pass before it is
 * stored. Pure.
 */
import type { Charge } from '../contract/schemas.js';
import { checkMaskedPan } from './pan.js';

export type EntryMode = Charge['entryMode'];
export const ENTRY_MODES: readonly EntryMode[] = ['S', 'C', 'T', 'M', 'F'];

/** The same upper bound as the contract's MinorUnits (12 wire digits). */
export const MAX_MINOR_UNITS = 999_999_999_999;

export interface NewCharge {
  terminalId: string;
  merchantId: string;
  batch: string;
  trace: string;
  rrn: string;
  authCode: string;
  /** Integer minor units. */
  amountMinor: number;
  /** ISO 4217 numeric, 3 digits. */
  currency: string;
  /** Masked: at most the first 6 and last 4 digits visible. */
  panMasked: string;
  entryMode: EntryMode;
  brand: string | null;
  aid: string | null;
  txClass: string | null;
  merchantName: string | null;
  responseCode: string;
  /** Terminal local time YYYYMMDDhhmmss. */
  terminalTime: string;
}

export type NewChargeProblem =
  /** The PAN shows more than it may. Never carries the PAN itself. */
  | { kind: 'pan_unmasked'; detail: 'too_many_digits' | 'digits_in_middle' }
  | { kind: 'invalid'; field: keyof NewCharge; detail: string };

const REQUIRED_TEXT: readonly (keyof NewCharge)[] = [
  'terminalId',
  'merchantId',
  'batch',
  'trace',
  'rrn',
  'authCode',
  'responseCode',
];
const OPTIONAL_TEXT: readonly (keyof NewCharge)[] = ['brand', 'aid', 'txClass', 'merchantName'];
const MAX_TEXT = 64;
const MAX_MERCHANT_NAME = 200;

/** The first problem with `c`, or null. The PAN is checked first and is never echoed. */
export function checkNewCharge(c: NewCharge): NewChargeProblem | null {
  if (typeof c.panMasked !== 'string') return { kind: 'invalid', field: 'panMasked', detail: 'not a string' };
  const pan = checkMaskedPan(c.panMasked);
  if (!pan.ok) {
    if (pan.problem === 'form') return { kind: 'invalid', field: 'panMasked', detail: 'must be 12..19 of digits and *' };
    return { kind: 'pan_unmasked', detail: pan.problem };
  }
  for (const field of REQUIRED_TEXT) {
    const v = c[field];
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_TEXT) {
      return { kind: 'invalid', field, detail: `must be a string of 1..${MAX_TEXT} characters` };
    }
  }
  for (const field of OPTIONAL_TEXT) {
    const v = c[field];
    const max = field === 'merchantName' ? MAX_MERCHANT_NAME : MAX_TEXT;
    if (v !== null && (typeof v !== 'string' || v.length > max)) {
      return { kind: 'invalid', field, detail: `must be null or a string of at most ${max} characters` };
    }
  }
  if (!Number.isSafeInteger(c.amountMinor) || c.amountMinor < 0 || c.amountMinor > MAX_MINOR_UNITS) {
    return { kind: 'invalid', field: 'amountMinor', detail: `must be an integer 0..${MAX_MINOR_UNITS}` };
  }
  if (typeof c.currency !== 'string' || !/^\d{3}$/.test(c.currency)) {
    return { kind: 'invalid', field: 'currency', detail: 'must be 3 digits (ISO 4217 numeric)' };
  }
  if (!ENTRY_MODES.includes(c.entryMode)) {
    return { kind: 'invalid', field: 'entryMode', detail: `must be one of ${ENTRY_MODES.join(' ')}` };
  }
  if (typeof c.terminalTime !== 'string' || !/^\d{14}$/.test(c.terminalTime)) {
    return { kind: 'invalid', field: 'terminalTime', detail: 'must be YYYYMMDDhhmmss' };
  }
  return null;
}
