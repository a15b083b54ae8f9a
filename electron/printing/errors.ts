/**
 * Why a print did not happen, as a stable code (`print.<reason>`, translated by the screens under
 * `printing.errors.<reason>`) with an English message that says what to do, and string params.
 */
import type { PrintErrorShape } from '../contract/commands/printing.js';

export const PRINT_ERROR_CODES = [
  // network printers
  'print.refused',
  'print.timeout',
  'print.unreachable',
  'print.host_not_found',
  'print.connection_lost',
  // what the printer itself reports (DLE EOT)
  'print.paper_out',
  'print.cover_open',
  'print.offline',
  'print.printer_error',
  // device files
  'print.device_missing',
  'print.device_permission',
  'print.device_offline',
  'print.device_not_printer',
  'print.device_error',
  // system printer
  'print.system_unavailable',
  'print.system_failed',
  // PDF
  'print.pdf_folder_missing',
  'print.pdf_folder_not_writable',
  'print.pdf_write_failed',
  // content
  'print.font_missing',
  'print.unprintable',
  'print.raster_unavailable',
  // queue and settings
  'print.printer_not_found',
  'print.printer_builtin',
  'print.job_not_found',
  'print.already_printed',
  'print.busy',
  'print.invalid_path',
  'print.receipt_invalid',
] as const;
export type PrintErrorCode = (typeof PRINT_ERROR_CODES)[number];

export class PrintError extends Error {
  constructor(
    readonly code: PrintErrorCode,
    message: string,
    readonly params: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PrintError';
  }

  toShape(): PrintErrorShape {
    return { code: this.code, message: this.message, params: this.params };
  }
}

/** Any failure as a PrintErrorShape; unexpected ones keep their message under `print.printer_error`. */
export function toPrintErrorShape(error: unknown): PrintErrorShape {
  if (error instanceof PrintError) return error.toShape();
  const e = error as { code?: unknown; message?: unknown; params?: unknown };
  if (typeof e?.code === 'string' && /^[a-z_]+\.[a-z_.]+$/.test(e.code)) {
    const params: Record<string, string> = {};
    if (e.params && typeof e.params === 'object') {
      for (const [k, v] of Object.entries(e.params as Record<string, unknown>)) params[k] = String(v);
    }
    return { code: e.code, message: String(e.message ?? e.code), params };
  }
  return { code: 'print.printer_error', message: `printing failed: ${String(e?.message ?? error)}`, params: { detail: String(e?.message ?? error) } };
}
