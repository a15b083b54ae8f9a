/**
 * Receipts kept as pictures for people to look at: `test-results/receipts/*.png` (what a 58/80 mm
 * printer prints, 1 bit) and a PDF. Written by the unit tests and again by the printing e2e spec,
 * because Playwright empties test-results/ when it starts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAPER } from '../../../electron/domain/receipt.js';
import { layoutReceipt } from '../../../electron/domain/receiptLayout.js';
import { findCjkFont } from '../../../electron/printing/cjkFont.js';
import { renderPdf } from '../../../electron/printing/pdf.js';
import { bitmapToPng, createResvgRenderer } from '../../../electron/printing/raster.js';
import { REFUND_BODY, VOID_BODY, VOID_BODY_EN, receipt } from './fixtures.js';

export const ARTIFACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test-results/receipts');

/** Writes the receipt pictures; returns the files written. Throws when there is no CJK font. */
export async function writeReceiptArtifacts(): Promise<string[]> {
  const font = await findCjkFont();
  if (!font) throw new Error('no CJK font: run scripts/setup.sh (fonts-noto-cjk)');
  const raster = await createResvgRenderer(font);
  if ('error' in raster) throw new Error(raster.error);
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const files: string[] = [];
  for (const [name, body, locale, copy, paper] of [
    ['void-zh-CN-customer-58mm', VOID_BODY, 'zh-CN', 'customer', 58],
    ['void-en-merchant-80mm', VOID_BODY_EN, 'en', 'merchant', 80],
    ['refund-zh-CN-merchant-58mm', REFUND_BODY, 'zh-CN', 'merchant', 58],
  ] as const) {
    const lines = layoutReceipt(receipt(body, copy), { locale, widthChars: PAPER[paper].columns });
    const file = path.join(ARTIFACTS_DIR, `${name}.png`);
    writeFileSync(file, bitmapToPng(raster.render(lines, PAPER[paper].columns, PAPER[paper].dots)));
    files.push(file);
  }
  const pdfLines = layoutReceipt(receipt(VOID_BODY, 'merchant'), { locale: 'zh-CN', widthChars: 48 });
  const pdf = path.join(ARTIFACTS_DIR, 'void-zh-CN-merchant.pdf');
  writeFileSync(pdf, await renderPdf(pdfLines, font, { widthChars: 48, paperMm: 80, title: 'VOID 000318' }));
  files.push(pdf);
  return files;
}
