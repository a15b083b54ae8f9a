/**
 * A receipt's lines, pure: what a SALE reprint, a VOID, a REFUND or a settlement report says, in
 * zh-CN (bilingual labels, as a Chinese counter's slips carry: 商户名称(MERCHANT NAME)) or English,
 * for a paper width in columns. Every renderer (ESC/POS native text, raster, PDF, system printer)
 * prints exactly these lines.
 */
import type { ReceiptData, ReceiptLocale, ReceiptReason } from '../contract/commands/printing.js';
import type { Charge } from '../contract/schemas.js';
import {
  displayWidth,
  formatReceiptAmount,
  formatTerminalDate,
  formatTerminalDateTime,
  wrapText,
  type Align,
  type Emphasis,
  type ReceiptLine,
} from './receipt.js';

export interface LayoutOptions {
  locale: ReceiptLocale;
  /** Columns of font A: 32 (58 mm) or 48 (80 mm); at least 24. */
  widthChars: number;
}

/** [Chinese, English] */
type Pair = readonly [string, string];

export const RECEIPT_LABELS = {
  slip: ['签购单', 'CARD RECEIPT'],
  settlementTitle: ['结算单', 'SETTLEMENT REPORT'],
  testTitle: ['打印测试', 'PRINTER TEST'],
  reprint: ['重打印', 'REPRINT'],
  merchantName: ['商户名称', 'MERCHANT NAME'],
  address: ['地址', 'ADDRESS'],
  phone: ['电话', 'TEL'],
  taxId: ['税号', 'TAX ID'],
  merchantId: ['商户编号', 'MERCHANT NO.'],
  terminalId: ['终端编号', 'TERMINAL NO.'],
  card: ['卡号', 'CARD NO.'],
  brand: ['卡组织', 'CARD BRAND'],
  entryMode: ['输入方式', 'ENTRY MODE'],
  type: ['交易类型', 'TRANS TYPE'],
  batch: ['批次号', 'BATCH NO.'],
  trace: ['凭证号', 'TRACE NO.'],
  rrn: ['参考号', 'REF. NO.'],
  authCode: ['授权码', 'AUTH NO.'],
  dateTime: ['日期/时间', 'DATE/TIME'],
  origTrace: ['原凭证号', 'ORIG. TRACE NO.'],
  origRrn: ['原参考号', 'ORIG. REF. NO.'],
  origAuthCode: ['原授权码', 'ORIG. AUTH NO.'],
  origDate: ['原交易日期', 'ORIG. DATE'],
  amount: ['金额', 'AMOUNT'],
  reason: ['原因', 'REASON'],
  note: ['备注', 'NOTE'],
  manager: ['授权经理', 'MANAGER'],
  signature: ['持卡人签名', 'CARDHOLDER SIGNATURE'],
  refundConsent: ['本人同意以上退货交易', 'I AGREE TO THE ABOVE REFUND'],
  settlementType: ['类型', 'TYPE'],
  settlementCount: ['笔数', 'COUNT'],
  net: ['净额', 'NET'],
} as const satisfies Record<string, Pair>;

export const COPY_LABELS = {
  customer: ['顾客联', 'CUSTOMER COPY'],
  merchant: ['商户联', 'MERCHANT COPY'],
} as const satisfies Record<ReceiptData['copy'], Pair>;

export const TYPE_LABELS = {
  SALE: ['消费', 'SALE'],
  VOID: ['撤销', 'VOID'],
  REFUND: ['退货', 'REFUND'],
} as const satisfies Record<'SALE' | 'VOID' | 'REFUND', Pair>;

export const ENTRY_MODE_LABELS = {
  S: ['刷卡', 'SWIPE'],
  C: ['插卡', 'CHIP'],
  T: ['挥卡', 'CONTACTLESS'],
  M: ['手输', 'MANUAL'],
  F: ['降级', 'FALLBACK'],
} as const satisfies Record<Charge['entryMode'], Pair>;

