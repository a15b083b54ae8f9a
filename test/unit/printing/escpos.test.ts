import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptLocale } from '../../../electron/contract/commands/printing.js';
import { PAPER, placeLine, type ReceiptLine } from '../../../electron/domain/receipt.js';
import { layoutReceipt } from '../../../electron/domain/receiptLayout.js';
import { findCjkFont, type CjkFont } from '../../../electron/printing/cjkFont.js';
import { PrintError } from '../../../electron/printing/errors.js';
import { KANJI_OFF, KANJI_ON, encodeEscpos, rasterBands, type RasterSource } from '../../../electron/printing/escpos.js';
import { bitmapToPng, createResvgRenderer, type RasterRenderer } from '../../../electron/printing/raster.js';
import { writeReceiptArtifacts } from './artifacts.js';
import { fromHexLines, parseEscpos, toHexLines } from './escposParser.js';
import { VOID_BODY, VOID_BODY_EN, receipt } from './fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const goldenDir = path.join(here, 'golden');
const artifacts = path.resolve(here, '../../../test-results/receipts');
const SHOP_HEADER = {
  merchantAddress: '深圳市南山区粤海街道科技南一路1008号腾讯滨海大厦南塔第二十三层，前台收',
  merchantPhone: '0755-8601 3388',
  merchantTaxId: '91440300708461136T',
};
const NO_RASTER: RasterSource = { code: 'print.font_missing', error: 'no CJK font (test)' };

/** Compares with the pinned bytes; UPDATE_GOLDEN=1 rewrites them (review the diff!). */
function golden(name: string, bytes: Uint8Array) {
  const file = path.join(goldenDir, `${name}.hex`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, toHexLines(bytes));
  }
  expect(existsSync(file), `golden file ${file} (run with UPDATE_GOLDEN=1 once, then review it)`).toBe(true);
  const expected = fromHexLines(readFileSync(file, 'utf8'));
  // Hex text so a failure shows where the bytes differ.
  expect(toHexLines(bytes)).toBe(toHexLines(expected));
}

function voidLines(locale: ReceiptLocale, paper: 58 | 80, copy: 'customer' | 'merchant' = 'merchant'): ReceiptLine[] {
  return layoutReceipt(receipt(locale === 'zh-CN' ? VOID_BODY : VOID_BODY_EN, copy), { locale, widthChars: PAPER[paper].columns });
}

/** Every native line reads back exactly as laid out: nothing became "?", nothing was dropped. */
function expectReadsBack(bytes: Uint8Array, lines: ReceiptLine[], columns: number) {
  const parsed = parseEscpos(bytes);
  const printed = parsed.lines.slice(0, lines.length);
  expect(printed.map((l) => l.text)).toEqual(lines.map((l) => placeLine(l, columns).trimEnd()));
  expect(printed.map((l) => l.bold)).toEqual(lines.map((l) => l.emphasis !== 'normal'));
  expect(printed.map((l) => l.height)).toEqual(lines.map((l) => (l.emphasis === 'large' ? 2 : 1)));
  return parsed;
}

