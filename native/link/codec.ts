/**
 * Layer 3: message codec (spec section 3).
 *
 * DATA = VER "1" | TYPE (2 letters) | SEQ (6 digits, 000001..999999) | fields
 * field = TAG (2 uppercase letters) | LEN (3 digits = byte length of VALUE) | VALUE
 *
 * Check order (the first failing step decides the error code):
 *   1. structure: header, a control byte anywhere, tag syntax, LEN digits, LEN running past
 *      the end, trailing bytes                                                            -> format
 *   2. a tag (known or unknown) repeated                                                  -> duplicate-field
 *   3. card-data guard (panGuard.ts)                                                      -> pan-unmasked
 *   4. a required field missing                                                           -> missing-field
 *   5. a value not of its form (incl. MN not valid UTF-8, or with control characters)      -> format
 * Unknown tags are skipped and not included in `fields`. Error details never contain values.
 */
import {
  FIELD_SPECS,
  MESSAGE_SPECS,
  isTagSyntax,
  requiredFields,
  type FieldSpec,
  type ResponseContext,
} from './fields.js';
import { checkMaskedPan, findTrackData, hasPanLikeRun } from './panGuard.js';
import {
  HOST_TYPES,
  MAX_FRAME_DATA,
  TERMINAL_TYPES,
  type LinkErrorCode,
  type LinkMessage,
  type MessageType,
} from './types.js';

export type { ResponseContext } from './fields.js';

export type MessageErrorCode = Extract<LinkErrorCode, 'format' | 'missing-field' | 'duplicate-field' | 'pan-unmasked'>;

export type DecodeResult =
  | { ok: true; message: LinkMessage }
  | { ok: false; code: MessageErrorCode; detail: string };

export class MessageFormatError extends Error {
  readonly code: MessageErrorCode;
  readonly detail: string;
  constructor(code: MessageErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'MessageFormatError';
    this.code = code;
    this.detail = detail;
  }
}

export const MESSAGE_TYPES: readonly MessageType[] = [...TERMINAL_TYPES, ...HOST_TYPES];
const TYPE_SET: ReadonlySet<string> = new Set(MESSAGE_TYPES);
export function isMessageType(t: string): t is MessageType {
  return TYPE_SET.has(t);
}

const HEADER_LEN = 9;
const MAX_FIELDS = Math.ceil(MAX_FRAME_DATA / 5) + 1;
const TAG_SPACE = 26 * 26;

/** Per type: tag index -> FieldSpec for tags known to that type. */
const KNOWN_BY_TYPE: Record<string, (FieldSpec | undefined)[]> = {};
for (const t of MESSAGE_TYPES) {
  const arr: (FieldSpec | undefined)[] = new Array(TAG_SPACE).fill(undefined);
  const s = MESSAGE_SPECS[t];
  for (const tag of [...s.required, ...s.optional]) arr[tagIndex(tag)] = FIELD_SPECS[tag];
  KNOWN_BY_TYPE[t] = arr;
}
const TAG_NAMES: string[] = [];
for (let i = 0; i < TAG_SPACE; i++) TAG_NAMES.push(String.fromCharCode(65 + Math.floor(i / 26), 65 + (i % 26)));

function tagIndex(tag: string): number {
  return (tag.charCodeAt(0) - 65) * 26 + (tag.charCodeAt(1) - 65);
}
const TAG_PN = tagIndex('PN');
const TAG_RC = tagIndex('RC');

// Scratch space of the (synchronous, non-reentrant) decoder: no per-field allocations.
const fTag = new Int16Array(MAX_FIELDS);
const fStart = new Int32Array(MAX_FIELDS);
const fEnd = new Int32Array(MAX_FIELDS);
const seenStamp = new Uint32Array(TAG_SPACE);
const seenAt = new Int16Array(TAG_SPACE);
let stamp = 0;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/**
 * Controls in MN: C0 and DEL are already refused as bytes anywhere in DATA; this adds the C1
 * controls and the line/paragraph separators, which the receipts refuse too.
 */
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const utf8enc = new TextEncoder();

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const nodeLatin1: Latin1Slice | undefined = (
  globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1Slice } } }
).Buffer?.prototype.latin1Slice;

/** Bytes -> string with one char per byte (0..255). */
export function latin1(data: Uint8Array): string {
  if (nodeLatin1) return nodeLatin1.call(data, 0, data.length);
  let s = '';
  for (let i = 0; i < data.length; i += 4096) {
    s += String.fromCharCode.apply(null, Array.from(data.subarray(i, i + 4096)));
  }
  return s;
}

