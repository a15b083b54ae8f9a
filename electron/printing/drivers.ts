/**
 * One document on one configured printer: lay it out for the printer's width, render it the way
 * that printer takes it (ESC/POS bytes, PDF, HTML for the OS) and send it. Throws PrintError.
 */
import type { PrinterConfig } from '../contract/commands/printing.js';
import { PAPER, type ReceiptLine } from '../domain/receipt.js';
import type { CjkFont } from './cjkFont.js';
import { printDevice, type DeviceTimeouts } from './device.js';
import { PrintError } from './errors.js';
import { encodeEscpos, type RasterSource } from './escpos.js';
import { renderPdf, savePdf } from './pdf.js';
import { receiptHtml, type SystemPrintAdapter } from './system.js';
import { printTcp, type TcpTimeouts } from './tcp.js';

export interface PrintResources {
  font(): Promise<CjkFont | null>;
  raster(): Promise<RasterSource>;
  system: SystemPrintAdapter | null;
  /** The folder a PDF printer writes into (its own, else the default). */
  pdfFolder(printer: Extract<PrinterConfig, { kind: 'pdf' }>): string;
  tcp: TcpTimeouts;
  device: DeviceTimeouts;
}

export interface PrintDocument {
  lines(widthChars: number): ReceiptLine[];
  title: string;
  /** The PDF file name without extension (made safe by savePdf). */
  fileBase: string;
  /** Open the cash drawer with this document, when the printer is set to. */
  kickDrawer: boolean;
}

export interface DriverResult {
  /** Where it went when that is a file (PDF). */
  output: string | null;
  paperLow: boolean;
}

/** Columns of a PDF or system-printer receipt (80 mm). */
export const PAGE_COLUMNS = PAPER[80].columns;

export async function printDocument(printer: PrinterConfig, doc: PrintDocument, res: PrintResources): Promise<DriverResult> {
  switch (printer.kind) {
    case 'escpos-tcp':
    case 'escpos-device': {
      const lines = doc.lines(PAPER[printer.paper].columns);
      const { bytes } = encodeEscpos(lines, { paper: printer.paper, cjk: printer.cjk, drawerKick: printer.drawerKick && doc.kickDrawer }, await res.raster());
      if (printer.kind === 'escpos-tcp') {
        const result = await printTcp({ host: printer.host, port: printer.port }, bytes, res.tcp);
        return { output: null, paperLow: result.status?.paperLow ?? false };
      }
      await printDevice(printer.path, bytes, res.device);
      return { output: null, paperLow: false };
    }
    case 'pdf': {
      const pdf = await renderPdf(doc.lines(PAGE_COLUMNS), await res.font(), { widthChars: PAGE_COLUMNS, paperMm: 80, title: doc.title });
      const file = await savePdf(res.pdfFolder(printer), doc.fileBase, pdf);
      return { output: file, paperLow: false };
    }
    case 'system': {
      if (!res.system) {
        throw new PrintError(
          'print.system_unavailable',
          `system printers (${printer.deviceName}) can only be used from the Countersign desktop app, not from the browser: print to a network or USB printer, or save as PDF`,
          { deviceName: printer.deviceName },
        );
      }
      const font = await res.font();
      await res.system.printHtml(receiptHtml(doc.lines(PAGE_COLUMNS), PAGE_COLUMNS, doc.title, font?.family ?? null), {
        deviceName: printer.deviceName,
        title: doc.title,
      });
      return { output: null, paperLow: false };
    }
  }
}