describe('ESC/POS native text (printer with a GB18030 font)', () => {
  it.each([
    ['zh-CN', 58],
    ['zh-CN', 80],
    ['en', 58],
    ['en', 80],
  ] as const)('%s VOID receipt on %i mm: pinned bytes', (locale, paper) => {
    const lines = voidLines(locale, paper);
    const { bytes, mode } = encodeEscpos(lines, { paper, cjk: 'native', drawerKick: false }, NO_RASTER);
    expect(mode).toBe('native');
    golden(`void-${locale}-${paper}mm`, bytes);
  });

  it('zh-CN 58 mm: initialises, prints every line in GB18030 kanji mode, feeds, cuts', () => {
    const lines = voidLines('zh-CN', 58);
    const { bytes } = encodeEscpos(lines, { paper: 58, cjk: 'native', drawerKick: false }, NO_RASTER);
    expect([...bytes.subarray(0, 2)]).toEqual([0x1b, 0x40]);
    const parsed = expectReadsBack(bytes, lines, 32);
    expect(parsed.initialized).toBe(true);
    expect(parsed.cut).toBe('partial');
    expect(parsed.pulses).toBe(0);
    expect(parsed.rasters).toEqual([]);
    // The transaction type line: 撤销 (GB18030 B3 B7 CF FA) between FS & and FS .
    const voidBytes = [...KANJI_ON, ...iconv.encode('交易类型(TRANS TYPE):  撤销 VOID', 'gb18030'), ...KANJI_OFF];
    expect(Buffer.from(bytes).includes(Buffer.from(voidBytes))).toBe(true);
    expect(Buffer.from(bytes).includes(Buffer.from([0xb3, 0xb7, 0xcf, 0xfa]))).toBe(true);
    // The amount, negative, double height.
    const amount = parsed.lines.find((l) => l.text.includes('CNY -1,280.00'))!;
    expect(amount).toMatchObject({ bold: true, height: 2 });
    // No line is wider than the paper: 32 columns, double-byte characters count two.
    for (const l of parsed.lines) expect(iconv.encode(l.text, 'gb18030').length).toBeLessThanOrEqual(32);
    // Nothing was replaced by "?" (the note has none).
    expect(parsed.lines.some((l) => l.text.includes('?'))).toBe(false);
  });

  it('en receipt on 80 mm: plain ASCII lines, no kanji mode except the Chinese merchant name lines', () => {
    const lines = voidLines('en', 80);
    const { bytes } = encodeEscpos(lines, { paper: 80, cjk: 'native', drawerKick: false }, NO_RASTER);
    const parsed = expectReadsBack(bytes, lines, 48);
    expect(parsed.lines.every((l) => !l.kanji)).toBe(true);
    expect(parsed.commands).not.toContain('FS &');
    for (const l of parsed.lines) expect(l.text.length).toBeLessThanOrEqual(48);
  });

  it.each([58, 80] as const)("the shop's header (Chinese address, phone, tax id) reads back in GB18030 kanji mode on %i mm", (paper) => {
    const lines = layoutReceipt(receipt({ ...VOID_BODY, ...SHOP_HEADER }, 'customer'), { locale: 'zh-CN', widthChars: PAPER[paper].columns });
    const { bytes, mode } = encodeEscpos(lines, { paper, cjk: 'native', drawerKick: false }, NO_RASTER);
    expect(mode).toBe('native');
    const parsed = expectReadsBack(bytes, lines, PAPER[paper].columns);
    const text = parsed.lines.map((l) => l.text);
    const from = text.indexOf('地址(ADDRESS):');
    expect(from).toBeGreaterThan(0);
    const address = text.slice(from + 1, text.findIndex((l) => l.startsWith('电话(TEL):')));
    expect(address.join('')).toBe(SHOP_HEADER.merchantAddress);
    for (const l of parsed.lines) expect(iconv.encode(l.text, 'gb18030').length).toBeLessThanOrEqual(PAPER[paper].columns);
    const first = [...KANJI_ON, ...iconv.encode(address[0]!, 'gb18030'), ...KANJI_OFF];
    expect(Buffer.from(bytes).includes(Buffer.from(first))).toBe(true);
    expect(text.some((l) => /^税号\(TAX ID\): +91440300708461136T$/.test(l))).toBe(true);
  });

  it('kicks the drawer after the cut only when asked', () => {
    const lines = voidLines('en', 58, 'customer');
    const kicked = parseEscpos(encodeEscpos(lines, { paper: 58, cjk: 'native', drawerKick: true }, NO_RASTER).bytes);
    expect(kicked.pulses).toBe(1);
    expect(kicked.commands.indexOf('ESC p')).toBeGreaterThan(kicked.commands.indexOf('GS V'));
  });

  it('refuses (print.font_missing) rather than dropping a line the printer font cannot print when no raster is possible', () => {
    const lines = voidLines('zh-CN', 58);
    lines.splice(5, 0, { text: '价格 ¥128.00 😀', align: 'left', emphasis: 'normal' });
    let error: unknown;
    try {
      encodeEscpos(lines, { paper: 58, cjk: 'native', drawerKick: false }, NO_RASTER);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PrintError);
    expect((error as PrintError).code).toBe('print.font_missing');
    expect((error as PrintError).message).toContain('U+00A5 ¥');
    expect((error as PrintError).message).toContain('U+1F600');
  });

  it('a printer without a CJK font gets an all-ASCII receipt as native text (no image needed)', () => {
    const lines = voidLines('en', 58).filter((l) => /^[\x20-\x7e]*$/.test(l.text));
    const { bytes, mode } = encodeEscpos(lines, { paper: 58, cjk: 'raster', drawerKick: false }, NO_RASTER);
    expect(mode).toBe('native');
    expect(rasterBands(bytes)).toEqual([]);
  });
});