function fail(code: MessageErrorCode, detail: string): DecodeResult {
  return { ok: false, code, detail };
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isUpperCode(c: number): boolean {
  return c >= 65 && c <= 90;
}
function allDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigitCode(s.charCodeAt(i))) return false;
  return true;
}

/** Describe a TYPE for an error detail without echoing arbitrary bytes. */
function showType(s: string): string {
  return isUpperCode(s.charCodeAt(0)) && isUpperCode(s.charCodeAt(1)) ? `"${s}"` : 'of non-letters';
}

/** Decode one frame's DATA. `ctx` says what an RS answers (see ResponseContext). */
export function decodeMessage(data: Uint8Array, ctx?: ResponseContext): DecodeResult {
  const s = latin1(data);
  const n = s.length;

  // 1. structure
  if (n < HEADER_LEN) return fail('format', `DATA of ${n} bytes is shorter than the 9-byte header`);
  if (s.charCodeAt(0) !== 49) return fail('format', 'VER is not "1"');
  const type = s.slice(1, 3);
  if (!TYPE_SET.has(type)) return fail('format', `unknown message TYPE ${showType(type)}`);
  if (!allDigits(s, 3, 9)) return fail('format', 'SEQ is not 6 digits');
  const seq = s.slice(3, 9);
  if (seq === '000000') return fail('format', 'SEQ 000000 is not valid (000001..999999)');
  // DATA is text: a control byte is never part of it, in any field, known or not. (It also stops
  // the zeros of a short report, which keep the length and can keep the LRC, from passing.)
  for (let k = HEADER_LEN; k < n; k++) {
    const c = s.charCodeAt(k);
    if (c < 0x20 || c === 0x7f) return fail('format', `DATA has a control byte at offset ${k}`);
  }

  if (++stamp === 0xffffffff) {
    seenStamp.fill(0);
    stamp = 1;
  }
  const st = stamp;
  let count = 0;
  let dupTag = -1;
  let i = HEADER_LEN;
  while (i < n) {
    if (n - i < 5) return fail('format', `${n - i} trailing bytes after the last field at offset ${i}`);
    const c0 = s.charCodeAt(i);
    const c1 = s.charCodeAt(i + 1);
    if (!isUpperCode(c0) || !isUpperCode(c1)) return fail('format', `bad tag syntax at offset ${i}`);
    const ti = (c0 - 65) * 26 + (c1 - 65);
    const l0 = s.charCodeAt(i + 2) - 48;
    const l1 = s.charCodeAt(i + 3) - 48;
    const l2 = s.charCodeAt(i + 4) - 48;
    if (l0 < 0 || l0 > 9 || l1 < 0 || l1 > 9 || l2 < 0 || l2 > 9) {
      return fail('format', `LEN of field ${TAG_NAMES[ti]} at offset ${i} is not 3 digits`);
    }
    const vs = i + 5;
    const ve = vs + l0 * 100 + l1 * 10 + l2;
    if (ve > n) return fail('format', `LEN of field ${TAG_NAMES[ti]} at offset ${i} runs past the end of DATA`);
    if (seenStamp[ti] === st) {
      if (dupTag < 0) dupTag = ti;
    } else {
      seenStamp[ti] = st;
      seenAt[ti] = count;
    }
    fTag[count] = ti;
    fStart[count] = vs;
    fEnd[count] = ve;
    count++;
    i = ve;
  }

  // 2. repeated tag
  if (dupTag >= 0) return fail('duplicate-field', `field ${TAG_NAMES[dupTag]} appears more than once`);

  // 3. card data
  const track = findTrackData(s);
  if (track) return fail('pan-unmasked', track);
  const known = KNOWN_BY_TYPE[type]!;
  for (let k = 0; k < count; k++) {
    const ti = fTag[k]!;
    const a = fStart[k]!;
    const b = fEnd[k]!;
    if (ti === TAG_PN) {
      const d = checkMaskedPan(s, a, b);
      if (d) return fail('pan-unmasked', d);
      continue;
    }
    if (b - a < 13) continue;
    const fs = known[ti];
    if (fs?.fixedDigits === b - a && allDigits(s, a, b)) continue;
    if (fs?.identifier && fs.check(s.slice(a, b))) continue;
    if (hasPanLikeRun(s, a, b)) {
      return fail('pan-unmasked', `field ${TAG_NAMES[ti]} holds a digit run that looks like a card number`);
    }
  }

  // 4. required fields
  let rc: string | undefined;
  if (type === 'RS' && seenStamp[TAG_RC] === st) {
    const k = seenAt[TAG_RC]!;
    rc = s.slice(fStart[k]!, fEnd[k]!);
  }
  const required = requiredFields(type as MessageType, ctx, rc);
  let missing: string[] | undefined;
  for (const tag of required) {
    if (seenStamp[tagIndex(tag)] !== st) (missing ??= []).push(tag);
  }
  if (missing) return fail('missing-field', `${type} lacks required field${missing.length > 1 ? 's' : ''} ${missing.join(' ')}`);

  // 5. value forms; build the result in wire order
  const fields: Record<string, string> = {};
  for (let k = 0; k < count; k++) {
    const ti = fTag[k]!;
    const fs = known[ti];
    if (!fs) continue; // unknown for this type: skipped
    const a = fStart[k]!;
    const b = fEnd[k]!;
    let value: string;
    if (fs.utf8MaxBytes !== undefined) {
      if (b - a > fs.utf8MaxBytes) return fail('format', `field ${fs.tag} is ${b - a} bytes; expected ${fs.form}`);
      try {
        value = utf8.decode(data.subarray(a, b));
      } catch {
        return fail('format', `field ${fs.tag} is not valid UTF-8`);
      }
      if (CONTROL_RE.test(value)) return fail('format', `field ${fs.tag} contains control characters`);
    } else {
      value = s.slice(a, b);
      if (!fs.check(value)) return fail('format', `field ${fs.tag} (${b - a} bytes) is not ${fs.form}`);
    }
    fields[fs.tag] = value;
  }
  return { ok: true, message: { type: type as MessageType, seq, fields } };
}

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Validate like the decoder and return the error, or null. Unknown tags (known to no field of this
 * type but of valid tag syntax) are allowed and encoded as UTF-8, as a newer peer would send them.
 */