export const REASON_LABELS = {
  wrong_amount: ['金额错误', 'WRONG AMOUNT'],
  duplicate: ['重复交易', 'DUPLICATE'],
  customer_request: ['顾客要求', 'CUSTOMER REQUEST'],
  suspected_fraud: ['疑似欺诈', 'SUSPECTED FRAUD'],
  other: ['其他', 'OTHER'],
} as const satisfies Record<ReceiptReason, Pair>;

/** A field label: "商户名称(MERCHANT NAME):" in zh-CN, "MERCHANT NAME:" in English. */
function label(pair: Pair, locale: ReceiptLocale): string {
  return locale === 'zh-CN' ? `${pair[0]}(${pair[1]}):` : `${pair[1]}:`;
}

/** A value that has a name: "撤销 VOID" in zh-CN, "VOID" in English. */
function named(pair: Pair, locale: ReceiptLocale): string {
  return locale === 'zh-CN' ? `${pair[0]} ${pair[1]}` : pair[1];
}

class Lines {
  readonly lines: ReceiptLine[] = [];
  constructor(readonly width: number) {}

  private push(text: string, align: Align, emphasis: Emphasis) {
    this.lines.push({ text, align, emphasis });
  }

  text(text: string, align: Align = 'left', emphasis: Emphasis = 'normal') {
    for (const part of wrapText(text, this.width)) this.push(part, align, emphasis);
  }

  blank() {
    this.push('', 'left', 'normal');
  }

  rule(char = '-') {
    this.push(char.repeat(this.width), 'left', 'normal');
  }

  /** Label and value on one line when they fit, else the label, then the value wrapped from the left (an address). */
  block(labelText: string, value: string) {
    if (displayWidth(labelText) + 1 + displayWidth(value) <= this.width) {
      this.field(labelText, value);
      return;
    }
    this.text(labelText);
    this.text(value);
  }

  /** Label and value on one line when they fit, else the label, then the value right-aligned. */
  field(labelText: string, value: string, emphasis: Emphasis = 'normal') {
    const gap = this.width - displayWidth(labelText) - displayWidth(value);
    if (gap >= 1 && !value.includes('\n')) {
      this.push(labelText + ' '.repeat(gap) + value, 'left', emphasis);
      return;
    }
    this.text(labelText, 'left', emphasis);
    this.text(value, 'right', emphasis);
  }
}

/** The shop's header as set up (name, address, phone, tax id); an empty part is not printed. */
export interface MerchantHeader {
  name: string;
  address: string;
  phone: string;
  taxId: string;
}

function merchantLines(out: Lines, h: MerchantHeader, locale: ReceiptLocale, nameFallback: string | null): void {
  const name = h.name.trim() || nameFallback;
  if (name) out.field(label(RECEIPT_LABELS.merchantName, locale), name);
  if (h.address.trim()) out.block(label(RECEIPT_LABELS.address, locale), h.address.trim());
  if (h.phone.trim()) out.field(label(RECEIPT_LABELS.phone, locale), h.phone.trim());
  if (h.taxId.trim()) out.field(label(RECEIPT_LABELS.taxId, locale), h.taxId.trim());
}

