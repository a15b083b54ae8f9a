import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReceiptBody, type ReceiptLocale } from '../../../electron/contract/commands/printing.js';
import { displayWidth, formatReceiptAmount, placeLine, wrapText } from '../../../electron/domain/receipt.js';
import { layoutReceipt, layoutTestPage } from '../../../electron/domain/receiptLayout.js';
import { describeChars, encodeGb18030, isNativeChar, nonNativeChars } from '../../../electron/printing/gb18030.js';
import { REFUND_BODY, VOID_BODY, VOID_BODY_EN, receipt } from './fixtures.js';
import { UNIONPAY_UNMASKED } from '../../support/testPan.js';

const text = (locale: ReceiptLocale, widthChars: number, body = VOID_BODY, copy: 'customer' | 'merchant' = 'merchant') =>
  layoutReceipt(receipt(body, copy), { locale, widthChars })
    .map((l) => placeLine(l, widthChars))
    .join('\n');

describe('receipt money', () => {
  it('formats integer minor units with the ISO code, grouping and sign, no floats', () => {
    expect(formatReceiptAmount(128_000, '156')).toBe('CNY 1,280.00');
    expect(formatReceiptAmount(-128_000, '156')).toBe('CNY -1,280.00');
    expect(formatReceiptAmount(-5, '156')).toBe('CNY -0.05');
    expect(formatReceiptAmount(999_999_999_999, '156')).toBe('CNY 9,999,999,999.99');
    expect(formatReceiptAmount(-1280, '392')).toBe('JPY -1,280');
    expect(formatReceiptAmount(1_234_567, '414')).toBe('KWD 1,234.567');
    expect(formatReceiptAmount(-12_345, '999')).toBe('-123.45 (999)');
    expect(() => formatReceiptAmount(1.5, '156')).toThrow(RangeError);
  });
});

describe('text on the grid', () => {
  it('counts double-byte characters as two columns', () => {
    expect(displayWidth('撤销 VOID')).toBe(9);
    expect(displayWidth('')).toBe(0);
  });

  it('wraps within the width, keeping Latin words whole and never losing a character', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('撤', '销', 'a', 'b', ' ', '1', '，', 'W') , maxLength: 200 }), fc.integer({ min: 2, max: 48 }), (s, w) => {
        const lines = wrapText(s, w);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(w);
        expect(lines.join('').replace(/ /g, '')).toBe(s.replace(/ /g, ''));
      }),
    );
    expect(wrapText('Keyed 1280.00 instead of 128.00', 20)).toEqual(['Keyed 1280.00', 'instead of 128.00']);
  });
});

