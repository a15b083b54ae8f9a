import fc from 'fast-check';
import { findTrackData, hasPanLikeRun } from '../../../native/link/panGuard.js';
import type { LinkMessage, MessageType } from '../../../native/link/types.js';

/** Spec section 6, byte for byte. */
export const EXAMPLE_DATA =
  '1CH000042AM012000000128000CU003156TR006000318BT006000027RF012331822000318AC00683K2Q1PN016622848******1234EM001CDT01420261123143005TI00810293847MI015898310058120001RC00200CB014UnionPay Debit';

export const EXAMPLE_FIELDS: Record<string, string> = {
  AM: '000000128000',
  CU: '156',
  TR: '000318',
  BT: '000027',
  RF: '331822000318',
  AC: '83K2Q1',
  PN: '622848******1234',
  EM: 'C',
  DT: '20261123143005',
  TI: '10293847',
  MI: '898310058120001',
  RC: '00',
  CB: 'UnionPay Debit',
};

export const EXAMPLE_MESSAGE: LinkMessage = { type: 'CH', seq: '000042', fields: EXAMPLE_FIELDS };

export const EXAMPLE_REPORTS = [
  '3f020189314348303030303432414d30313230303030303031323830303043553030333135365452303036303030333138425430303630303030323752463031',
  '3f32333331383232303030333138414330303638334b325131504e3031363632323834382a2a2a2a2a2a31323334454d30303143445430313432303236313132',
  '3f33313433303035544930303831303239333834374d49303135383938333130303538313230303031524330303230304342303134556e696f6e506179204465',
  '0562697403ac',
];

export function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
export function unhex(h: string): Uint8Array {
  const clean = h.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Build DATA by hand (no validation), for crafting bad messages. */
export function rawData(type: string, seq: string, fields: [string, string][]): Uint8Array {
  let s = `1${type}${seq}`;
  const parts: Uint8Array[] = [];
  for (const [tag, value] of fields) {
    const v = utf8(value);
    parts.push(ascii(`${tag}${String(v.length).padStart(3, '0')}`), v);
  }
  return concat(ascii(s), ...parts);
}

/** A valid CH message (fields in spec order) with overrides. */
export function ch(seq = '000001', over: Record<string, string> = {}): LinkMessage {
  return { type: 'CH', seq, fields: { ...EXAMPLE_FIELDS, ...over } };
}

// ---------- arbitraries ----------

const DIGIT = '0123456789';
const ALNUM = DIGIT + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEXD = '0123456789ABCDEFabcdef';

function charsOf(alphabet: string, min: number, max: number): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max })
    .map((a) => a.join(''));
}
const digits = (n: number) => charsOf(DIGIT, n, n);
const noCard = (a: fc.Arbitrary<string>) => a.filter((v) => !hasPanLikeRun(v) && !findTrackData(v));

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const date = fc
  .record({ y: fc.integer({ min: 1990, max: 2099 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}${pad(m, 2)}${pad(d, 2)}`);
const dateTime = fc
  .record({ dt: date, h: fc.integer({ min: 0, max: 23 }), mi: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }) })
  .map(({ dt, h, mi, s }) => `${dt}${pad(h, 2)}${pad(mi, 2)}${pad(s, 2)}`);

const maskedPan = fc
  .record({ len: fc.integer({ min: 12, max: 19 }), bin: fc.integer({ min: 0, max: 6 }), last: fc.integer({ min: 0, max: 4 }) })
  .chain(({ len, bin, last }) =>
    fc.tuple(digits(bin), digits(last)).map(([b, l]) => b + '*'.repeat(len - b.length - l.length) + l),
  );

/** MN text: Chinese, ASCII letters/digits/spaces, at most 40 UTF-8 bytes. */
const mnText = noCard(
  fc
    .array(
      fc.oneof(
        fc.constantFrom('老', '街', '面', '馆', '金', '龙', '酒', '家', '书', '店', '深', '圳', '湾', '·', '（', '）'),
        fc.constantFrom(...(ALNUM + ' -&').split('')),
      ),
      { maxLength: 30 },
    )
    .map((a) => a.join(''))
    .filter((s) => new TextEncoder().encode(s).length <= 40),
);

export const FIELD_ARBS: Record<string, fc.Arbitrary<string>> = {
  AM: digits(12),
  CU: digits(3),
  TR: digits(6),
  BT: digits(6),
  RQ: digits(6),
  QS: digits(6),
  NB: digits(6),
  SC: digits(4),
  VC: digits(4),
  FC: digits(4),
  SA: digits(12),
  VA: digits(12),
  FA: digits(12),
  RF: charsOf(ALNUM, 12, 12),
  AC: charsOf(ALNUM, 6, 6),
  PN: maskedPan,
  EM: fc.constantFrom('S', 'C', 'T', 'M', 'F'),
  DT: dateTime,
  OD: date,
  TI: charsOf(ALNUM, 8, 8),
  MI: noCard(charsOf(ALNUM, 15, 15)),
  RC: charsOf(ALNUM, 2, 2),
  CB: noCard(fc.string({ unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))), maxLength: 16 })),
  AI: noCard(charsOf(HEXD, 0, 32)),
  TC: charsOf(LETTERS, 0, 8),
  MN: mnText,
  SS: charsOf(LETTERS, 1, 8),
  PP: charsOf(LETTERS, 1, 4),
};

const TYPE_TAGS: Record<MessageType, { required: string[]; optional: string[] }> = {
  CH: { required: ['AM', 'CU', 'TR', 'BT', 'RF', 'AC', 'PN', 'EM', 'DT', 'TI', 'MI', 'RC'], optional: ['CB', 'AI', 'TC', 'MN'] },
  RS: { required: ['RQ', 'RC'], optional: ['TR', 'RF', 'AC', 'DT', 'BT', 'SC', 'SA', 'VC', 'VA', 'FC', 'FA', 'NB'] },
  ST: { required: ['SS'], optional: ['PP'] },
  VD: { required: ['TR', 'AM'], optional: [] },
  RF: { required: ['RF', 'OD', 'AM'], optional: [] },
  SE: { required: [], optional: [] },
  QT: { required: ['QS'], optional: [] },
};

export const seqArb = fc.integer({ min: 1, max: 999999 }).map((n) => pad(n, 6));

/** A valid message of `type`: required fields, a random subset of optional ones, in random order. */
export function messageArb(type: MessageType): fc.Arbitrary<LinkMessage> {
  const t = TYPE_TAGS[type];
  return fc
    .record({
      seq: seqArb,
      optional: fc.subarray(t.optional),
      order: fc.array(fc.integer(), { minLength: 16, maxLength: 16 }),
    })
    .chain(({ seq, optional, order }) => {
      const tags = [...t.required, ...optional]
        .map((tag, i) => ({ tag, k: order[i % order.length]! + i }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.tag);
      return fc.tuple(...tags.map((tag) => FIELD_ARBS[tag]!)).map((values) => {
        const fields: Record<string, string> = {};
        tags.forEach((tag, i) => (fields[tag] = values[i]!));
        return { type, seq, fields } as LinkMessage;
      });
    });
}

export const ALL_TYPES: MessageType[] = ['CH', 'RS', 'ST', 'VD', 'RF', 'SE', 'QT'];
export const anyMessageArb = fc.constantFrom(...ALL_TYPES).chain(messageArb);
/** Terminal -> host messages. */
export const terminalMessageArb = fc.constantFrom<MessageType>('CH', 'RS', 'ST').chain(messageArb);
