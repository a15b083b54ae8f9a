/**
 * Receipt text on a character grid, pure. A thermal printer's font A is 12×24 dots: an ASCII
 * character takes one column, a double-byte (GB18030) character two — 32 columns on 58 mm paper
 * (384 dots), 48 on 80 mm (576 dots). The raster and PDF renderers use the same grid, so a receipt
 * looks the same however it is printed.
 */
import { currencyInfo, UNKNOWN_CURRENCY_DIGITS } from './currency.js';
import { minorToDecimalString } from './money.js';

export type Align = 'left' | 'center' | 'right';
/** large: double height, bold. */
export type Emphasis = 'normal' | 'bold' | 'large';

export interface ReceiptLine {
  /** At most the layout's width in columns (see `displayWidth`); '' is an empty line. */
  text: string;
  align: Align;
  emphasis: Emphasis;
}

/** Paper width in millimetres → columns and dots of font A. */
export const PAPER = {
  58: { columns: 32, dots: 384 },
  80: { columns: 48, dots: 576 },
} as const;

/** Columns one character takes: 1 for ASCII, 2 for everything else (printed double-byte). */
export function charWidth(char: string): 1 | 2 {
  return char.codePointAt(0)! < 0x80 ? 1 : 2;
}

export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/** Chinese punctuation that must not start a line (。，） …) or end one (（《 …). */
const NO_LINE_START = new Set('，。、；：？！）》」』】〉〕”’…％·—');
const NO_LINE_END = new Set('（《「『【〈〔“‘');

/**
 * Whether a line may break between `before` and `after`: after a space, or next to a CJK
 * character — but never inside a run of Latin letters or digits ("100号" keeps "100" whole) and
 * not before closing / after opening Chinese punctuation.
 */
function breakAllowed(before: string, after: string): boolean {
  if (before === ' ' || after === ' ') return true;
  if (NO_LINE_START.has(after) || NO_LINE_END.has(before)) return false;
  return charWidth(before) === 2 || charWidth(after) === 2;
}

/**
 * Breaks `text` into lines of at most `width` columns, at the last place a line may break (see
 * `breakAllowed`) when it would overflow; a word wider than the whole line is cut.
 */
export function wrapText(text: string, width: number): string[] {
  if (width < 2) throw new RangeError('width must be at least 2 columns');
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line: string[] = [];
    let w = 0;
    for (const ch of paragraph) {
      const cw = charWidth(ch);
      if (w + cw > width) {
        let at = line.length;
        while (at > 0 && !breakAllowed(line[at - 1]!, at === line.length ? ch : line[at]!)) at--;
        let rest = at > 0 ? line.slice(at) : [];
        while (rest[0] === ' ') rest.shift();
        // No place to break, or what moves down would not fit with `ch`: cut here.
        if (at === 0 || line.slice(0, at).join('').trim() === '' || displayWidth(rest.join('')) + cw > width) {
          at = line.length;
          rest = [];
        }
        out.push(line.slice(0, at).join('').trimEnd());
        line = rest;
        w = displayWidth(line.join(''));
        if (ch === ' ' && line.length === 0) continue;
      }
      line.push(ch);
      w += cw;
    }
    out.push(line.join('').trimEnd());
  }
  return out;
}

/** The line as it sits on the grid: leading spaces for centre/right alignment. */
export function placeLine(line: ReceiptLine, width: number): string {
  const free = Math.max(0, width - displayWidth(line.text));
  if (line.align === 'right') return ' '.repeat(free) + line.text;
  if (line.align === 'center') return ' '.repeat(Math.floor(free / 2)) + line.text;
  return line.text;
}

/** Groups an unsigned digit string by thousands: "1280" → "1,280". */
function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Signed integer minor units → "CNY -1,280.00" (ISO alpha code; an unknown numeric code is shown
 * after the amount: "-1,280.00 (999)"). String arithmetic only: no float touches the amount.
 */
export function formatReceiptAmount(minor: number, currency: string): string {
  const info = currencyInfo(currency);
  const plain = minorToDecimalString(minor, info?.digits ?? UNKNOWN_CURRENCY_DIGITS);
  const negative = plain.startsWith('-');
  const [whole, fraction] = (negative ? plain.slice(1) : plain).split('.');
  const amount = `${negative ? '-' : ''}${group(whole!)}${fraction !== undefined ? '.' + fraction : ''}`;
  return info ? `${info.alpha} ${amount}` : `${amount} (${currency})`;
}

/** YYYYMMDDhhmmss → "2025/11/26 14:03:05". */
export function formatTerminalDateTime(t: string): string {
  if (!/^\d{14}$/.test(t)) throw new RangeError('terminal time must be YYYYMMDDhhmmss');
  return `${t.slice(0, 4)}/${t.slice(4, 6)}/${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}

/** YYYYMMDD[hhmmss] → "2025/11/26". */
export function formatTerminalDate(t: string): string {
  if (!/^\d{8}(\d{6})?$/.test(t)) throw new RangeError('terminal date must be YYYYMMDD');
  return `${t.slice(0, 4)}/${t.slice(4, 6)}/${t.slice(6, 8)}`;
}
