/**
 * What a Chinese-market ESC/POS printer can print as text. Its font holds ASCII and the GBK
 * double-byte set (GB18030's 2-byte part), printed in kanji mode (`FS &` … `FS .`). A character
 * whose GB18030 form has 4 bytes (e.g. "¥" U+00A5, emoji, rare CJK extensions) or that sits in the
 * user-defined (private use) area is not in that font: encoders commonly turn it into "?" without
 * a word, so it is found here before anything is sent, and printed as raster instead.
 */
import iconv from 'iconv-lite';

const cache = new Map<string, boolean>();

/** Whether the printer's own font prints `char` (one code point). */
export function isNativeChar(char: string): boolean {
  const cp = char.codePointAt(0)!;
  if (cp >= 0x20 && cp <= 0x7e) return true;
  if (cp < 0xa0) return false; // C0/C1 controls, DEL
  if (cp >= 0xe000 && cp <= 0xf8ff) return false; // private use: no glyph in any printer font
  const known = cache.get(char);
  if (known !== undefined) return known;
  const bytes = iconv.encode(char, 'gb18030');
  const lead = bytes[0]!;
  const trail = bytes[1]!;
  const ok =
    bytes.length === 2 &&
    lead >= 0x81 &&
    lead <= 0xfe &&
    trail >= 0x40 &&
    trail <= 0xfe &&
    trail !== 0x7f &&
    iconv.decode(bytes, 'gb18030') === char;
  if (cache.size < 20_000) cache.set(char, ok);
  return ok;
}

/** The distinct characters of `text` the printer's font cannot print, in order of appearance. */
export function nonNativeChars(text: string): string[] {
  const out: string[] = [];
  for (const ch of text) if (!isNativeChar(ch) && !out.includes(ch)) out.push(ch);
  return out;
}

export function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

/** GB18030 bytes of `text` (ASCII stays ASCII). Call only for text that passed `nonNativeChars`. */
export function encodeGb18030(text: string): Uint8Array {
  return new Uint8Array(iconv.encode(text, 'gb18030'));
}

/** "U+00A5 ¥, U+1F600 😀": how an unprintable character is named in an error. */
export function describeChars(chars: string[]): string {
  return chars
    .slice(0, 8)
    .map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${c}`)
    .join(', ') + (chars.length > 8 ? ` (+${chars.length - 8} more)` : '');
}