describe('layoutReceipt', () => {
  it('zh-CN VOID: bilingual labels, Chinese values, negative amount, every reference', () => {
    const t = text('zh-CN', 32);
    for (const s of [
      '签购单 CARD RECEIPT',
      '商户联 MERCHANT COPY',
      '商户名称(MERCHANT NAME):',
      '好运来便利店',
      '898310058120001',
      '终端编号(TERMINAL NO.): 10293847',
      '622848******1234',
      'UnionPay',
      '插卡 CHIP',
      '撤销 VOID',
      '000318',
      '533014000318',
      'K48213',
      '2025/11/26 14:03:05',
      '原凭证号(ORIG. TRACE NO.):',
      '000317',
      '533014000317',
      'K10734',
      '原交易日期(ORIG. DATE):',
      'CNY -1,280.00',
      '金额错误 WRONG AMOUNT',
      '应收128.00元，误输1280.00元',
      '授权经理(MANAGER):',
      '王经理',
    ]) {
      expect(t, s).toContain(s);
    }
    expect(t).not.toContain('SIGNATURE');
    expect(t).not.toContain('REPRINT');
  });

  it('English VOID: English labels only', () => {
    const t = text('en', 32, VOID_BODY_EN);
    expect(t).toContain('CARD RECEIPT');
    expect(t).toContain('TRANS TYPE:                 VOID');
    expect(t).toContain('ORIG. TRACE NO.:          000317');
    expect(t).toContain('CNY -1,280.00');
    expect(t).toContain('WRONG AMOUNT');
    // Nothing but ASCII: an English counter's printer needs no Chinese font for it.
    expect(t).toMatch(/^[\x20-\x7e\n]*$/);
  });

  it('REFUND: the merchant copy has the cardholder signature line, the customer copy does not', () => {
    const merchant = text('zh-CN', 48, REFUND_BODY, 'merchant');
    const customer = text('zh-CN', 48, REFUND_BODY, 'customer');
    expect(merchant).toContain('持卡人签名(CARDHOLDER SIGNATURE):');
    expect(merchant).toContain('_'.repeat(48));
    expect(merchant).toContain('退货 REFUND');
    expect(merchant).toContain('CNY -50.00');
    expect(customer).toContain('顾客联 CUSTOMER COPY');
    expect(customer).not.toContain('SIGNATURE');
  });

  it('a SALE reprint is positive and says REPRINT', () => {
    const sale = ReceiptBody.parse({ ...VOID_BODY, kind: 'SALE', reprint: true, original: null, reason: null, note: null, manager: null });
    const lines = layoutReceipt({ ...sale, copy: 'customer' }, { locale: 'zh-CN', widthChars: 32 });
    const t = lines.map((l) => l.text).join('\n');
    expect(t).toContain('*** 重打印 REPRINT ***');
    expect(t).toContain('消费 SALE');
    expect(t).toContain('CNY 1,280.00');
    expect(t).not.toContain('-1,280.00');
    expect(t).not.toContain('原凭证号');
  });

  it('a settlement report lists the totals with voids and refunds negative', () => {
    const body = ReceiptBody.parse({
      kind: 'SETTLEMENT',
      merchantName: '好运来便利店',
      merchantId: '898310058120001',
      terminalId: '10293847',
      batch: '000123',
      dateTime: '20251126230000',
      amountMinor: 1_102_00,
      currency: '156',
      settlement: {
        lines: [
          { type: 'SALE', count: 12, amountMinor: 1_280_00 },
          { type: 'VOID', count: 1, amountMinor: 128_00 },
          { type: 'REFUND', count: 1, amountMinor: 50_00 },
        ],
        netMinor: 1_102_00,
      },
    });
    const t = layoutReceipt({ ...body, copy: 'merchant' }, { locale: 'zh-CN', widthChars: 32 })
      .map((l) => l.text)
      .join('\n');
    expect(t).toContain('结算单 SETTLEMENT REPORT');
    expect(t).toMatch(/消费 SALE 12 +CNY 1,280.00/);
    expect(t).toMatch(/撤销 VOID 1 +CNY -128.00/);
    expect(t).toMatch(/退货 REFUND 1 +CNY -50.00/);
    expect(t).toMatch(/净额\(NET\): +CNY 1,102.00/);
  });

  it('no line is ever wider than the paper, whatever the free text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('好', '运', '来', 'A', 'b', ' ', '7', '（', '）', 'é'), maxLength: 40 }),
        fc.string({ unit: fc.constantFrom('应', '收', 'x', ' ', '1', '.', '，'), maxLength: 200 }),
        fc.constantFrom(32, 48),
        fc.constantFrom<ReceiptLocale>('zh-CN', 'en'),
        (merchantName, note, w, locale) => {
          const lines = layoutReceipt(receipt({ ...VOID_BODY, merchantName, note }, 'merchant'), { locale, widthChars: w });
          for (const l of lines) expect(displayWidth(l.text)).toBeLessThanOrEqual(w);
          const all = lines.map((l) => l.text).join('');
          for (const ch of (merchantName + note).replace(/\s/g, '')) expect(all).toContain(ch);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the test page has a column ruler as wide as the paper', () => {
    const lines = layoutTestPage({ locale: 'zh-CN', widthChars: 32, printerName: '前台打印机', printedAt: '2025/11/26 14:00:00', cjk: 'GB18030' });
    expect(lines.map((l) => l.text)).toContain('12345678901234567890123456789012');
    expect(lines.map((l) => l.text).join('\n')).toContain('打印测试 PRINTER TEST');
  });
});

