/**
 * Fast CSV records that are byte for byte what csv-stringify writes (the export's CSV_OPTIONS).
 *
 * csv-stringify's per-cell work was most of the CSV export's time, and 100,000 incidents × 42 cells
 * as JavaScript values the rest. So SQLite concatenates each row's cells into ONE string, each
 * cell preceded by a separator that also says its type: INT_SEP (\x1e) before an integer cell,
 * TEXT_SEP (\x1f) before a text cell, NULL as nothing. For a row in which no text cell starts like
 * a formula (= + - @ TAB CR ＝ ＋ － ＠), every integer cell is only digits (a '-' first) and there
 * is exactly one separator per cell, csv-stringify's output is those cells joined by commas, a
 * text cell with a quote, comma, CR or LF quoted with its quotes doubled: `fastRecord` checks that
 * in one pass and writes it. Any other row (null from `fastRecord`) is read again as cells and
 * written by csv-stringify itself (`libraryRecord`), so every formula neutralisation is still the
 * library's. test/unit/incidents/csvSql.test.ts proves the equivalence against
 * csv-stringify and csv-parse over random cells.
 *
 * The cell types are declared with the SQL (CsvCellSpec) and checked for integers; text cells come
 * from TEXT columns of STRICT tables or from text functions, and anything starting with '-'
 * (where a number and a text differ) takes the library's way anyway.
 */
import { stringify } from 'csv-stringify/sync';
import type { HashedFile } from './hashedFile.js';
import type { CsvCell } from './model.js';

export const CSV_OPTIONS = {
  // RFC 4180: CRLF between records; fields with a quote, comma or line break are quoted. A lone
  // CR or LF inside a field is quoted too (csv-stringify only quotes the record delimiter itself).
  record_delimiter: 'windows',
  quoted_match: /[\r\n]/,
  // = + - @ TAB CR (and full-width ＝ ＋ － ＠) at the start of a text cell: prefixed with ' so a
  // spreadsheet never runs it.
  escape_formulas: true,
  eof: true,
} as const;

export type { CsvCell };

/** Records (CRLF each) of the given rows, by csv-stringify. */
export function libraryCsv(rows: CsvCell[][]): string {
  return stringify(rows, CSV_OPTIONS);
}

/** One CSV cell: its SQL expression and the type it always has (or NULL). */
export interface CsvCellSpec {
  sql: string;
  type: 'integer' | 'text';
}

const INT_SEP = 0x1e;
const TEXT_SEP = 0x1f;
const SEPARATORS = /[\x1e\x1f]/g;

/**
 * The SQL expression of a row's packed cells: one concat() (NULL adds nothing), so each cell's
 * expression is evaluated once and the row's string is built in one go.
 */
