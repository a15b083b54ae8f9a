/**
 * Layer 2: STX | LEN (2 bytes BCD, 0..1024) | DATA | ETX | LRC  (spec section 2).
 * LRC = XOR of every byte from the first LEN byte through ETX inclusive.
 *
 * The parser is incremental (the byte stream may be split anywhere) and its output depends only
 * on the bytes, never on how they were chunked. Resynchronisation rules: see README.md.
 */
import { ACK, ETX, MAX_FRAME_DATA, NAK, STX } from './types.js';

export type FrameErrorCode = 'lrc' | 'length' | 'etx';

export type FrameEvent =
  | { kind: 'frame'; data: Uint8Array }
  | { kind: 'ack' }
  | { kind: 'nak' }
  | { kind: 'error'; code: FrameErrorCode; detail: string };

/** Bytes of framing around DATA: STX + 2 LEN + ETX + LRC. */
export const FRAME_OVERHEAD = 5;

/** Encode one frame. Throws a RangeError when DATA is longer than 1024 bytes. */
export function encodeFrame(data: Uint8Array): Uint8Array {
  const n = data.length;
  if (n > MAX_FRAME_DATA) throw new RangeError(`frame DATA of ${n} bytes exceeds ${MAX_FRAME_DATA}`);
  const out = new Uint8Array(n + FRAME_OVERHEAD);
  const d1 = Math.floor(n / 1000);
  const d2 = Math.floor(n / 100) % 10;
  const d3 = Math.floor(n / 10) % 10;
  const d4 = n % 10;
  const l1 = (d1 << 4) | d2;
  const l2 = (d3 << 4) | d4;
  out[0] = STX;
  out[1] = l1;
  out[2] = l2;
  out.set(data, 3);
  out[n + 3] = ETX;
  let lrc = l1 ^ l2 ^ ETX;
  for (let i = 0; i < n; i++) lrc ^= data[i]!;
  out[n + 4] = lrc;
  return out;
}

/** XOR of `bytes[from..to)`. */
export function lrcOf(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i]!;
  return x;
}

const INITIAL_CAPACITY = 4096;

export class FrameParser {
  private buf = new Uint8Array(INITIAL_CAPACITY);
  /** End of valid bytes in buf. */
  private end = 0;
  /** Next byte to scan between frames (only meaningful while frameStart < 0). */
  private pos = 0;
  /** Index of the STX of the frame being assembled, or -1 between frames. */
  private frameStart = -1;
  private noise = 0;