describe('the shop header (name, address, phone, tax id from the setup)', () => {
  const ZH_ADDRESS = '深圳市南山区粤海街道科技南一路1008号腾讯滨海大厦南塔第二十三层，前台收';
  const SHOP_ZH = { merchantAddress: ZH_ADDRESS, merchantPhone: '0755-8601 3388', merchantTaxId: '91440300708461136T' };
  const SHOP_EN = { merchantAddress: '100 Nanjing Rd E, Huangpu District, Shanghai 200001', merchantPhone: '+86 21 5555 0100', merchantTaxId: '91310000MA1K000000' };
  const lines = (locale: ReceiptLocale, widthChars: number, body = VOID_BODY) => layoutReceipt(receipt(body, 'merchant'), { locale, widthChars }).map((l) => l.text);
  /** The lines from `first` up to (not including) the line starting with `until`. */
  const between = (all: string[], first: string, until: string) => all.slice(all.indexOf(first), all.findIndex((l) => l.startsWith(until)));

  it('zh-CN, 58 mm: a long Chinese address wraps under its label, numbers kept whole, no line starting with "，"', () => {
    const all = lines('zh-CN', 32, { ...VOID_BODY, ...SHOP_ZH });
    for (const l of all) expect(displayWidth(l), l).toBeLessThanOrEqual(32);
    expect(between(all, '商户名称(MERCHANT NAME):', '商户编号')).toEqual([
      '商户名称(MERCHANT NAME):',
      '好运来便利店',
      '地址(ADDRESS):',
      '深圳市南山区粤海街道科技南一路',
      '1008号腾讯滨海大厦南塔第二十三',
      '层，前台收',
      `电话(TEL):${' '.repeat(32 - 10 - 14)}0755-8601 3388`,
      // 13 + 18 columns: exactly one space to spare.
      '税号(TAX ID): 91440300708461136T',
    ]);
  });

  it('zh-CN, 80 mm: the same address in two lines, phone and tax id beside their labels', () => {
    const all = lines('zh-CN', 48, { ...VOID_BODY, ...SHOP_ZH });
    for (const l of all) expect(displayWidth(l), l).toBeLessThanOrEqual(48);
    expect(between(all, '地址(ADDRESS):', '商户编号')).toEqual([
      '地址(ADDRESS):',
      '深圳市南山区粤海街道科技南一路1008号腾讯滨海大厦',
      '南塔第二十三层，前台收',
      `电话(TEL):${' '.repeat(48 - 10 - 14)}0755-8601 3388`,
      `税号(TAX ID):${' '.repeat(48 - 13 - 18)}91440300708461136T`,
    ]);
    // The header sits with the merchant's details, before the acquirer's merchant number.
    expect(all.findIndex((l) => l.startsWith('税号'))).toBeLessThan(all.findIndex((l) => l.startsWith('商户编号')));
  });

  it('English, both widths: English labels, a Latin address wrapped at spaces, a short one beside its label', () => {
    const narrow = lines('en', 32, { ...VOID_BODY_EN, ...SHOP_EN });
    expect(between(narrow, 'ADDRESS:', 'MERCHANT NO.')).toEqual([
      'ADDRESS:',
      '100 Nanjing Rd E, Huangpu',
      'District, Shanghai 200001',
      `TEL:${' '.repeat(32 - 4 - 16)}+86 21 5555 0100`,
      `TAX ID:${' '.repeat(32 - 7 - 18)}91310000MA1K000000`,
    ]);
    const wide = lines('en', 48, { ...VOID_BODY_EN, ...SHOP_EN });
    expect(between(wide, 'ADDRESS:', 'TEL:')).toEqual(['ADDRESS:', '100 Nanjing Rd E, Huangpu District, Shanghai', '200001']);
    const short = lines('en', 48, { ...VOID_BODY_EN, merchantAddress: '12 Harbour Rd, Wan Chai' });
    expect(short).toContain(`ADDRESS:${' '.repeat(48 - 8 - 23)}12 Harbour Rd, Wan Chai`);
    for (const l of [...narrow, ...wide]) expect(l).toMatch(/^[\x20-\x7e]*$/);
  });

  it('English receipt, Chinese address: counted double width, wrapped within 58 mm', () => {
    const all = lines('en', 32, { ...VOID_BODY_EN, merchantAddress: ZH_ADDRESS });
    const block = between(all, 'ADDRESS:', 'MERCHANT NO.');
    expect(block.slice(1).join('')).toBe(ZH_ADDRESS);
    for (const l of block) expect(displayWidth(l)).toBeLessThanOrEqual(32);
  });

  it('each part only when set: no address, phone or tax id lines for a shop without them', () => {
    const zh = lines('zh-CN', 32).join('\n');
    const en = lines('en', 48, VOID_BODY_EN).join('\n');
    for (const s of ['地址', '电话', '税号']) expect(zh).not.toContain(s);
    for (const s of ['ADDRESS', 'TEL:', 'TAX ID']) expect(en).not.toContain(s);
    const phoneOnly = lines('en', 32, { ...VOID_BODY_EN, merchantPhone: '6123 4567' }).join('\n');
    expect(phoneOnly).toContain('TEL:');
    expect(phoneOnly).not.toContain('ADDRESS');
    expect(phoneOnly).not.toContain('TAX ID');
  });

  it('the settlement report and the test page carry the same header', () => {
    const settlement = ReceiptBody.parse({
      kind: 'SETTLEMENT',
      merchantName: '好运来便利店',
      ...SHOP_ZH,
      merchantId: '898310058120001',
      terminalId: '10293847',
      dateTime: '20251126230000',
      amountMinor: 0,
      currency: '156',
      settlement: { lines: [], netMinor: 0 },
    });
    const t = layoutReceipt({ ...settlement, copy: 'merchant' }, { locale: 'zh-CN', widthChars: 32 }).map((l) => l.text);
    expect(t).toContain('层，前台收');
    expect(t).toContain('税号(TAX ID): 91440300708461136T');
    const page = layoutTestPage({
      locale: 'en',
      widthChars: 48,
      printerName: 'Front',
      printedAt: '2025/11/26 14:00:00',
      cjk: 'PDF',
      merchant: { name: 'Good Luck Mart', address: SHOP_EN.merchantAddress, phone: SHOP_EN.merchantPhone, taxId: '' },
    }).map((l) => l.text);
    expect(page).toContain(`MERCHANT NAME:${' '.repeat(48 - 14 - 14)}Good Luck Mart`);
    expect(page).toContain('100 Nanjing Rd E, Huangpu District, Shanghai');
    expect(page.join('\n')).not.toContain('TAX ID');
    const bare = layoutTestPage({ locale: 'en', widthChars: 32, printerName: 'x', printedAt: '-', cjk: 'PDF', merchant: { name: '', address: '', phone: '', taxId: '' } });
    expect(bare.map((l) => l.text).join('\n')).not.toContain('MERCHANT');
  });
});