export function packedCellsSql(cells: readonly CsvCellSpec[]): string {
  return `concat(${cells.map((c) => `${c.type === 'integer' ? 'char(30)' : 'char(31)'}, ${c.sql}`).join(', ')})`;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** A text cell with a quote, comma or line break: quoted, its quotes doubled (RFC 4180). */
function quoted(cell: string): string {
  return NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/**
 * The CSV record (with CRLF) of a packed row, when csv-stringify would write each cell as it is or
 * just quoted; null when the library must write it (see the top of this file).
 */
export function fastRecord(packed: string, cells: number): string | null {
  let seps = 0;
  let intCell = false;
  let cellStart = false;
  let needsQuotes = false;
  /** Digits of the integer cell so far: beyond 15 a JavaScript number may not hold it exactly. */
  let digits = 0;
  let minusOnly = false;
  for (let i = 0; i < packed.length; i++) {
    const ch = packed.charCodeAt(i);
    if (ch === INT_SEP || ch === TEXT_SEP) {
      if (minusOnly) return null;
      seps++;
      intCell = ch === INT_SEP;
      cellStart = true;
      digits = 0;
      continue;
    }
    if (intCell) {
      // An integer cell: digits, a '-' only first (a negative number is never neutralised).
      if (ch >= 0x30 && ch <= 0x39) {
        if (++digits > 15) return null;
        minusOnly = false;
      } else if (ch === 0x2d && cellStart) {
        minusOnly = true;
      } else {
        return null;
      }
      cellStart = false;
      continue;
    }
    // A text cell: a formula start is the library's to neutralise; a quote, comma or line break is quoted.
    if (cellStart) {
      if (ch === 0x3d || ch === 0x2b || ch === 0x2d || ch === 0x40 || ch === 0x09 || ch === 0x0d || ch === 0xff1d || ch === 0xff0b || ch === 0xff0d || ch === 0xff20) {
        return null;
      }
      cellStart = false;
    }
    if (ch === 0x22 || ch === 0x2c || ch === 0x0a || ch === 0x0d) needsQuotes = true;
  }
  if (minusOnly || seps !== cells || packed.length === 0) return null;
  if (!needsQuotes) return `${packed.slice(1).replace(SEPARATORS, ',')}\r\n`;
  let out = '';
  let start = 1;
  let text = packed.charCodeAt(0) === TEXT_SEP;
  for (let i = 1; i <= packed.length; i++) {
    const ch = i < packed.length ? packed.charCodeAt(i) : INT_SEP;
    if (ch !== INT_SEP && ch !== TEXT_SEP) continue;
    const cell = packed.slice(start, i);
    out += `${start === 1 ? '' : ','}${text ? quoted(cell) : cell}`;
    start = i + 1;
    text = ch === TEXT_SEP;
  }
  return `${out}\r\n`;
}

/** The record by csv-stringify, from the row's cells. */
export function libraryRecord(cells: CsvCell[]): string {
  return libraryCsv([cells]);
}

const OK = 0;
const QUOTE = 1;
const LIBRARY = 2;

/**
 * The same check as fastRecord, on the packed row's UTF-8 bytes in `buf` [start, end) (a
 * separator first): OK, QUOTE (a text cell needs quotes: fastRecord writes it) or LIBRARY. Turns
 * the separators into commas as it goes. Full-width ＝ ＋ － ＠ are EF BC 9D / 8B / 8D / A0.
 */
function scanPacked(buf: Buffer, start: number, end: number, cells: number): number {
  let seps = 0;
  let intCell = false;
  let cellStart = false;
  let needsQuotes = false;
  let digits = 0;
  let minusOnly = false;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === INT_SEP || b === TEXT_SEP) {
      if (minusOnly) return LIBRARY;
      seps++;
      intCell = b === INT_SEP;
      cellStart = true;
      digits = 0;
      buf[i] = 0x2c;
      continue;
    }
    if (intCell) {
      if (b >= 0x30 && b <= 0x39) {
        if (++digits > 15) return LIBRARY;
        minusOnly = false;
      } else if (b === 0x2d && cellStart) {
        minusOnly = true;
      } else {
        return LIBRARY;
      }
      cellStart = false;
      continue;
    }
    if (cellStart) {
      if (b === 0x3d || b === 0x2b || b === 0x2d || b === 0x40 || b === 0x09 || b === 0x0d) return LIBRARY;
      if (b === 0xef && buf[i + 1] === 0xbc) {
        const c = buf[i + 2];
        if (c === 0x9d || c === 0x8b || c === 0x8d || c === 0xa0) return LIBRARY;
      }
      cellStart = false;
    }
    if (b === 0x22 || b === 0x2c || b === 0x0a || b === 0x0d) needsQuotes = true;
  }
  if (minusOnly || seps !== cells || end === start) return LIBRARY;
  return needsQuotes ? QUOTE : OK;
}

/**
 * Writes CSV records into a file, encoding straight into its chunk (HashedFile.reserve): a packed
 * row that passes the check costs one UTF-8 encode, one byte scan and a move of its bytes.
 */
export class CsvRecordWriter {
  constructor(
    private readonly file: HashedFile,
    private readonly cells: number,
  ) {}

  /** Appends the packed row's record; false (nothing appended) when csv-stringify must write it. */
  packed(packed: string): boolean {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; + CRLF.
    const { buf, off: start } = this.file.reserve(packed.length * 3 + 2);
    const n = buf.write(packed, start, 'utf8');
    const verdict = scanPacked(buf, start, start + n, this.cells);
    if (verdict === LIBRARY) return false;
    if (verdict === QUOTE) {
      this.file.append(fastRecord(packed, this.cells)!);
      return true;
    }
    // Drop the first cell's separator (now a comma), end the record.
    buf.copyWithin(start, start + 1, start + n);
    let end = start + n - 1;
    buf[end++] = 0x0d;
    buf[end++] = 0x0a;
    this.file.commit(end);
    return true;
  }
}
