import { z } from 'zod';
import { EntryMode, MinorUnits } from '../schemas.js';
import { NoInput } from './common.js';

/**
 * Receipts and printers: the receipt a void/refund (or a sale reprint, or a settlement) prints, the
 * configured printers, and the durable print queue.
 */

/** C0/C1 controls, line/paragraph separators, and lone surrogates: never on a receipt. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Free text that goes on paper: no control characters, bounded. */
export function receiptText(max: number) {
  return z
    .string()
    .max(max)
    .refine((s) => !UNPRINTABLE.test(s), 'must not contain control characters or broken characters');
}

export const ReceiptKind = z.enum(['SALE', 'VOID', 'REFUND', 'SETTLEMENT']);
export type ReceiptKind = z.infer<typeof ReceiptKind>;

export const ReceiptCopy = z.enum(['customer', 'merchant']);
export type ReceiptCopy = z.infer<typeof ReceiptCopy>;

export const ReceiptLocale = z.enum(['zh-CN', 'en']);
export type ReceiptLocale = z.infer<typeof ReceiptLocale>;

/** Why a manager voided or refunded (the void/refund screen's reasons). */
export const ReceiptReason = z.enum(['wrong_amount', 'duplicate', 'customer_request', 'suspected_fraud', 'other']);
export type ReceiptReason = z.infer<typeof ReceiptReason>;

/** Terminal local time as on the wire: YYYYMMDDhhmmss. */
const TerminalTime = z.string().regex(/^\d{14}$/, 'must be YYYYMMDDhhmmss');
const RefText = (max: number) => z.string().regex(new RegExp(`^[0-9A-Za-z]{0,${max}}$`), `at most ${max} letters or digits`);

/** A masked card number: at most the first 6 and last 4 digits visible, stars between. */
export const MaskedPan = z
  .string()
  .regex(/^[0-9]{0,6}\*+[0-9]{0,4}$/, 'must be masked (at most the first 6 and last 4 digits visible)')
  .refine((s) => s.length >= 12 && s.length <= 19, 'must be 12 to 19 characters');

/** The references of one transaction as the terminal reported them. */
export const TxRefs = z
  .object({
    trace: RefText(6),
    rrn: RefText(12),
    authCode: RefText(6),
  })
  .strict();
export type TxRefs = z.infer<typeof TxRefs>;

export const ReceiptCard = z
  .object({
    panMasked: MaskedPan,
    brand: receiptText(20).nullable(),
    entryMode: EntryMode,
  })
  .strict();

export const SettlementLine = z
  .object({
    type: z.enum(['SALE', 'VOID', 'REFUND']),
    count: z.number().int().nonnegative().max(1_000_000),
    /** Magnitude; VOID and REFUND lines are shown negative. */
    amountMinor: MinorUnits,
  })
  .strict();

export const ReceiptSettlement = z
  .object({
    lines: z.array(SettlementLine).max(3),
    /** Sales minus voids and refunds, may be negative. */
    netMinor: z.number().int().min(-999_999_999_999).max(999_999_999_999),
  })
  .strict();

/**
 * Everything a receipt shows, except which copy it is. Amounts are integer minor units and always
 * a magnitude: VOID and REFUND receipts show them negative.
 */