/** The receipt's lines. Throws RangeError for a width below 24 columns. */
export function layoutReceipt(data: ReceiptData, options: LayoutOptions): ReceiptLine[] {
  const { locale, widthChars } = options;
  if (!Number.isInteger(widthChars) || widthChars < 24 || widthChars > 96) throw new RangeError('widthChars must be 24..96');
  const out = new Lines(widthChars);
  const L = RECEIPT_LABELS;
  const f = (pair: Pair, value: string, emphasis: Emphasis = 'normal') => out.field(label(pair, locale), value, emphasis);

  const settlement = data.kind === 'SETTLEMENT';
  out.text(named(settlement ? L.settlementTitle : L.slip, locale), 'center', 'large');
  out.text(named(COPY_LABELS[data.copy], locale), 'center', 'bold');
  if (data.reprint) out.text(`*** ${named(L.reprint, locale)} ***`, 'center', 'bold');
  out.rule();

  merchantLines(out, { name: data.merchantName, address: data.merchantAddress, phone: data.merchantPhone, taxId: data.merchantTaxId }, locale, '-');
  f(L.merchantId, data.merchantId);
  f(L.terminalId, data.terminalId);

  if (settlement) {
    if (data.batch) f(L.batch, data.batch);
    f(L.dateTime, formatTerminalDateTime(data.dateTime));
    out.rule();
    const s = data.settlement!;
    out.field(
      locale === 'zh-CN' ? `${L.settlementType[0]}/${L.settlementCount[0]}` : `${L.settlementType[1]}/${L.settlementCount[1]}`,
      locale === 'zh-CN' ? L.amount[0] : L.amount[1],
    );
    for (const line of s.lines) {
      const signed = line.type === 'SALE' ? line.amountMinor : -line.amountMinor;
      out.field(`${named(TYPE_LABELS[line.type], locale)} ${line.count}`, formatReceiptAmount(signed, data.currency));
    }
    out.rule();
    f(L.net, formatReceiptAmount(s.netMinor, data.currency), 'bold');
    out.rule();
    return out.lines;
  }

  const card = data.card!;
  const tx = data.transaction!;
  f(L.card, card.panMasked);
  if (card.brand) f(L.brand, card.brand);
  f(L.entryMode, named(ENTRY_MODE_LABELS[card.entryMode], locale));
  f(L.type, named(TYPE_LABELS[data.kind as 'SALE' | 'VOID' | 'REFUND'], locale), 'bold');
  if (data.batch) f(L.batch, data.batch);
  if (tx.trace) f(L.trace, tx.trace);
  if (tx.rrn) f(L.rrn, tx.rrn);
  if (tx.authCode) f(L.authCode, tx.authCode);
  f(L.dateTime, formatTerminalDateTime(data.dateTime));

  if (data.original) {
    const o = data.original;
    if (o.trace) f(L.origTrace, o.trace);
    if (o.rrn) f(L.origRrn, o.rrn);
    if (o.authCode) f(L.origAuthCode, o.authCode);
    f(L.origDate, formatTerminalDate(o.dateTime));
  }

  out.rule();
  const signed = data.kind === 'SALE' ? data.amountMinor : -data.amountMinor;
  out.text(label(L.amount, locale), 'left', 'bold');
  out.text(formatReceiptAmount(signed, data.currency), 'right', 'large');
  out.rule();

  if (data.reason) f(L.reason, named(REASON_LABELS[data.reason], locale));
  if (data.note) {
    out.text(label(L.note, locale));
    out.text(data.note);
  }
  if (data.manager) f(L.manager, data.manager);

  if (data.kind === 'REFUND' && data.copy === 'merchant') {
    out.blank();
    out.text(label(L.signature, locale), 'left', 'bold');
    out.blank();
    out.blank();
    out.rule('_');
    out.text(named(L.refundConsent, locale));
  }
  return out.lines;
}

/** The test page `printers.test` prints: the grid's edges, Chinese and English, and the time. */
export function layoutTestPage(opts: {
  locale: ReceiptLocale;
  widthChars: number;
  printerName: string;
  /** Local time, already formatted. */
  printedAt: string;
  /** How this printer prints Chinese, e.g. "GB18030" or "raster". */
  cjk: string;
  /** The shop's header, as receipts will print it. */
  merchant?: MerchantHeader;
}): ReceiptLine[] {
  const out = new Lines(opts.widthChars);
  out.text(named(RECEIPT_LABELS.testTitle, opts.locale), 'center', 'large');
  out.text(opts.printerName, 'center', 'bold');
  out.rule('=');
  if (opts.merchant) {
    const before = out.lines.length;
    merchantLines(out, opts.merchant, opts.locale, null);
    if (out.lines.length > before) out.rule();
  }
  let ruler = '';
  for (let i = 1; i <= opts.widthChars; i++) ruler += String(i % 10);
  out.text(ruler);
  out.text('中文测试：小票打印正常，金额￥128.00');
  out.text('English: receipt printing works.');
  out.text(`CJK: ${opts.cjk}`);
  out.field(label(RECEIPT_LABELS.dateTime, opts.locale), opts.printedAt);
  out.rule('=');
  return out.lines;
}
