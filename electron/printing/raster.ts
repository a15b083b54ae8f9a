/**
 * Receipt lines → an image on the printer's dot grid, for printers without a CJK font and for the
 * lines a CJK printer's font cannot print. The lines become an SVG (one cell per column, 12 dots,
 * double-byte characters two cells, 24-dot glyphs) drawn by resvg with the CJK font; the ESC/POS
 * encoder turns the image into 1-bit `GS v 0` bands.
 */
import { deflateSync, crc32 } from 'node:zlib';
import { charWidth, placeLine, type ReceiptLine } from '../domain/receipt.js';
import type { CjkFont } from './cjkFont.js';

/** RGBA pixels, row-major. */
export interface Bitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface RasterRenderer {
  readonly font: CjkFont;
  /** Draws `lines` on a grid of `widthChars` columns, `widthDots` wide. Height: a multiple of 8. */
  render(lines: ReceiptLine[], widthChars: number, widthDots: number): Bitmap;
}

/** Dot rows one line takes: 24-dot glyphs plus spacing; double height for `large`. */
export const LINE_DOTS = { normal: 30, bold: 30, large: 54 } as const;
const GLYPH = 24;
const MARGIN = 8;

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The SVG of the lines (exported for tests and previews). */
export function receiptSvg(lines: ReceiptLine[], widthChars: number, widthDots: number, family: string): { svg: string; height: number } {
  const cell = widthDots / widthChars;
  let y = MARGIN;
  const parts: string[] = [];
  for (const line of lines) {
    const rowHeight = LINE_DOTS[line.emphasis];
    const placed = placeLine(line, widthChars);
    // One <text> per run of non-blank characters, each character at its own cell (no reliance on
    // the font's advances, no whitespace collapsing).
    let col = 0;
    let run: { text: string; xs: number[] } | null = null;
    const runs: Array<{ text: string; xs: number[] }> = [];
    for (const ch of placed) {
      if (ch === ' ') {
        run = null;
      } else {
        if (!run) runs.push((run = { text: '', xs: [] }));
        run.text += ch;
        const w = charWidth(ch);
        // A half-width glyph of a double-width cell is centred in it.
        run.xs.push(Math.round((col + (w === 2 && ch.codePointAt(0)! < 0x2e80 ? 0.5 : 0)) * cell * 100) / 100);
      }
      col += charWidth(ch);
    }
    const bold = line.emphasis !== 'normal' ? ' stroke="#000" stroke-width="0.7"' : '';
    const scale = line.emphasis === 'large' ? 2 : 1;
    for (const r of runs) {
      parts.push(
        `<text transform="translate(0 ${y}) scale(1 ${scale})" x="${r.xs.join(' ')}" y="${GLYPH - 3}" font-size="${GLYPH}"${bold}>${escapeXml(r.text)}</text>`,
      );
    }
    y += rowHeight;
  }
  const height = Math.ceil((y + MARGIN) / 8) * 8;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthDots}" height="${height}" viewBox="0 0 ${widthDots} ${height}">` +
    `<rect width="100%" height="100%" fill="#fff"/><g font-family="${escapeXml(family)}" fill="#000">${parts.join('')}</g></svg>`;
  return { svg, height };
}

type ResvgModule = typeof import('@resvg/resvg-js');

/** A renderer backed by resvg, or the reason it cannot load (no prebuilt binary for this platform). */
export async function createResvgRenderer(font: CjkFont): Promise<RasterRenderer | { error: string }> {
  let mod: ResvgModule;
  try {
    mod = (await import('@resvg/resvg-js')) as ResvgModule;
  } catch (error) {
    return { error: `the raster renderer (@resvg/resvg-js) could not load: ${(error as Error).message}` };
  }
  const Resvg = mod.Resvg ?? (mod as unknown as { default: ResvgModule }).default.Resvg;
  return {
    font,
    render(lines, widthChars, widthDots) {
      const { svg } = receiptSvg(lines, widthChars, widthDots, font.family);
      const resvg = new Resvg(svg, {
        font: { fontFiles: [font.file], loadSystemFonts: false, defaultFontFamily: font.family },
        fitTo: { mode: 'original' },
        background: '#ffffff',
        shapeRendering: 1,
        textRendering: 1,
      });
      const image = resvg.render();
      return { width: image.width, height: image.height, data: new Uint8Array(image.pixels) };
    },
  };
}

/** Luminance below `threshold` prints a dot: the same rule as the encoder's threshold. */
export function isDot(bitmap: Bitmap, x: number, y: number, threshold = 128): boolean {
  const i = (y * bitmap.width + x) * 4;
  const d = bitmap.data;
  const alpha = d[i + 3]! / 255;
  const lum = (d[i]! * 0.299 + d[i + 1]! * 0.587 + d[i + 2]! * 0.114) * alpha + 255 * (1 - alpha);
  return lum < threshold;
}

/** The bitmap as the printer prints it (1-bit, thresholded), as a grayscale PNG. */
export function bitmapToPng(bitmap: Bitmap): Buffer {
  const { width, height } = bitmap;
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = isDot(bitmap, x, y) ? 0 : 255;
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