describe('wrapping Chinese text', () => {
  it('breaks between CJK characters but not inside a number or before closing punctuation', () => {
    expect(wrapText('上海市黄浦区南京东路1008号', 22)).toEqual(['上海市黄浦区南京东路', '1008号']);
    expect(wrapText('甲乙丙丁戊己庚辛壬癸，子丑', 20)).toEqual(['甲乙丙丁戊己庚辛壬', '癸，子丑']);
    expect(wrapText('甲乙丙丁戊己庚辛壬（子丑）', 20)).toEqual(['甲乙丙丁戊己庚辛壬', '（子丑）']);
    // A number wider than the line is still cut rather than lost.
    expect(wrapText('电话12345678901234', 10)).toEqual(['电话', '1234567890', '1234']);
  });
});

describe('ReceiptBody (what the void/refund flow hands over)', () => {
  it('refuses an unmasked card number, a VOID without manager or reason, control characters', () => {
    expect(ReceiptBody.safeParse({ ...VOID_BODY, card: { panMasked: UNIONPAY_UNMASKED, brand: null, entryMode: 'C' } }).success).toBe(false);
    expect(ReceiptBody.safeParse({ ...VOID_BODY, card: { panMasked: '6228481234******', brand: null, entryMode: 'C' } }).success).toBe(false);
    expect(ReceiptBody.safeParse({ ...VOID_BODY, manager: null }).success).toBe(false);
    expect(ReceiptBody.safeParse({ ...VOID_BODY, reason: null }).success).toBe(false);
    expect(ReceiptBody.safeParse({ ...VOID_BODY, original: null }).success).toBe(false);
    expect(ReceiptBody.safeParse({ ...VOID_BODY, note: 'a\u001b@b' }).success).toBe(false);
    expect(ReceiptBody.safeParse({ ...VOID_BODY, note: 'lone \uD800' }).success).toBe(false);
    expect(ReceiptBody.safeParse({ ...VOID_BODY, amountMinor: 12.5 }).success).toBe(false);
    expect(ReceiptBody.safeParse({ ...VOID_BODY, amountMinor: -100 }).success).toBe(false);
    expect(ReceiptBody.safeParse(VOID_BODY).success).toBe(true);
  });
});

describe('GB18030 representability', () => {
  it('ASCII and the GBK double-byte set are native; 4-byte, private-use and control characters are not', () => {
    for (const c of ['A', ' ', '~', '撤', '销', '￥', '，', '（', '：', 'é', '—', '€']) expect(isNativeChar(c), c).toBe(true);
    for (const c of ['¥', '😀', '\u{20000}', '\uE000', '\u0007', '\u007f', '\u0085', '\u20BF']) expect(isNativeChar(c), c).toBe(false);
    expect(nonNativeChars('价格 ¥128 ¥ 😀')).toEqual(['¥', '😀']);
    expect(describeChars(['¥', '😀'])).toBe('U+00A5 ¥, U+1F600 😀');
  });

  it('encodes Chinese to GB18030 bytes', () => {
    expect([...encodeGb18030('撤销 VOID')]).toEqual([0xb3, 0xb7, 0xcf, 0xfa, 0x20, 0x56, 0x4f, 0x49, 0x44]);
    expect([...encodeGb18030('退货')]).toEqual([0xcd, 0xcb, 0xbb, 0xf5]);
  });
});
