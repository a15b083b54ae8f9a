/**
 * Pure functions behind `countersign decode` and `countersign encode` (the binary wires them up).
 */
import { MESSAGE_TYPES, MessageFormatError, encodeMessage, isMessageType } from './codec.js';
import { encodeFrame } from './framing.js';
import { HostDecoder, type DecodeEvent, type HostDecoderOptions } from './hostDecoder.js';
import { maskForLog } from './panGuard.js';
import { bytesToReports } from './reassembly.js';

const HEX_RE = /^[0-9a-fA-F]*$/;
const WS_RE = /\s+/g;

/** Lowercase hex of bytes, no separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}
const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Bytes of a hex string (whitespace anywhere ignored), or null if it is not an even number of hex digits. */
export function fromHex(text: string): Uint8Array | null {
  const h = text.replace(WS_RE, '');
  if (h.length % 2 !== 0 || !HEX_RE.test(h)) return null;
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

/**
 * `countersign decode`: one input report per line, as hex (whitespace anywhere and empty lines
 * ignored, either case). A line that is not an even number of hex digits is an `error` of code
 * `report` (its content is not echoed). Writes one JSON event per line, then the events of the
 * end of input.
 */
export async function runDecode(
  lines: AsyncIterable<string> | Iterable<string>,
  write: (line: string) => void,
  options: HostDecoderOptions = {},
): Promise<void> {
  const decoder = new HostDecoder(options);
  const emit = (events: DecodeEvent[]) => {
    for (const e of events) write(JSON.stringify(e));
  };
  let lineNo = 0;
  for await (const chunk of lines) {
    // Tolerate callers that hand over several lines at once.
    for (const line of chunk.split('\n')) {
      lineNo++;
      const h = line.replace(WS_RE, '');
      if (h === '') continue;
      const bytes = fromHex(h);
      if (!bytes) {
        const why = HEX_RE.test(h) ? 'an odd number of hex digits' : 'characters that are not hex digits';
        emit([{ event: 'error', code: 'report', detail: `line ${lineNo}: ${why}` }]);
        continue;
      }
      emit(decoder.pushReport(bytes));
    }
  }
  emit(decoder.end());
}

export type EncodeResult = { ok: true; lines: string[] } | { ok: false; error: string };

const USAGE = `usage: encode TYPE --seq NNNNNN [TAG=VALUE ...]   (TYPE: ${MESSAGE_TYPES.join(' ')})`;

/**
 * `countersign encode TYPE --seq NNNNNN TAG=VALUE…`: the output reports of the framed message in
 * lowercase hex, one report per line, `[n, data…]` without the trailing zero padding.
 * A value may contain `=` and spaces (split on the first `=`). `--seq=NNNNNN` is accepted too.
 */
export function runEncode(args: string[]): EncodeResult {
  const [type, ...rest] = args;
  if (type === undefined) return { ok: false, error: USAGE };
  if (!isMessageType(type)) return { ok: false, error: `unknown message type; ${USAGE}` };
  let seq: string | undefined;
  // Null prototype: a TAG like __proto__ must become a (rejected) field, not a prototype.
  const fields = Object.create(null) as Record<string, string>;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--seq' || a.startsWith('--seq=')) {
      if (seq !== undefined) return { ok: false, error: '--seq given more than once' };
      if (a === '--seq') {
        const v = rest[++i];
        if (v === undefined) return { ok: false, error: '--seq needs a value' };
        seq = v;
      } else {
        seq = a.slice('--seq='.length);
      }
      continue;
    }
    const eq = a.indexOf('=');
    if (a.startsWith('--') && (eq < 0 || eq > 2)) return { ok: false, error: `unknown option; ${USAGE}` };
    if (eq < 0) return { ok: false, error: `argument ${i + 2} is not TAG=VALUE; ${USAGE}` };
    const tag = a.slice(0, eq);
    if (Object.prototype.hasOwnProperty.call(fields, tag)) {
      return { ok: false, error: `duplicate-field: field ${maskForLog(tag)} given more than once` };
    }
    fields[tag] = a.slice(eq + 1);
  }
  if (seq === undefined) return { ok: false, error: `--seq is required; ${USAGE}` };
  try {
    const data = encodeMessage({ type, seq, fields });
    return { ok: true, lines: bytesToReports(encodeFrame(data)).map(toHex) };
  } catch (e) {
    if (e instanceof MessageFormatError) return { ok: false, error: `${e.code}: ${maskForLog(e.detail)}` };
    throw e;
  }
}
