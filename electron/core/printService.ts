/**
 * Receipts on printers, for the whole core. The void/refund flow calls `printReceipt(body, copies,
 * actor)` once the terminal has answered: each copy becomes a durable print job first, then goes to
 * the printer; a printer that fails leaves the job queued (state `failed`) for `retry`, and the
 * outcome says so — printing never throws for a printer problem, and it has no way to touch the
 * void/refund (it holds no terminal, no request runner).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  PDF_PRINTER_ID,
  PrintingSettings as PrintingSettingsSchema,
  ReceiptBody,
  type PrintJob,
  type PrintJobState,
  type PrintOutcome,
  type PrinterConfig,
  type PrinterInput,
  type PrinterTestResult,
  type PrintersState,
  type PrintingSettings,
  type ReceiptBodyInput,
  type ReceiptCopy,
  type ReceiptData,
  type ReceiptLocale,
} from '../contract/commands/printing.js';
import { layoutReceipt, layoutTestPage, type MerchantHeader } from '../domain/receiptLayout.js';
import type { Ledger } from '../ledger/ledger.js';
import { LedgerError } from '../ledger/errors.js';
import { PrintJobStore } from '../ledger/printJobs.js';
import { SETUP_KEYS } from '../ledger/setupStore.js';
import { findCjkFont, NO_CJK_FONT_MESSAGE, type CjkFont } from '../printing/cjkFont.js';
import { DEFAULT_DEVICE_TIMEOUTS, type DeviceTimeouts } from '../printing/device.js';
import { printDocument, type PrintDocument, type PrintResources } from '../printing/drivers.js';
import { PrintError, toPrintErrorShape } from '../printing/errors.js';
import type { RasterSource } from '../printing/escpos.js';
import { checkPdfFolder } from '../printing/pdf.js';
import { createResvgRenderer } from '../printing/raster.js';
import type { SystemPrintAdapter } from '../printing/system.js';
import { DEFAULT_TCP_TIMEOUTS, type TcpTimeouts } from '../printing/tcp.js';
import type { Logger } from './logger.js';

export const PRINTING_SETTINGS_KEY = 'printing.config';

export interface PrintServiceOptions {
  ledger: Ledger;
  log: Logger;
  clock: () => Date;
  dataDir: string;
  /** Only in the Electron shell. */
  systemPrinter?: SystemPrintAdapter | null;
  /** Every job change (the core emits `printJob.changed`). */
  onJobChanged?: (job: PrintJob) => void;
  timeouts?: { tcp?: Partial<TcpTimeouts>; device?: Partial<DeviceTimeouts> };
  /** Tests: a different font lookup. */
  findFont?: () => Promise<CjkFont | null>;
}

export interface PrintReceiptOptions {
  /** Default: the configured default printer. */
  printerId?: string;
  /** Default: the configured receipt language. */
  locale?: ReceiptLocale;
}

const DEFAULT_SETTINGS: PrintingSettings = { printers: [], defaultPrinterId: PDF_PRINTER_ID, receiptLocale: 'zh-CN', merchantName: '' };

/** The header lines of the shop profile the setup saves (its name lives in the printing settings). */
const ShopHeader = z.object({ address: z.string().default(''), phone: z.string().default(''), taxId: z.string().default('') });
type ShopHeader = z.infer<typeof ShopHeader>;
const NO_SHOP_HEADER: ShopHeader = { address: '', phone: '', taxId: '' };

