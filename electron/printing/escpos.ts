/**
 * Receipt lines → ESC/POS bytes for 58 mm (32 columns, 384 dots) and 80 mm (48 columns, 576 dots)
 * thermal printers, with @point-of-sale/receipt-printer-encoder doing the commands (initialise,
 * emphasis, double height, `GS v 0` raster bands, cut, drawer pulse).
 *
 * Chinese text: the encoder's code pages hold no Chinese and turn it into "?" silently, so text is
 * encoded here to GB18030 with iconv-lite and sent raw, in kanji mode (`FS &` … `FS .`, which the
 * encoder does not offer) on printers whose profile says they have a CJK font. Every character is
 * checked first: a line the printer's font cannot print is drawn as raster; a printer without a CJK
 * font gets the whole receipt as raster. When neither works the receipt is refused with
 * `print.unprintable` or `print.raster_unavailable` — a line is never dropped or garbled.
 */
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { CjkMode, PaperWidth } from '../contract/commands/printing.js';
import { PAPER, placeLine, type ReceiptLine } from '../domain/receipt.js';
import { PrintError } from './errors.js';
import { describeChars, encodeGb18030, isAscii, nonNativeChars } from './gb18030.js';
import type { RasterRenderer } from './raster.js';

export interface EscposProfile {
  paper: PaperWidth;
  cjk: CjkMode;
  /** Pulse the cash drawer (pin 2) after the cut. */
  drawerKick: boolean;
}

export interface EscposResult {
  bytes: Uint8Array;
  /** How the text went out: all native text, all raster, or native with some raster lines. */
  mode: 'native' | 'raster' | 'mixed';
  rasterLines: number;
}

/** FS & / FS . — kanji (double-byte) character mode on and off. */
export const KANJI_ON = [0x1c, 0x26] as const;
export const KANJI_OFF = [0x1c, 0x2e] as const;

/** Lines of feed before the cut, so the last line clears the cutter. */
const FEED_BEFORE_CUT = 4;

function newEncoder(columns: number) {
  return new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns,
    imageMode: 'raster',
    feedBeforeCut: FEED_BEFORE_CUT,
    newline: '\n',
    // A raster band advances the paper by its own height: no extra line feed after it.
    feedAfterBlock: false,
  });
}

type Encoder = ReturnType<typeof newEncoder>;

/** A raster renderer, or why there is none (shown to the person when it is needed). */
export type RasterSource = RasterRenderer | { error: string; code: 'print.font_missing' | 'print.raster_unavailable' };

function needRaster(source: RasterSource, why: string): RasterRenderer {
  if ('render' in source) return source;
  throw new PrintError(source.code, `${why}, and ${source.error}`, { detail: source.error });
}

function checkGlyphs(raster: RasterRenderer, lines: ReceiptLine[]): void {
  const missing = raster.font.missing(lines.map((l) => l.text).join(''));
  if (missing.length > 0) {
    throw new PrintError(
      'print.unprintable',
      `the receipt has characters no printer font and not the CJK font can print (${describeChars(missing)}); it was not printed and stays in the queue`,
      { chars: describeChars(missing) },
    );
  }
}

function image(encoder: Encoder, raster: RasterRenderer, lines: ReceiptLine[], columns: number, dots: number): void {
  const bitmap = raster.render(lines, columns, dots);
  encoder.image({ data: bitmap.data, width: bitmap.width, height: bitmap.height } as never, bitmap.width, bitmap.height, 'threshold', 128);
}

/**
 * The bytes of one receipt copy, ending with feed and partial cut (and the drawer pulse when the
 * profile asks for it). Throws PrintError when a line cannot be printed.
 */
export function encodeEscpos(lines: ReceiptLine[], profile: EscposProfile, raster: RasterSource): EscposResult {
  const { columns, dots } = PAPER[profile.paper];
  const encoder = newEncoder(columns);
  encoder.initialize();
  let rasterLines = 0;

  if (profile.cjk === 'raster' && !lines.every((l) => isAscii(l.text))) {
    // No CJK font in the printer: the whole receipt as one image (the encoder cuts it in bands).
    const r = needRaster(raster, 'this printer has no Chinese font so the receipt must be printed as an image');
    checkGlyphs(r, lines);
    image(encoder, r, lines, columns, dots);
    rasterLines = lines.length;
  } else {
    // Check every line before encoding any: a receipt is printed whole or not at all.
    const plan = lines.map((line) => ({ line, native: nonNativeChars(line.text).length === 0 }));
    const foreign = plan.filter((p) => !p.native).map((p) => p.line);
    let r: RasterRenderer | null = null;
    if (foreign.length > 0) {
      const chars = describeChars(nonNativeChars(foreign.map((l) => l.text).join('')));
      r = needRaster(raster, `the printer's font cannot print ${chars}`);
      checkGlyphs(r, foreign);
    }
    for (const { line, native } of plan) {
      if (!native) {
        image(encoder, r!, [line], columns, dots);
        rasterLines++;
        continue;
      }
      const text = placeLine(line, columns).trimEnd();
      if (text === '') {
        encoder.newline();
        continue;
      }
      if (line.emphasis !== 'normal') encoder.bold(true);
      if (line.emphasis === 'large') encoder.height(2);
      if (isAscii(text)) {
        encoder.raw(encodeGb18030(text));
      } else {
        encoder.raw([...KANJI_ON, ...encodeGb18030(text), ...KANJI_OFF]);
      }
      if (line.emphasis === 'large') encoder.height(1);
      if (line.emphasis !== 'normal') encoder.bold(false);
      encoder.newline();
    }
  }

  encoder.cut('partial');
  if (profile.drawerKick) encoder.pulse();
  const mode = rasterLines === 0 ? 'native' : rasterLines === lines.length ? 'raster' : 'mixed';
  return { bytes: encoder.encode(), mode, rasterLines };
}

/** `GS v 0` commands in `bytes`: [width in bytes, rows] each (for checks and tests). */
export function rasterBands(bytes: Uint8Array): Array<{ widthBytes: number; rows: number; offset: number }> {
  const out: Array<{ widthBytes: number; rows: number; offset: number }> = [];
  let i = 0;
  while (i + 8 <= bytes.length) {
    if (bytes[i] === 0x1d && bytes[i + 1] === 0x76 && bytes[i + 2] === 0x30) {
      const widthBytes = bytes[i + 4]! | (bytes[i + 5]! << 8);
      const rows = bytes[i + 6]! | (bytes[i + 7]! << 8);
      out.push({ widthBytes, rows, offset: i });
      i += 8 + widthBytes * rows;
    } else {
      i++;
    }
  }
  return out;
}
