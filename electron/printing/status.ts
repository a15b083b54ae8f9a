/**
 * ESC/POS real-time status (`DLE EOT n`), pure. Over a two-way link the printer answers each query
 * with one byte whose bits 1 and 4 are set and bits 0 and 7 clear:
 *  n=1 printer:  bit 3 offline
 *  n=2 offline cause: bit 2 cover open, bit 3 paper being fed by the button, bit 5 stopped at paper
 *      end, bit 6 an error
 *  n=4 roll paper sensor: bits 2-3 paper near end, bits 5-6 paper end
 */
import { PrintError } from './errors.js';

export const STATUS_QUERIES = [
  [0x10, 0x04, 0x01],
  [0x10, 0x04, 0x02],
  [0x10, 0x04, 0x04],
] as const;

export interface PrinterStatus {
  offline: boolean;
  coverOpen: boolean;
  paperOut: boolean;
  paperLow: boolean;
  error: boolean;
}

export function isStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

/** The three answers (to n = 1, 2, 4) → status, or null when they are not status bytes. */
export function parseStatus(bytes: ArrayLike<number>): PrinterStatus | null {
  if (bytes.length < 3) return null;
  const [printer, offline, paper] = [bytes[0]!, bytes[1]!, bytes[2]!];
  if (!isStatusByte(printer) || !isStatusByte(offline) || !isStatusByte(paper)) return null;
  return {
    offline: (printer & 0x08) !== 0,
    coverOpen: (offline & 0x04) !== 0,
    paperOut: (offline & 0x20) !== 0 || (paper & 0x60) !== 0,
    paperLow: (paper & 0x0c) !== 0,
    error: (offline & 0x40) !== 0,
  };
}

/** Throws the PrintError that tells a person what to do, when the status says the printer cannot print. */
export function assertCanPrint(status: PrinterStatus, where: string): void {
  const params = { printer: where };
  if (status.paperOut) throw new PrintError('print.paper_out', `the printer ${where} is out of paper: load a new roll, then retry`, params);
  if (status.coverOpen) throw new PrintError('print.cover_open', `the printer ${where} has its cover open: close it, then retry`, params);
  if (status.error) {
    throw new PrintError('print.printer_error', `the printer ${where} reports an error (e.g. a paper jam or the cutter): check it, switch it off and on, then retry`, params);
  }
  if (status.offline) throw new PrintError('print.offline', `the printer ${where} is offline: check it, then retry`, params);
}

/** Bytes a printer sends back for a status: used by the fake printer in tests, and documentation. */
export function statusBytes(status: Partial<PrinterStatus>): [number, number, number] {
  const base = 0x12;
  return [
    base | (status.offline || status.coverOpen || status.paperOut || status.error ? 0x08 : 0),
    base | (status.coverOpen ? 0x04 : 0) | (status.paperOut ? 0x20 : 0) | (status.error ? 0x40 : 0),
    base | (status.paperOut ? 0x60 : 0) | (status.paperLow ? 0x0c : 0),
  ];
}