const BUILTIN_PDF: PrinterConfig = { kind: 'pdf', id: PDF_PRINTER_ID, name: 'PDF', folder: null };

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function localStamp(d: Date): string {
  return `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

export class PrintService {
  readonly jobs: PrintJobStore;
  private readonly inFlight = new Set<number>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private rasterSource: Promise<RasterSource> | null = null;
  private readonly resources: PrintResources;

  constructor(private readonly opts: PrintServiceOptions) {
    this.jobs = new PrintJobStore(opts.ledger);
    const findFont = opts.findFont ?? (() => findCjkFont());
    this.resources = {
      font: findFont,
      raster: () => (this.rasterSource ??= this.loadRaster(findFont)),
      system: opts.systemPrinter ?? null,
      pdfFolder: (printer) => printer.folder ?? this.defaultPdfFolder(),
      tcp: { ...DEFAULT_TCP_TIMEOUTS, ...opts.timeouts?.tcp },
      device: { ...DEFAULT_DEVICE_TIMEOUTS, ...opts.timeouts?.device },
    };
  }

  private async loadRaster(findFont: () => Promise<CjkFont | null>): Promise<RasterSource> {
    const font = await findFont();
    if (!font) return { code: 'print.font_missing', error: NO_CJK_FONT_MESSAGE };
    const renderer = await createResvgRenderer(font);
    return 'error' in renderer ? { code: 'print.raster_unavailable', error: renderer.error } : renderer;
  }

  /** `<data folder>/receipts`, created when first needed. */
  defaultPdfFolder(): string {
    const folder = path.join(this.opts.dataDir, 'receipts');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    return folder;
  }

  // ---------------------------------------------------------------- settings

  settings(): PrintingSettings {
    return this.opts.ledger.settings.get(PRINTING_SETTINGS_KEY, PrintingSettingsSchema) ?? DEFAULT_SETTINGS;
  }

  /** The shop's address, phone and tax id as set up; empty until then (or when unreadable: receipts still print). */
  shopHeader(): ShopHeader {
    try {
      return this.opts.ledger.settings.get(SETUP_KEYS.shop, ShopHeader) ?? NO_SHOP_HEADER;
    } catch (error) {
      this.opts.log.warn('print.shop_unreadable', { message: (error as Error).message });
      return NO_SHOP_HEADER;
    }
  }

  private merchantHeader(): MerchantHeader {
    return { name: this.settings().merchantName, ...this.shopHeader() };
  }

  /** The merchant name (MN) the terminal sent with a charge, if it sent one. */
  private chargeMerchantName(chargeId: number | null): string {
    if (chargeId === null) return '';
    const name = this.opts.ledger.query(
      (db) => db.prepare<[number], string | null>('SELECT merchant_name FROM charges WHERE id = ?').pluck().get(chargeId) ?? null,
    );
    return (name ?? '').slice(0, 40);
  }

  /** Every printer, the built-in PDF printer included (first). */
  printers(): PrinterConfig[] {
    const own = this.settings().printers;
    return own.some((p) => p.id === PDF_PRINTER_ID) ? own : [BUILTIN_PDF, ...own];
  }

  printer(id: string): PrinterConfig {
    const found = this.printers().find((p) => p.id === id);
    if (!found) throw new PrintError('print.printer_not_found', `there is no printer "${id}" (it may have been removed): choose another printer`, { printerId: id });
    return found;
  }

  /** The default printer, or the PDF printer when the default one was removed. */
  defaultPrinter(): PrinterConfig {
    const s = this.settings();
    return this.printers().find((p) => p.id === s.defaultPrinterId) ?? this.printer(PDF_PRINTER_ID);
  }

  async state(): Promise<PrintersState> {
    const s = this.settings();
    const font = await this.resources.font();
    const defaultId = this.defaultPrinter().id;
    return {
      printers: this.printers().map((config) => ({
        config,
        isDefault: config.id === defaultId,
        builtIn: config.id === PDF_PRINTER_ID,
        folder: config.kind === 'pdf' ? (config.folder ?? path.join(this.opts.dataDir, 'receipts')) : null,
      })),
      defaultPrinterId: defaultId,
      receiptLocale: s.receiptLocale,
      merchantName: s.merchantName,
      cjkFont: font?.file ?? null,
      systemPrinting: this.resources.system !== null,
    };
  }

  private store(next: PrintingSettings, actor: string): void {
    this.opts.ledger.settings.set(PRINTING_SETTINGS_KEY, PrintingSettingsSchema.parse(next), actor);
  }

  /** Adds (no id) or replaces a printer. A PDF folder must exist and be writable. */
  async savePrinter(input: PrinterInput, makeDefault: boolean, actor: string): Promise<PrintersState> {
    const s = this.settings();
    const all = this.printers();
    let id = input.id;
    if (id !== undefined) {
      const existing = all.find((p) => p.id === id);
      if (!existing) throw new PrintError('print.printer_not_found', `there is no printer "${id}" to change`, { printerId: id });
      if (id === PDF_PRINTER_ID && input.kind !== 'pdf') {
        throw new PrintError('print.printer_builtin', 'the built-in PDF printer stays a PDF printer: add a new printer instead', { printerId: id });
      }
    } else {
      let n = 1;
      while (all.some((p) => p.id === `printer-${n}`)) n++;
      id = `printer-${n}`;
    }
    if (input.kind === 'pdf' && input.folder !== null) await checkPdfFolder(input.folder);
    const config = { ...input, id } as PrinterConfig;
    const printers = all.some((p) => p.id === id) ? all.map((p) => (p.id === id ? config : p)) : [...all, config];
    // The built-in PDF printer is only stored once it differs from the default one.
    const stored = printers.filter((p) => !(p.id === PDF_PRINTER_ID && p.kind === 'pdf' && p.folder === null && p.name === BUILTIN_PDF.name));
    this.store({ ...s, printers: stored, defaultPrinterId: makeDefault ? id : s.defaultPrinterId }, actor);
    this.opts.log.info('print.printer_saved', { printerId: id, kind: config.kind, actor });
    return this.state();
  }

  async removePrinter(id: string, actor: string): Promise<PrintersState> {
    if (id === PDF_PRINTER_ID) throw new PrintError('print.printer_builtin', 'the PDF printer is built in and cannot be removed', { printerId: id });
    this.printer(id);
    const s = this.settings();
    this.store(
      { ...s, printers: s.printers.filter((p) => p.id !== id), defaultPrinterId: s.defaultPrinterId === id ? PDF_PRINTER_ID : s.defaultPrinterId },
      actor,
    );
    return this.state();
  }

  async configure(change: { defaultPrinterId?: string | undefined; receiptLocale?: ReceiptLocale | undefined; merchantName?: string | undefined }, actor: string): Promise<PrintersState> {
    const s = this.settings();
    if (change.defaultPrinterId !== undefined) this.printer(change.defaultPrinterId);
    this.store(
      {
        ...s,
        ...(change.defaultPrinterId !== undefined ? { defaultPrinterId: change.defaultPrinterId } : {}),
        ...(change.receiptLocale !== undefined ? { receiptLocale: change.receiptLocale } : {}),
        ...(change.merchantName !== undefined ? { merchantName: change.merchantName.trim() } : {}),
      },
      actor,
    );
    return this.state();
  }

  // ---------------------------------------------------------------- printing

  /** One printer at a time: jobs for the same printer go out in order, never interleaved. */
  private serialize<T>(printerId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(printerId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.chains.set(printerId, tail);
    void tail.then(() => {
      if (this.chains.get(printerId) === tail) this.chains.delete(printerId);
    });
    return next;
  }

  private receiptDocument(receipt: ReceiptData, locale: ReceiptLocale, jobId: number): PrintDocument {
    const trace = receipt.transaction?.trace || receipt.batch || 'batch';
    return {
      lines: (widthChars) => layoutReceipt(receipt, { locale, widthChars }),
      title: `Countersign ${receipt.kind} ${trace} ${receipt.copy}`,
      fileBase: `receipt-${receipt.dateTime}-${receipt.kind.toLowerCase()}${receipt.reprint ? '-reprint' : ''}-${trace}-${receipt.copy}-job${jobId}`,
      // The drawer opens with the customer's copy of a new receipt, never on a reprint.
      kickDrawer: receipt.copy === 'customer' && !receipt.reprint,
    };
  }

  private async runJob(job: PrintJob, receipt: ReceiptData, printer: PrinterConfig, actor: string): Promise<PrintOutcome> {
    if (this.inFlight.has(job.id)) throw new PrintError('print.busy', `print job ${job.id} is printing right now`, { jobId: String(job.id) });
    this.inFlight.add(job.id);
    const base = { jobId: job.id, copy: receipt.copy, printerId: printer.id };
    try {
      let result;
      try {
        result = await this.serialize(printer.id, () => printDocument(printer, this.receiptDocument(receipt, job.locale, job.id), this.resources));
      } catch (error) {
        const shape = toPrintErrorShape(error);
        this.opts.log.warn('print.failed', { jobId: job.id, printerId: printer.id, code: shape.code, message: shape.message });
        try {
          this.changed(this.jobs.markFailed(job.id, actor, { printerId: printer.id, error: shape }));
        } catch (ledgerError) {
          this.opts.log.error('print.record_failed', { jobId: job.id, message: (ledgerError as Error).message });
        }
        return { ...base, state: 'failed', error: shape, output: null, paperLow: false };
      }
      try {
        this.changed(this.jobs.markPrinted(job.id, actor, { printerId: printer.id, output: result.output }));
      } catch (ledgerError) {
        // Printed, but the ledger could not record it: say so, the job stays visible as not printed.
        this.opts.log.error('print.record_failed', { jobId: job.id, message: (ledgerError as Error).message });
        return { ...base, state: 'printed', error: toPrintErrorShape(ledgerError), output: result.output, paperLow: result.paperLow };
      }
      this.opts.log.info('print.done', { jobId: job.id, printerId: printer.id });
      return { ...base, state: 'printed', error: null, output: result.output, paperLow: result.paperLow };
    } finally {
      this.inFlight.delete(job.id);
    }
  }

  private changed(job: PrintJob): void {
    try {
      this.opts.onJobChanged?.(job);
    } catch (error) {
      this.opts.log.warn('print.event_failed', { message: (error as Error).message });
    }
  }

  /**
   * Prints `copies` of a receipt (in order), each as its own durable job. Never throws for a printer
   * problem: each outcome says printed or failed (then the job is queued for a reprint). Throws
   * only for a receipt that is invalid (a programming error in the caller).
   */
  async printReceipt(body: ReceiptBodyInput, copies: readonly ReceiptCopy[], actor: string, opts: PrintReceiptOptions = {}): Promise<PrintOutcome[]> {
    const parsed = ReceiptBody.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PrintError('print.receipt_invalid', `the receipt is incomplete: ${issue?.path.join('.') || '(receipt)'}: ${issue?.message ?? 'invalid'}`, {
        field: issue?.path.join('.') ?? '',
      });
    }
    const settings = this.settings();
    const shop = this.shopHeader();
    const data = parsed.data;
    const receiptBody = {
      ...data,
      // The name the terminal sent (with this receipt, or with the charge it is about) wins over the shop's own.
      merchantName: data.merchantName || this.chargeMerchantName(data.chargeId) || settings.merchantName,
      merchantAddress: data.merchantAddress || shop.address,
      merchantPhone: data.merchantPhone || shop.phone,
      merchantTaxId: data.merchantTaxId || shop.taxId,
    };
    const locale = opts.locale ?? settings.receiptLocale;
    let printer: PrinterConfig;
    try {
      printer = opts.printerId ? this.printer(opts.printerId) : this.defaultPrinter();
    } catch {
      printer = this.printer(PDF_PRINTER_ID);
    }
    const outcomes: PrintOutcome[] = [];
    for (const copy of copies) {
      const receipt: ReceiptData = { ...receiptBody, copy };
      let job: PrintJob;
      try {
        job = this.jobs.enqueue({ receipt, locale, printerId: printer.id }, actor);
      } catch (error) {
        const shape = toPrintErrorShape(error);
        this.opts.log.error('print.enqueue_failed', { copy, code: shape.code, message: shape.message });
        outcomes.push({ jobId: null, copy, printerId: printer.id, state: 'failed', error: shape, output: null, paperLow: false });
        continue;
      }
      this.changed(job);
      outcomes.push(await this.runJob(job, receipt, printer, actor));
    }
    return outcomes;
  }

  /** A second print of an original SALE receipt (one copy), marked REPRINT. */
  async reprintSale(chargeId: number, copy: ReceiptCopy, actor: string, printerId?: string): Promise<PrintOutcome> {
    const charge = this.opts.ledger.getCharge(chargeId);
    if (!charge) throw new LedgerError('charge.not_found', `no charge ${chargeId}`, { chargeId: String(chargeId) });
    const [outcome] = await this.printReceipt(
      {
        kind: 'SALE',
        reprint: true,
        chargeId,
        merchantName: this.chargeMerchantName(chargeId),
        merchantId: charge.merchantId,
        terminalId: charge.terminalId,
        batch: charge.batch,
        dateTime: charge.terminalTime,
        transaction: { trace: charge.trace, rrn: charge.rrn, authCode: charge.authCode },
        card: { panMasked: charge.panMasked, brand: charge.brand, entryMode: charge.entryMode },
        amountMinor: charge.amountMinor,
        currency: charge.currency,
      },
      [copy],
      actor,
      printerId ? { printerId } : {},
    );
    return outcome!;
  }

  /** Prints a queued or failed job again (on its printer, or on `printerId`). */
  async retry(jobId: number, actor: string, printerId?: string): Promise<PrintOutcome> {
    const found = this.jobs.get(jobId);
    if (!found) throw new PrintError('print.job_not_found', `there is no print job ${jobId}`, { jobId: String(jobId) });
    if (found.job.state === 'printed') {
      throw new PrintError('print.already_printed', `print job ${jobId} was already printed: use reprint for another copy`, { jobId: String(jobId) });
    }
    const printer = this.printer(printerId ?? found.job.printerId);
    return this.runJob(found.job, found.receipt, printer, actor);
  }

  listJobs(filter: { states?: PrintJobState[] | undefined; limit?: number | undefined } = {}): PrintJob[] {
    return this.jobs.list({ ...(filter.states ? { states: filter.states } : {}), ...(filter.limit ? { limit: filter.limit } : {}) });
  }

  /** A test page on one printer. Never throws for a printer problem. */
  async testPrinter(printerId: string, locale?: ReceiptLocale): Promise<PrinterTestResult> {
    const printer = this.printer(printerId);
    const lang = locale ?? this.settings().receiptLocale;
    const merchant = this.merchantHeader();
    const cjk = printer.kind === 'escpos-tcp' || printer.kind === 'escpos-device' ? (printer.cjk === 'native' ? 'GB18030' : 'raster') : printer.kind === 'pdf' ? 'PDF' : 'system';
    const doc: PrintDocument = {
      lines: (widthChars) => layoutTestPage({ locale: lang, widthChars, printerName: printer.name, printedAt: localStamp(this.opts.clock()), cjk, merchant }),
      title: `Countersign printer test ${printer.name}`,
      fileBase: `printer-test-${printer.id}-${this.opts.clock().toISOString().replace(/[-:.]/g, '')}`,
      kickDrawer: false,
    };
    try {
      const result = await this.serialize(printer.id, () => printDocument(printer, doc, this.resources));
      this.opts.log.info('print.test_ok', { printerId });
      return { printerId, ok: true, error: null, output: result.output, paperLow: result.paperLow };
    } catch (error) {
      const shape = toPrintErrorShape(error);
      this.opts.log.warn('print.test_failed', { printerId, code: shape.code });
      return { printerId, ok: false, error: shape, output: null, paperLow: false };
    }
  }
}
