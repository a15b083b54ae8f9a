import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { layoutReceipt } from '../../../electron/domain/receiptLayout.js';
import { findCjkFont, searchFontFiles, type CjkFont } from '../../../electron/printing/cjkFont.js';
import { PrintError } from '../../../electron/printing/errors.js';
import { checkPdfFolder, renderPdf, safeNamePart, savePdf } from '../../../electron/printing/pdf.js';
import { receiptHtml } from '../../../electron/printing/system.js';
import { extractPdfTextRuns, pdftotext } from './pdfText.js';
import { REFUND_BODY, VOID_BODY, receipt } from './fixtures.js';

const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test-results/receipts');

let font: CjkFont | null = null;
beforeAll(async () => {
  font = await findCjkFont();
});
function needFont(): CjkFont {
  if (!font) throw new Error('no CJK font on this machine: run scripts/setup.sh (fonts-noto-cjk)');
  return font;
}

describe('the CJK font', () => {
  it('is found (Noto Sans CJK, the Mono variant of the collection when there is one) and knows its glyphs', () => {
    const f = needFont();
    expect(f.file).toMatch(/NotoSans(Mono)?CJK/);
    expect(f.family).toMatch(/Noto Sans (Mono )?CJK SC/);
    expect(f.missing('撤销 VOID 退货 ￥¥')).toEqual([]);
    expect(f.missing('a\u{1F600}b\uE000')).toEqual(['\u{1F600}', '\uE000']);
  });

  it('the font search finds Noto CJK files in a font folder tree', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cs-fonts-'));
    mkdirSync(path.join(root, 'opentype', 'noto'), { recursive: true });
    writeFileSync(path.join(root, 'opentype', 'noto', 'NotoSansCJK-Regular.ttc'), '');
    writeFileSync(path.join(root, 'opentype', 'noto', 'NotoSansMonoCJKsc-Regular.otf'), '');
    writeFileSync(path.join(root, 'DejaVuSans.ttf'), '');
    expect(searchFontFiles([root]).map((f) => path.basename(f))).toEqual(['NotoSansCJK-Regular.ttc', 'NotoSansMonoCJKsc-Regular.otf']);
  });
});