  /** Bytes skipped between frames that were not STX, ACK or NAK (since construction / reset). */
  get noiseBytes(): number {
    return this.noise;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pendingBytes(): number {
    return this.frameStart < 0 ? 0 : this.end - this.frameStart;
  }

  /** Feed `bytes[start..end)` (the whole array by default, no subarray needed). */
  push(bytes: Uint8Array, start = 0, end = bytes.length): FrameEvent[] {
    const events: FrameEvent[] = [];
    if (end <= start) return events;
    this.append(bytes, start, end);
    this.parse(events, false);
    this.compact();
    return events;
  }

  /**
   * End of input (like an inter-byte timeout): a partial frame is abandoned silently, and the
   * bytes after its STX are scanned again for complete frames. Leaves the parser empty.
   */
  flushAtEnd(): FrameEvent[] {
    const events: FrameEvent[] = [];
    this.parse(events, true);
    this.end = 0;
    this.pos = 0;
    this.frameStart = -1;
    return events;
  }

  /** Drop everything buffered (after unplug). The noise counter is kept. */
  reset(): void {
    this.end = 0;
    this.pos = 0;
    this.frameStart = -1;
  }

  private append(bytes: Uint8Array, start: number, stop: number): void {
    const n = stop - start;
    if (this.end + n > this.buf.length) {
      const keep = this.frameStart >= 0 ? this.frameStart : this.pos;
      if (keep > 0) {
        this.buf.copyWithin(0, keep, this.end);
        this.end -= keep;
        this.pos -= keep;
        if (this.frameStart >= 0) this.frameStart -= keep;
      }
      if (this.end + n > this.buf.length) {
        let cap = this.buf.length * 2;
        while (cap < this.end + n) cap *= 2;
        const nb = new Uint8Array(cap);
        nb.set(this.buf.subarray(0, this.end));
        this.buf = nb;
      }
    }
    const buf = this.buf;
    let o = this.end;
    if (n <= 64) {
      for (let i = start; i < stop; i++) buf[o++] = bytes[i]!;
    } else {
      buf.set(start === 0 && stop === bytes.length ? bytes : bytes.subarray(start, stop), o);
    }
    this.end += n;
  }

  private compact(): void {
    if (this.frameStart < 0 && this.pos >= this.end) {
      this.pos = 0;
      this.end = 0;
    }
  }

  private parse(events: FrameEvent[], atEnd: boolean): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let fs = this.frameStart;
    for (;;) {
      if (fs < 0) {
        // Between frames: skip noise, report ACK/NAK, stop at STX.
        let noise = 0;
        while (pos < end) {
          const b = buf[pos]!;
          if (b === STX) {
            fs = pos;
            break;
          }
          if (b === ACK) events.push({ kind: 'ack' });
          else if (b === NAK) events.push({ kind: 'nak' });
          else noise++;
          pos++;
        }
        this.noise += noise;
        if (fs < 0) break;
      }
      // In a frame starting at fs. Every check is made as soon as its byte is available.
      const avail = end - fs;
      if (avail < 2) {
        if (atEnd) {
          pos = fs + 1;
          fs = -1;
          continue;
        }
        break;
      }
      const l1 = buf[fs + 1]!;
      // First LEN byte: both nibbles BCD and at most "10" (a LEN above 1099 can never be valid).
      if ((l1 & 0x0f) > 9 || l1 > 0x10) {
        events.push({ kind: 'error', code: 'length', detail: lenDetail(l1, -1) });
        pos = fs + 1;
        fs = -1;
        continue;
      }
      if (avail < 3) {
        if (atEnd) {
          pos = fs + 1;
          fs = -1;
          continue;
        }
        break;
      }
      const l2 = buf[fs + 2]!;
      const len = (l1 >> 4) * 1000 + (l1 & 0x0f) * 100 + (l2 >> 4) * 10 + (l2 & 0x0f);
      if ((l2 & 0x0f) > 9 || l2 > 0x99 || len > MAX_FRAME_DATA) {
        events.push({ kind: 'error', code: 'length', detail: lenDetail(l1, l2) });
        pos = fs + 1;
        fs = -1;
        continue;
      }
      const etxPos = fs + 3 + len;
      if (end <= etxPos) {
        if (atEnd) {
          pos = fs + 1;
          fs = -1;
          continue;
        }
        break;
      }
      const etx = buf[etxPos]!;
      if (etx !== ETX) {
        events.push({
          kind: 'error',
          code: 'etx',
          detail: `expected ETX after ${len} data bytes, got 0x${hex2(etx)}`,
        });
        pos = fs + 1;
        fs = -1;
        continue;
      }
      if (end <= etxPos + 1) {
        if (atEnd) {
          pos = fs + 1;
          fs = -1;
          continue;
        }
        break;
      }
      let lrc = 0;
      for (let i = fs + 1; i <= etxPos; i++) lrc ^= buf[i]!;
      const got = buf[etxPos + 1]!;
      if (lrc !== got) {
        events.push({
          kind: 'error',
          code: 'lrc',
          detail: `LRC mismatch on a ${len}-byte frame: computed 0x${hex2(lrc)}, received 0x${hex2(got)}`,
        });
      } else {
        events.push({ kind: 'frame', data: buf.slice(fs + 3, etxPos) });
      }
      pos = etxPos + 2;
      fs = -1;
    }
    this.pos = pos;
    this.frameStart = fs;
  }
}

function lenDetail(l1: number, l2: number): string {
  const shown = l2 < 0 ? `0x${hex2(l1)}` : `0x${hex2(l1)} 0x${hex2(l2)}`;
  const bcd = (b: number) => (b >> 4) <= 9 && (b & 0x0f) <= 9;
  if (!bcd(l1) || (l2 >= 0 && !bcd(l2))) return `LEN ${shown} is not BCD`;
  return `LEN ${shown} exceeds ${MAX_FRAME_DATA} bytes`;
}

function hex2(b: number): string {
  return (b < 16 ? '0' : '') + b.toString(16);
}