export function validateMessage(msg: LinkMessage, ctx?: ResponseContext): { code: MessageErrorCode; detail: string } | null {
  const r = buildData(msg);
  if (!(r instanceof Uint8Array)) return r;
  const d = decodeMessage(r, ctx);
  return d.ok ? null : { code: d.code, detail: d.detail };
}

/**
 * Encode a message's DATA (not framed: see framing.encodeFrame). Fields are written in the
 * insertion order of `msg.fields`. Throws MessageFormatError when the message would not decode.
 */
export function encodeMessage(msg: LinkMessage, ctx?: ResponseContext): Uint8Array {
  const r = buildData(msg);
  if (!(r instanceof Uint8Array)) throw new MessageFormatError(r.code, r.detail);
  const d = decodeMessage(r, ctx);
  if (!d.ok) throw new MessageFormatError(d.code, d.detail);
  return r;
}

function buildData(msg: LinkMessage): Uint8Array | { code: MessageErrorCode; detail: string } {
  const bad = (detail: string) => ({ code: 'format' as const, detail });
  if (typeof msg.type !== 'string' || !TYPE_SET.has(msg.type)) return bad('unknown message TYPE');
  if (typeof msg.seq !== 'string' || !/^[0-9]{6}$/.test(msg.seq) || msg.seq === '000000') {
    return bad('SEQ must be 6 digits, 000001..999999');
  }
  const parts: Uint8Array[] = [];
  let total = HEADER_LEN;
  for (const [tag, value] of Object.entries(msg.fields)) {
    if (!isTagSyntax(tag)) return bad('a tag is not 2 uppercase letters');
    if (typeof value !== 'string') return bad(`field ${tag} is not a string`);
    if (LONE_SURROGATE_RE.test(value)) return bad(`field ${tag} is not valid Unicode text`);
    const v = utf8enc.encode(value);
    if (v.length > 999) return bad(`field ${tag} is ${v.length} bytes; LEN allows at most 999`);
    const head = new Uint8Array(5);
    head[0] = tag.charCodeAt(0);
    head[1] = tag.charCodeAt(1);
    head[2] = 48 + Math.floor(v.length / 100);
    head[3] = 48 + (Math.floor(v.length / 10) % 10);
    head[4] = 48 + (v.length % 10);
    parts.push(head, v);
    total += 5 + v.length;
  }
  if (total > MAX_FRAME_DATA) return bad(`message DATA of ${total} bytes exceeds ${MAX_FRAME_DATA}`);
  const out = new Uint8Array(total);
  out[0] = 49;
  out[1] = msg.type.charCodeAt(0);
  out[2] = msg.type.charCodeAt(1);
  for (let k = 0; k < 6; k++) out[3 + k] = msg.seq.charCodeAt(k);
  let o = HEADER_LEN;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