// Rendering a CJK receipt to an image loads a 20 MB font: give it room on a busy 2-core machine.
describe('ESC/POS raster (GS v 0)', { timeout: 90_000 }, () => {
  let font: CjkFont | null = null;
  let raster: RasterRenderer | null = null;
  beforeAll(async () => {
    font = await findCjkFont();
    if (font) {
      const r = await createResvgRenderer(font);
      raster = 'render' in r ? r : null;
    }
  }, 90_000);
  const needsFont = () => {
    if (!font || !raster) throw new Error('no CJK font / raster renderer on this machine: run scripts/setup.sh (fonts-noto-cjk)');
    return raster;
  };

  it.each([58, 80] as const)('a printer without a CJK font gets the whole zh-CN receipt as bands of the paper width (%i mm)', (paper) => {
    const r = needsFont();
    const lines = voidLines('zh-CN', paper);
    const { bytes, mode } = encodeEscpos(lines, { paper, cjk: 'raster', drawerKick: false }, r);
    expect(mode).toBe('raster');
    const parsed = parseEscpos(bytes);
    expect(parsed.commands).not.toContain('FS &');
    expect(parsed.lines.filter((l) => l.text !== '')).toEqual([]);
    expect(parsed.rasters.length).toBeGreaterThan(1);
    for (const band of parsed.rasters) {
      expect(band.widthBytes).toBe(PAPER[paper].dots / 8);
      expect(band.rows).toBeGreaterThan(0);
      expect(band.rows).toBeLessThanOrEqual(255);
    }
    const rows = parsed.rasters.reduce((n, b) => n + b.rows, 0);
    expect(rows % 8).toBe(0);
    // ~30 dots a line: the image is as tall as the receipt.
    expect(rows).toBeGreaterThanOrEqual(lines.length * 30);
    // It is not blank: a fair share of dots are black, and not all of them.
    const ink = parsed.rasters.reduce((n, b) => n + b.data.reduce((m, byte) => m + popcount(byte), 0), 0);
    const total = rows * PAPER[paper].dots;
    expect(ink / total).toBeGreaterThan(0.02);
    expect(ink / total).toBeLessThan(0.5);
    expect(parsed.cut).toBe('partial');

    mkdirSync(artifacts, { recursive: true });
    writeFileSync(path.join(artifacts, `void-zh-CN-merchant-${paper}mm-raster.png`), bitmapToPng(r.render(lines, PAPER[paper].columns, PAPER[paper].dots)));
  });

  it("the shop's header makes the raster receipt taller by its lines, still 384 dots wide (58 mm)", () => {
    const r = needsFont();
    const plain = voidLines('zh-CN', 58);
    const lines = layoutReceipt(receipt({ ...VOID_BODY, ...SHOP_HEADER }, 'merchant'), { locale: 'zh-CN', widthChars: 32 });
    expect(lines.length - plain.length).toBe(6);
    const rows = (ls: ReceiptLine[]) => parseEscpos(encodeEscpos(ls, { paper: 58, cjk: 'raster', drawerKick: false }, r).bytes).rasters;
    const bands = rows(lines);
    for (const band of bands) expect(band.widthBytes).toBe(48);
    const height = (b: typeof bands) => b.reduce((n, x) => n + x.rows, 0);
    expect(height(bands) - height(rows(plain))).toBeGreaterThanOrEqual(6 * 24);
  });

  it('a CJK printer prints a line its font lacks (¥ U+00A5) as one raster band, the rest as text', () => {
    const r = needsFont();
    const lines = voidLines('zh-CN', 58);
    lines.splice(3, 0, { text: '参考价 ¥128.00', align: 'left', emphasis: 'normal' });
    const { bytes, mode, rasterLines } = encodeEscpos(lines, { paper: 58, cjk: 'native', drawerKick: false }, r);
    expect(mode).toBe('mixed');
    expect(rasterLines).toBe(1);
    const parsed = parseEscpos(bytes);
    expect(parsed.rasters).toHaveLength(1);
    expect(parsed.rasters[0]).toMatchObject({ widthBytes: 48, afterLine: 3 });
    // Every other line is text, in order; after them only the feed before the cut.
    const native = lines.filter((_, i) => i !== 3);
    expect(parsed.lines.slice(0, native.length).map((l) => l.text)).toEqual(native.map((l) => placeLine(l, 32).trimEnd()));
    expect(parsed.lines.slice(native.length).every((l) => l.text === '')).toBe(true);
    expect(parsed.lines.map((l) => l.text).join('\n')).not.toContain('?128.00');
  });

  it('refuses a receipt with a character no font can draw (print.unprintable), naming it', () => {
    const r = needsFont();
    const lines = voidLines('zh-CN', 58);
    lines.push({ text: 'smile \u{1F600}', align: 'left', emphasis: 'normal' });
    expect(() => encodeEscpos(lines, { paper: 58, cjk: 'native', drawerKick: false }, r)).toThrow(/U\+1F600/);
    try {
      encodeEscpos(lines, { paper: 58, cjk: 'raster', drawerKick: false }, r);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ code: 'print.unprintable', params: { chars: expect.stringContaining('U+1F600') } });
    }
  });

  it('saves the receipts as PNG (what the printer prints) and PDF for people to look at', async () => {
    needsFont();
    const files = await writeReceiptArtifacts();
    expect(files.map((f) => path.basename(f))).toEqual([
      'void-zh-CN-customer-58mm.png',
      'void-en-merchant-80mm.png',
      'refund-zh-CN-merchant-58mm.png',
      'void-zh-CN-merchant.pdf',
    ]);
    for (const [file, dots] of [
      [files[0]!, 384],
      [files[1]!, 576],
    ] as const) {
      const png = readFileSync(file);
      expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
      expect(png.readUInt32BE(16)).toBe(dots);
    }
  });
});

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b; b &= b - 1) n++;
  return n;
}