describe('PDF receipts', () => {
  it('contain the receipt text, Chinese included, and render with the CJK font', async () => {
    const lines = layoutReceipt(receipt(VOID_BODY, 'merchant'), { locale: 'zh-CN', widthChars: 48 });
    const pdf = await renderPdf(lines, needFont(), { widthChars: 48, paperMm: 80, title: 'VOID 000318', createdAt: new Date('2025-11-26T06:03:05Z') });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // The font is embedded (a subset of Noto CJK), not referenced.
    expect(pdf.toString('latin1')).toMatch(/FontFile3|FontFile2/);

    const runs = extractPdfTextRuns(pdf);
    for (const s of ['签购单', '商户联', '撤销', 'VOID', '好运来便利店', '622848******1234', 'CNY', '-1,280.00', '金额错误', '王经理', '应收128.00元，误输1280.00元']) {
      expect(runs, s).toContain(s);
    }
    const viaPoppler = pdftotext(pdf);
    if (viaPoppler !== null) {
      expect(viaPoppler).toContain('签购单 CARD RECEIPT');
      expect(viaPoppler).toMatch(/交易类型\(TRANS TYPE\): +撤销 VOID/);
      expect(viaPoppler).toContain('CNY -1,280.00');
    }
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(path.join(artifacts, 'void-zh-CN-merchant.pdf'), pdf);
  });

  it("carry the shop's header: name, a wrapped Chinese address, phone and tax id, read back as text", async () => {
    const body = {
      ...VOID_BODY,
      merchantAddress: '深圳市南山区粤海街道科技南一路1008号腾讯滨海大厦南塔第二十三层，前台收',
      merchantPhone: '0755-8601 3388',
      merchantTaxId: '91440300708461136T',
    };
    const lines = layoutReceipt(receipt(body, 'customer'), { locale: 'zh-CN', widthChars: 48 });
    const pdf = await renderPdf(lines, needFont(), { widthChars: 48, paperMm: 80, title: 'VOID 000318' });
    const runs = extractPdfTextRuns(pdf);
    for (const s of ['地址(ADDRESS):', '深圳市南山区粤海街道科技南一路1008号腾讯滨海大厦', '南塔第二十三层，前台收', '电话(TEL):', '0755-8601', '3388', '税号(TAX', 'ID):', '91440300708461136T']) {
      expect(runs, s).toContain(s);
    }
    const viaPoppler = pdftotext(pdf);
    if (viaPoppler !== null) {
      const text = viaPoppler.replace(/[ \t]+/g, ' ');
      expect(text).toContain('好运来便利店');
      expect(text).toContain('地址(ADDRESS):\n深圳市南山区粤海街道科技南一路1008号腾讯滨海大厦\n南塔第二十三层，前台收');
      expect(text).toMatch(/电话\(TEL\): 0755-8601 3388/);
      expect(text).toMatch(/税号\(TAX ID\): 91440300708461136T/);
    }
  });

  it('without a CJK font: print.font_missing with what to install', async () => {
    const lines = layoutReceipt(receipt(VOID_BODY, 'merchant'), { locale: 'zh-CN', widthChars: 48 });
    await expect(renderPdf(lines, null, { widthChars: 48, paperMm: 80, title: 'x' })).rejects.toMatchObject({
      code: 'print.font_missing',
      message: expect.stringContaining('fonts-noto-cjk'),
    });
  });

  it('refuses characters the font cannot draw instead of leaving holes', async () => {
    const lines = layoutReceipt(receipt({ ...REFUND_BODY, note: 'thanks \u{1F600}' }, 'merchant'), { locale: 'en', widthChars: 48 });
    await expect(renderPdf(lines, needFont(), { widthChars: 48, paperMm: 80, title: 'x' })).rejects.toMatchObject({ code: 'print.unprintable' });
  });

  it('are saved under a name Countersign makes, never overwriting, only into an existing folder', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'cs-pdfs-'));
    const pdf = Buffer.from('%PDF-1.3 test');
    const a = await savePdf(folder, 'receipt-20251126-void-000318-merchant-job7', pdf);
    const b = await savePdf(folder, 'receipt-20251126-void-000318-merchant-job7', pdf);
    expect(path.basename(a)).toBe('receipt-20251126-void-000318-merchant-job7.pdf');
    expect(path.basename(b)).toBe('receipt-20251126-void-000318-merchant-job7-2.pdf');
    expect(readdirSync(folder).sort()).toEqual([path.basename(a), path.basename(b)].sort());
    expect(readFileSync(a).toString()).toBe('%PDF-1.3 test');
    expect(safeNamePart('../../etc/passwd')).toBe('etc-passwd');
    expect(path.dirname(await savePdf(folder, '../../escape', pdf))).toBe(folder);

    await expect(savePdf(path.join(folder, 'missing'), 'x', pdf)).rejects.toMatchObject({ code: 'print.pdf_folder_missing' });
    await expect(checkPdfFolder('relative/folder')).rejects.toMatchObject({ code: 'print.invalid_path' });
    await expect(checkPdfFolder(`${folder}/../${path.basename(folder)}`)).rejects.toMatchObject({ code: 'print.invalid_path' });
    writeFileSync(path.join(folder, 'file'), '');
    await expect(checkPdfFolder(path.join(folder, 'file'))).rejects.toBeInstanceOf(PrintError);
  });

  it.skipIf(process.getuid?.() === 0)('a folder Countersign may not write into: print.pdf_folder_not_writable', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'cs-ro-'));
    chmodSync(folder, 0o500);
    await expect(checkPdfFolder(folder)).rejects.toMatchObject({ code: 'print.pdf_folder_not_writable' });
  });
});

describe('system-printer HTML', () => {
  it('is a self-contained page with every line, escaped', () => {
    const lines = layoutReceipt(receipt({ ...VOID_BODY, note: '<script>alert(1)</script>&' }, 'customer'), { locale: 'zh-CN', widthChars: 48 });
    const html = receiptHtml(lines, 48, 'VOID <1>', 'Noto Sans Mono CJK SC');
    expect(html).toContain('撤销 VOID');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    expect(html).not.toMatch(/src=|href=/);
    expect(html).toContain('"Noto Sans Mono CJK SC"');
  });
});
