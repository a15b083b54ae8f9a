/**
 * Layer 3 tables: field forms and which tags each message type carries (spec section 3).
 */
import type { HostMessageType, MessageType } from './types.js';

export interface FieldSpec {
  readonly tag: string;
  /** Human readable form, used in error details (never the value itself). */
  readonly form: string;
  /**
   * Form check on the value as it appears on the wire: for every tag but MN that is the byte
   * string read as latin1 (so any byte >= 0x80 fails the ASCII forms); for MN the decoded text.
   */
  readonly check: (value: string) => boolean;
  /** Set when the form is "exactly N digits": such values are exempt from the Luhn guard. */
  readonly fixedDigits?: number;
  /**
   * Identifiers of a fixed alphanumeric length (MI): exempt from the Luhn guard, because one real
   * all-digit merchant id in ten passes Luhn and rejecting it would stop every charge of that shop.
   */
  readonly identifier?: boolean;
  /** MN: the value is UTF-8 (checked for valid UTF-8 and a byte limit instead of `check` on bytes). */
  readonly utf8MaxBytes?: number;
}

const DIGITS_RE: Record<number, RegExp> = {};
function digits(n: number): (v: string) => boolean {
  const re = (DIGITS_RE[n] ??= new RegExp(`^[0-9]{${n}}$`));
  return (v) => v.length === n && re.test(v);
}
function re(r: RegExp): (v: string) => boolean {
  return (v) => r.test(v);
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
function num(v: string, from: number, n: number): number {
  let x = 0;
  for (let i = from; i < from + n; i++) x = x * 10 + (v.charCodeAt(i) - 48);
  return x;
}
/** YYYYMMDD at `from` is a real Gregorian date (year 0001..9999). */
function realDate(v: string, from: number): boolean {
  const y = num(v, from, 4);
  const m = num(v, from + 4, 2);
  const d = num(v, from + 6, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const dim = m === 2 && isLeap(y) ? 29 : DAYS[m - 1]!;
  return d <= dim;
}
const is8 = digits(8);
const is14 = digits(14);
export function isRealDate(v: string): boolean {
  return is8(v) && realDate(v, 0);
}
export function isRealDateTime(v: string): boolean {
  if (!is14(v) || !realDate(v, 0)) return false;
  return num(v, 8, 2) <= 23 && num(v, 10, 2) <= 59 && num(v, 12, 2) <= 59;
}

function spec(tag: string, form: string, check: (v: string) => boolean, extra?: Partial<FieldSpec>): FieldSpec {
  return { tag, form, check, ...extra };
}
function fixed(tag: string, n: number): FieldSpec {
  return spec(tag, `${n} digits`, digits(n), { fixedDigits: n });
}

export const FIELD_SPECS: Readonly<Record<string, FieldSpec>> = Object.freeze({
  AM: fixed('AM', 12),
  CU: fixed('CU', 3),
  TR: fixed('TR', 6),
  BT: fixed('BT', 6),
  RQ: fixed('RQ', 6),
  QS: fixed('QS', 6),
  NB: fixed('NB', 6),
  SC: fixed('SC', 4),
  VC: fixed('VC', 4),
  FC: fixed('FC', 4),
  SA: fixed('SA', 12),
  VA: fixed('VA', 12),
  FA: fixed('FA', 12),
  RF: spec('RF', '12 alphanumerics', re(/^[A-Za-z0-9]{12}$/)),
  AC: spec('AC', '6 alphanumerics', re(/^[A-Za-z0-9]{6}$/)),
  PN: spec('PN', '12..19 of digits and *', re(/^[0-9*]{12,19}$/)),
  EM: spec('EM', 'one of S C T M F', re(/^[SCTMF]$/)),
  DT: spec('DT', '14 digits, a real date-time YYYYMMDDhhmmss', isRealDateTime, { fixedDigits: 14 }),
  OD: spec('OD', '8 digits, a real date YYYYMMDD', isRealDate, { fixedDigits: 8 }),
  TI: spec('TI', '8 alphanumerics', re(/^[A-Za-z0-9]{8}$/)),
  MI: spec('MI', '15 alphanumerics', re(/^[A-Za-z0-9]{15}$/), { identifier: true }),
  RC: spec('RC', '2 alphanumerics', re(/^[A-Za-z0-9]{2}$/)),
  CB: spec('CB', 'at most 16 printable ASCII characters', re(/^[\x20-\x7e]{0,16}$/)),
  AI: spec('AI', 'at most 32 hex digits', re(/^[0-9A-Fa-f]{0,32}$/)),
  TC: spec('TC', 'at most 8 letters', re(/^[A-Za-z]{0,8}$/)),
  MN: spec('MN', 'at most 40 bytes of valid UTF-8 without control characters', () => true, { utf8MaxBytes: 40 }),
  SS: spec('SS', '1..8 letters', re(/^[A-Za-z]{1,8}$/)),
  PP: spec('PP', '1..4 letters', re(/^[A-Za-z]{1,4}$/)),
});

export interface MessageSpec {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

/** Response fields (besides RQ RC) an `RS` carries when it answers a request of each host type with RC 00. */
export const RESPONSE_FIELDS: Readonly<Record<'VD' | 'RF' | 'SE', readonly string[]>> = Object.freeze({
  VD: ['TR', 'RF', 'AC', 'DT'],
  RF: ['TR', 'RF', 'AC', 'DT'],
  SE: ['BT', 'SC', 'SA', 'VC', 'VA', 'FC', 'FA', 'NB'],
});

export const MESSAGE_SPECS: Readonly<Record<MessageType, MessageSpec>> = Object.freeze({
  CH: {
    required: ['AM', 'CU', 'TR', 'BT', 'RF', 'AC', 'PN', 'EM', 'DT', 'TI', 'MI', 'RC'],
    optional: ['CB', 'AI', 'TC', 'MN'],
  },
  // Every response field of every request type is known to RS; which are required depends on
  // what the RS answers (see requiredFields).
  RS: { required: ['RQ', 'RC'], optional: ['TR', 'RF', 'AC', 'DT', 'BT', 'SC', 'SA', 'VC', 'VA', 'FC', 'FA', 'NB'] },
  ST: { required: ['SS'], optional: ['PP'] },
  VD: { required: ['TR', 'AM'], optional: [] },
  RF: { required: ['RF', 'OD', 'AM'], optional: [] },
  SE: { required: [], optional: [] },
  QT: { required: ['QS'], optional: [] },
});

/** What an RS answers, when the caller knows it. */
export interface ResponseContext {
  /** The type of the host request this RS answers. */
  responseTo?: HostMessageType;
  /** For `responseTo: 'QT'`: the type of the original request whose response is replayed. */
  originalType?: 'VD' | 'RF' | 'SE';
}

const KNOWN: Record<string, Set<string>> = {};
for (const [type, s] of Object.entries(MESSAGE_SPECS)) KNOWN[type] = new Set([...s.required, ...s.optional]);

export function isKnownTag(type: MessageType, tag: string): boolean {
  return KNOWN[type]!.has(tag);
}

/** Required tags of a message of `type`; for RS they depend on the context and on its RC. */
export function requiredFields(type: MessageType, ctx: ResponseContext | undefined, rc: string | undefined): readonly string[] {
  const base = MESSAGE_SPECS[type].required;
  if (type !== 'RS' || !ctx?.responseTo || rc !== '00') return base;
  let answered: 'VD' | 'RF' | 'SE' | undefined;
  if (ctx.responseTo === 'QT') answered = ctx.originalType;
  else answered = ctx.responseTo;
  if (!answered) return base;
  return [...base, ...RESPONSE_FIELDS[answered]];
}

/** Two uppercase ASCII letters. */
export function isTagSyntax(tag: string): boolean {
  return tag.length === 2 && isUpper(tag.charCodeAt(0)) && isUpper(tag.charCodeAt(1));
}
function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}