export const ReceiptBody = z
  .object({
    kind: ReceiptKind,
    /** A second print of a receipt that was already given out (shows 重打印 / REPRINT). */
    reprint: z.boolean().default(false),
    /** The charge this receipt is about (SALE: the sale; VOID/REFUND: the original charge). */
    chargeId: z.number().int().positive().nullable().default(null),
    merchantName: receiptText(40),
    /** The shop's own header lines from its setup (empty: not printed); kept with the job so a reprint matches. */
    merchantAddress: receiptText(80).default(''),
    merchantPhone: receiptText(30).default(''),
    /** The shop's merchant / tax registration id (not the acquirer's merchant number below). */
    merchantTaxId: receiptText(30).default(''),
    merchantId: RefText(15).refine((s) => s.length > 0, 'required'),
    terminalId: RefText(8).refine((s) => s.length > 0, 'required'),
    batch: z.string().regex(/^\d{0,6}$/).nullable().default(null),
    /** When this transaction happened (terminal local time). */
    dateTime: TerminalTime,
    /** This transaction's references (for a SALE reprint: the sale's). */
    transaction: TxRefs.nullable().default(null),
    /** The original sale's references and time (VOID, REFUND). */
    original: TxRefs.extend({ dateTime: TerminalTime }).strict().nullable().default(null),
    card: ReceiptCard.nullable().default(null),
    amountMinor: MinorUnits,
    /** ISO 4217 numeric code, e.g. "156". */
    currency: z.string().regex(/^\d{3}$/),
    reason: ReceiptReason.nullable().default(null),
    note: receiptText(200).nullable().default(null),
    /** The manager who authorised a void/refund. */
    manager: receiptText(40).nullable().default(null),
    settlement: ReceiptSettlement.nullable().default(null),
  })
  .strict()
  .superRefine((r, ctx) => {
    const need = (ok: boolean, path: string, message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if (r.kind === 'SETTLEMENT') {
      need(r.settlement !== null, 'settlement', 'a settlement report needs its totals');
      return;
    }
    need(r.transaction !== null, 'transaction', `a ${r.kind} receipt needs the transaction's trace/RRN/auth code`);
    need(r.card !== null, 'card', `a ${r.kind} receipt needs the masked card`);
    if (r.kind === 'VOID' || r.kind === 'REFUND') {
      need(r.original !== null, 'original', `a ${r.kind} receipt needs the original sale's references`);
      need(r.reason !== null, 'reason', `a ${r.kind} receipt needs a reason`);
      need(r.manager !== null && r.manager.trim() !== '', 'manager', `a ${r.kind} receipt names the manager`);
    }
  });
export type ReceiptBodyInput = z.input<typeof ReceiptBody>;
export type ReceiptBody = z.output<typeof ReceiptBody>;

/** One printed copy: the body plus which copy it is. */
export type ReceiptData = ReceiptBody & { copy: ReceiptCopy };

// ---------------------------------------------------------------- printers

export const PrinterId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lowercase letters, digits and dashes');
export const PaperWidth = z.union([z.literal(58), z.literal(80)]);
export type PaperWidth = z.infer<typeof PaperWidth>;
/** native: the printer has a GB18030 font (kanji mode); raster: print the receipt as an image. */
export const CjkMode = z.enum(['native', 'raster']);
export type CjkMode = z.infer<typeof CjkMode>;

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$/;

/**
 * An absolute path chosen by a person: POSIX (`/dev/usb/lp0`) or Windows (`C:\Receipts`), with no
 * `.`/`..` segments and no control characters. Whether it exists is checked when it is used.
 */
export const AbsolutePath = z
  .string()
  .min(2)
  .max(1024)
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), 'must not contain control characters')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path')
  .refine((p) => !p.split(/[\\/]+/).some((seg) => seg === '..' || seg === '.'), 'must not contain . or .. segments');

const PrinterName = z
  .string()
  .trim()
  .min(1, 'a printer needs a name')
  .max(60)
  .refine((s) => !UNPRINTABLE.test(s), 'must not contain control characters');

export const EscposTcpPrinter = z
  .object({
    kind: z.literal('escpos-tcp'),
    id: PrinterId,
    name: PrinterName,
    host: z.string().trim().min(1, 'enter the printer\'s address').max(253).regex(HOST, 'a host name or IP address, without http:// or a port'),
    port: z.number().int().min(1).max(65_535).default(9100),
    paper: PaperWidth,
    cjk: CjkMode.default('native'),
    drawerKick: z.boolean().default(false),
  })
  .strict();

export const EscposDevicePrinter = z
  .object({
    kind: z.literal('escpos-device'),
    id: PrinterId,
    name: PrinterName,
    path: AbsolutePath,
    paper: PaperWidth,
    cjk: CjkMode.default('native'),
    drawerKick: z.boolean().default(false),
  })
  .strict();

export const SystemPrinter = z
  .object({
    kind: z.literal('system'),
    id: PrinterId,
    name: PrinterName,
    deviceName: z.string().trim().min(1, 'enter the system printer\'s name').max(200).refine((s) => !UNPRINTABLE.test(s)),
  })
  .strict();

export const PdfPrinter = z
  .object({
    kind: z.literal('pdf'),
    id: PrinterId,
    name: PrinterName,
    /** null: `<data folder>/receipts`. */
    folder: AbsolutePath.nullable().default(null),
  })
  .strict();

export const PrinterConfig = z.discriminatedUnion('kind', [EscposTcpPrinter, EscposDevicePrinter, SystemPrinter, PdfPrinter]);
export type PrinterConfig = z.output<typeof PrinterConfig>;
export type PrinterKind = PrinterConfig['kind'];

/** The built-in PDF printer's id: it always exists and is the fallback. */
export const PDF_PRINTER_ID = 'pdf';

/** What is stored in settings (`printing.config`). */
export const PrintingSettings = z
  .object({
    printers: z.array(PrinterConfig).max(20),
    defaultPrinterId: PrinterId,
    receiptLocale: ReceiptLocale,
    /** Printed when the terminal does not send the merchant's name. */
    merchantName: receiptText(40).default(''),
  })
  .strict();
export type PrintingSettings = z.output<typeof PrintingSettings>;

