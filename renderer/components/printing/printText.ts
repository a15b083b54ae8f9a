/** Texts and small rules of the Printers screen (pure, testable without a DOM). */
import type { TFunction } from 'i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import { PrinterInput, type PrinterConfig } from '../../../electron/contract/commands/printing.js';
import { translateError } from '../../i18n/translate.js';

/** The reasons the core gives as `print.<reason>` (electron/printing/errors.ts), each in printing.errors. */
export const PRINT_ERROR_REASONS = [
  'refused',
  'timeout',
  'unreachable',
  'host_not_found',
  'connection_lost',
  'paper_out',
  'cover_open',
  'offline',
  'printer_error',
  'device_missing',
  'device_permission',
  'device_offline',
  'device_not_printer',
  'device_error',
  'system_unavailable',
  'system_failed',
  'pdf_folder_missing',
  'pdf_folder_not_writable',
  'pdf_write_failed',
  'font_missing',
  'unprintable',
  'raster_unavailable',
  'printer_not_found',
  'printer_builtin',
  'job_not_found',
  'already_printed',
  'busy',
  'invalid_path',
  'receipt_invalid',
] as const;

/** A printing failure in the user's words (print.* codes here, the rest as everywhere else). */
export function describePrintError(t: TFunction, error: ApiErrorShape): string {
  const params = error.params ?? {};
  if (error.code.startsWith('print.')) {
    return t(`printing.errors.${error.code.slice('print.'.length)}`, { ...params, defaultValue: error.message });
  }
  if (error.code === 'validation.failed') return t('printing.errors.invalid_input', { detail: params.detail ?? error.message });
  if (error.code === 'auth.required' || error.code === 'auth.forbidden') return t(`auth.errors.${error.code.slice('auth.'.length)}`);
  return translateError(t, error);
}

/** The printer form as typed. */
export interface PrinterForm {
  id: string | null;
  kind: PrinterConfig['kind'];
  name: string;
  host: string;
  port: string;
  paper: '58' | '80';
  cjk: 'native' | 'raster';
  drawerKick: boolean;
  path: string;
  deviceName: string;
  folder: string;
  makeDefault: boolean;
}

export const EMPTY_PRINTER_FORM: PrinterForm = {
  id: null,
  kind: 'escpos-tcp',
  name: '',
  host: '',
  port: '9100',
  paper: '80',
  cjk: 'native',
  drawerKick: false,
  path: '',
  deviceName: '',
  folder: '',
  makeDefault: false,
};

export function formFromPrinter(config: PrinterConfig, isDefault: boolean): PrinterForm {
  const base = { ...EMPTY_PRINTER_FORM, id: config.id, kind: config.kind, name: config.name, makeDefault: isDefault };
  switch (config.kind) {
    case 'escpos-tcp':
      return { ...base, host: config.host, port: String(config.port), paper: String(config.paper) as '58' | '80', cjk: config.cjk, drawerKick: config.drawerKick };
    case 'escpos-device':
      return { ...base, path: config.path, paper: String(config.paper) as '58' | '80', cjk: config.cjk, drawerKick: config.drawerKick };
    case 'system':
      return { ...base, deviceName: config.deviceName };
    case 'pdf':
      return { ...base, folder: config.folder ?? '' };
  }
}

export type PrinterFormField = 'name' | 'host' | 'port' | 'path' | 'deviceName' | 'folder';

/** The form → the contract's printer input, or the fields that are wrong. */
export function printerFromForm(form: PrinterForm): { ok: true; printer: PrinterInput } | { ok: false; fields: PrinterFormField[] } {
  const id = form.id ? { id: form.id } : {};
  const port = /^\d{1,5}$/.test(form.port.trim()) ? Number(form.port.trim()) : Number.NaN;
  const raw =
    form.kind === 'escpos-tcp'
      ? { kind: form.kind, ...id, name: form.name, host: form.host.trim(), port, paper: Number(form.paper), cjk: form.cjk, drawerKick: form.drawerKick }
      : form.kind === 'escpos-device'
        ? { kind: form.kind, ...id, name: form.name, path: form.path.trim(), paper: Number(form.paper), cjk: form.cjk, drawerKick: form.drawerKick }
        : form.kind === 'system'
          ? { kind: form.kind, ...id, name: form.name, deviceName: form.deviceName }
          : { kind: form.kind, ...id, name: form.name, folder: form.folder.trim() === '' ? null : form.folder.trim() };
  const parsed = PrinterInput.safeParse(raw);
  if (parsed.success) return { ok: true, printer: parsed.data };
  const fields = new Set<PrinterFormField>();
  for (const issue of parsed.error.issues) {
    const key = issue.path[0];
    if (key === 'name' || key === 'host' || key === 'port' || key === 'path' || key === 'deviceName' || key === 'folder') fields.add(key);
  }
  return { ok: false, fields: fields.size ? [...fields] : ['name'] };
}

/** Where a printer is, in one short line. */
export function printerWhere(config: PrinterConfig, resolvedFolder: string | null): string {
  switch (config.kind) {
    case 'escpos-tcp':
      return config.host.includes(':') ? `[${config.host}]:${config.port}` : `${config.host}:${config.port}`;
    case 'escpos-device':
      return config.path;
    case 'system':
      return config.deviceName;
    case 'pdf':
      return config.folder ?? resolvedFolder ?? '';
  }
}
