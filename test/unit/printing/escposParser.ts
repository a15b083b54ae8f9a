/**
 * Reads ESC/POS bytes back the way a printer would, for the commands a receipt may contain. An
 * unknown command fails loudly, so an encoder change that emits something new is noticed.
 */
import iconv from 'iconv-lite';

export interface PrintedLine {
  text: string;
  bold: boolean;
  /** GS ! height multiplier. */
  height: number;
  kanji: boolean;
}

export interface ParsedReceipt {
  initialized: boolean;
  lines: PrintedLine[];
  /** Each GS v 0 command: width in bytes, rows, and its line index (how many lines printed before it). */
  rasters: Array<{ widthBytes: number; rows: number; afterLine: number; data: Uint8Array }>;
  cut: 'full' | 'partial' | null;
  pulses: number;
  /** Bytes after the cut (e.g. a feed), and commands in order. */
  commands: string[];
}

export function parseEscpos(bytes: Uint8Array): ParsedReceipt {
  const out: ParsedReceipt = { initialized: false, lines: [], rasters: [], cut: null, pulses: 0, commands: [] };
  let bold = false;
  let height = 1;
  let kanji = false;
  let text: number[] = [];
  let lineKanji = false;
  // What the characters of the current line were printed with (a printer applies the mode to the
  // characters as they arrive, so switching it off before the line feed does not undo it).
  let lineBold = false;
  let lineHeight = 1;
  let i = 0;
  const need = (n: number) => {
    if (i + n > bytes.length) throw new Error(`truncated command at ${i}`);
  };
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b === 0x0a) {
      const decoded = iconv.decode(Buffer.from(text), 'gb18030');
      out.lines.push({ text: decoded, bold: lineBold, height: lineHeight, kanji: lineKanji });
      text = [];
      lineKanji = false;
      lineBold = false;
      lineHeight = 1;
      out.commands.push('LF');
      i++;
    } else if (b === 0x1b) {
      need(2);
      const c = bytes[i + 1]!;
      if (c === 0x40) {
        out.initialized = true;
        bold = false;
        height = 1;
        kanji = false;
        out.commands.push('ESC @');
        i += 2;
      } else if (c === 0x45) {
        need(3);
        bold = bytes[i + 2] === 1;
        out.commands.push(`ESC E ${bytes[i + 2]}`);
        i += 3;
      } else if (c === 0x4d || c === 0x74) {
        need(3);
        out.commands.push(`ESC ${String.fromCharCode(c)} ${bytes[i + 2]}`);
        i += 3;
      } else if (c === 0x70) {
        need(5);
        out.pulses++;
        out.commands.push('ESC p');
        i += 5;
      } else throw new Error(`unknown ESC ${c.toString(16)} at ${i}`);
    } else if (b === 0x1c) {
      need(2);
      const c = bytes[i + 1]!;
      if (c === 0x26) kanji = true;
      else if (c === 0x2e) kanji = false;
      else throw new Error(`unknown FS ${c.toString(16)} at ${i}`);
      out.commands.push(c === 0x26 ? 'FS &' : 'FS .');
      i += 2;
    } else if (b === 0x1d) {
      need(2);
      const c = bytes[i + 1]!;
      if (c === 0x21) {
        need(3);
        height = (bytes[i + 2]! & 0x0f) + 1;
        out.commands.push(`GS ! ${bytes[i + 2]}`);
        i += 3;
      } else if (c === 0x56) {
        need(3);
        out.cut = bytes[i + 2] === 0 || bytes[i + 2] === 0x30 ? 'full' : 'partial';
        out.commands.push('GS V');
        i += 3;
      } else if (c === 0x76) {
        need(8);
        if (bytes[i + 2] !== 0x30) throw new Error('GS v with an unknown function');
        const widthBytes = bytes[i + 4]! | (bytes[i + 5]! << 8);
        const rows = bytes[i + 6]! | (bytes[i + 7]! << 8);
        need(8 + widthBytes * rows);
        out.rasters.push({ widthBytes, rows, afterLine: out.lines.length, data: bytes.subarray(i + 8, i + 8 + widthBytes * rows) });
        out.commands.push('GS v 0');
        i += 8 + widthBytes * rows;
      } else throw new Error(`unknown GS ${c.toString(16)} at ${i}`);
    } else if (b >= 0x20) {
      if (!kanji && b >= 0x80) throw new Error(`a byte above 0x7F outside kanji mode at ${i}: it would print as a code page character`);
      if (kanji) lineKanji = true;
      if (b !== 0x20 || bold) lineBold ||= bold;
      lineHeight = Math.max(lineHeight, height);
      text.push(b);
      i++;
    } else if (b === 0x0d) {
      i++;
    } else {
      throw new Error(`unknown control byte ${b.toString(16)} at ${i}`);
    }
  }
  if (text.length > 0) throw new Error('text after the last line feed');
  return out;
}

export function toHexLines(bytes: Uint8Array, perLine = 32): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += perLine) {
    lines.push(Buffer.from(bytes.subarray(i, i + perLine)).toString('hex').replace(/(..)(?!$)/g, '$1 '));
  }
  return lines.join('\n') + '\n';
}

export function fromHexLines(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