/** A printer as the screens see it: its config, plus what the core knows about it. */
export const PrinterView = z.object({
  config: PrinterConfig,
  isDefault: z.boolean(),
  /** The PDF printer is built in: it can be changed (folder), never removed. */
  builtIn: z.boolean(),
  /** Where a PDF printer writes (resolved default included). */
  folder: z.string().nullable(),
});
export type PrinterView = z.infer<typeof PrinterView>;

export const PrintersState = z.object({
  printers: z.array(PrinterView),
  defaultPrinterId: PrinterId,
  receiptLocale: ReceiptLocale,
  merchantName: z.string(),
  /** The CJK font used for PDF and raster printing, or null when none is installed. */
  cjkFont: z.string().nullable(),
  /** Whether the system printer adapter exists here (only in the desktop app). */
  systemPrinting: z.boolean(),
});
export type PrintersState = z.infer<typeof PrintersState>;

/** Input of printers.save: a printer with or without an id (none: a new printer). */
const OptionalId = { id: PrinterId.optional() };
export const PrinterInput = z.discriminatedUnion('kind', [
  EscposTcpPrinter.extend(OptionalId).strict(),
  EscposDevicePrinter.extend(OptionalId).strict(),
  SystemPrinter.extend(OptionalId).strict(),
  PdfPrinter.extend(OptionalId).strict(),
]);
export type PrinterInput = z.output<typeof PrinterInput>;

// ---------------------------------------------------------------- jobs

export const PrintErrorShape = z.object({
  code: z.string(),
  message: z.string(),
  params: z.record(z.string(), z.string()),
});
export type PrintErrorShape = z.infer<typeof PrintErrorShape>;

export const PrintJobState = z.enum(['queued', 'printed', 'failed']);
export type PrintJobState = z.infer<typeof PrintJobState>;

export const PrintJob = z.object({
  id: z.number().int().positive(),
  kind: ReceiptKind,
  reprint: z.boolean(),
  copy: ReceiptCopy,
  locale: ReceiptLocale,
  printerId: z.string(),
  state: PrintJobState,
  attempts: z.number().int().nonnegative(),
  lastError: PrintErrorShape.nullable(),
  chargeId: z.number().int().positive().nullable(),
  trace: z.string().nullable(),
  amountMinor: MinorUnits,
  currency: z.string(),
  /** Where it went when printed, e.g. the PDF file. */
  output: z.string().nullable(),
  createdAt: z.string(),
  printedAt: z.string().nullable(),
  actor: z.string(),
});
export type PrintJob = z.infer<typeof PrintJob>;

/** What happened to one copy. A printer failure is an outcome, never an exception. */
export const PrintOutcome = z.object({
  /** null only when the job could not even be recorded (the ledger refused it). */
  jobId: z.number().int().positive().nullable(),
  copy: ReceiptCopy,
  printerId: z.string(),
  state: PrintJobState,
  error: PrintErrorShape.nullable(),
  output: z.string().nullable(),
  /** The printer said its paper is nearly out. */
  paperLow: z.boolean(),
});
export type PrintOutcome = z.infer<typeof PrintOutcome>;

export const PrinterTestResult = z.object({
  printerId: z.string(),
  ok: z.boolean(),
  error: PrintErrorShape.nullable(),
  output: z.string().nullable(),
  paperLow: z.boolean(),
});
export type PrinterTestResult = z.infer<typeof PrinterTestResult>;

export const printingCommands = {
  'printers.list': { input: NoInput, output: PrintersState },
  /** Manager: add (no id) or change a printer. */
  'printers.save': {
    input: z.object({ printer: PrinterInput, makeDefault: z.boolean().optional() }).strict(),
    output: PrintersState,
  },
  /** Manager: remove a printer (not the built-in PDF printer). */
  'printers.remove': { input: z.object({ printerId: PrinterId }).strict(), output: PrintersState },
  /** Manager: which printer receipts go to, the receipts' language, the merchant name printed. */
  'printers.configure': {
    input: z
      .object({ defaultPrinterId: PrinterId.optional(), receiptLocale: ReceiptLocale.optional(), merchantName: receiptText(40).optional() })
      .strict(),
    output: PrintersState,
  },
  /** A test page on one printer; a failure is reported in the result, with a clear message. */
  'printers.test': { input: z.object({ printerId: PrinterId }).strict(), output: PrinterTestResult },
  /** Reprints an original SALE receipt (one copy). */
  'receipts.reprint': {
    input: z.object({ chargeId: z.number().int().positive(), copy: ReceiptCopy, printerId: PrinterId.optional() }).strict(),
    output: PrintOutcome,
  },
  'printJobs.list': {
    input: z
      .object({
        states: z.array(PrintJobState).min(1).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.array(PrintJob),
  },
  /** Prints a queued or failed job again, on its printer or another one. */
  'printJobs.retry': {
    input: z.object({ jobId: z.number().int().positive(), printerId: PrinterId.optional() }).strict(),
    output: PrintOutcome,
  },
} as const;
