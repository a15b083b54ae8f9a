/**
 * The export's fast CSV records (export/csvSql.ts) are exactly csv-stringify's: random cells —
 * formula starts (ASCII and full-width), quotes, commas, CR/LF, the packing separators themselves,
 * negative and huge integers, nulls, Chinese — stored in a real STRICT SQLite table, packed by the
 * export's own SQL, written by CsvRecordWriter into a real HashedFile, compared byte for byte with
 * csv-stringify over the same cells, and read back by csv-parse.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvRecordWriter, fastRecord, libraryCsv, libraryRecord, packedCellsSql, type CsvCell, type CsvCellSpec } from '../../../electron/export/csvSql.js';
import { HashedFile } from '../../../electron/export/hashedFile.js';
import { tempDir } from '../ledger/helpers.js';

const SPECS: CsvCellSpec[] = [
  { sql: 'a', type: 'integer' },
  { sql: 'b', type: 'text' },
  { sql: 'c', type: 'text' },
  { sql: 'd', type: 'integer' },
  { sql: 'e', type: 'text' },
];
const TRICKY = ['=', '+', '-', '@', '\t', '\r', '\n', '"', ',', "'", '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20', '\x1e', '\x1f', ' ', '0', '9', '王', '🙂', 'a'];
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 8 }),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('=SUM(A1:A2)', '-500', '+86 138', '@home', '\tx', '\rx', '{"a":"b,c"}', '', '王小明, 退款', '－1', '＝1'),
);
const integer = fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.maxSafeInteger(), fc.constantFrom(0, -1, 999_999_999_999, -999_999_999_999));
const row = fc.tuple(fc.option(integer), fc.option(text), fc.option(text), fc.option(integer), fc.option(text));

let db: Database.Database;
let dir: string;
beforeAll(() => {
  db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c TEXT, d INTEGER, e TEXT) STRICT');
  dir = tempDir();
});
afterAll(() => db.close());

function store(rows: readonly (readonly CsvCell[])[]): void {
  db.exec('DELETE FROM t');
  const insert = db.prepare('INSERT INTO t (id, a, b, c, d, e) VALUES (?, ?, ?, ?, ?, ?)');
  rows.forEach((r, i) => insert.run(i + 1, ...r));
}

let files = 0;
/** The rows through the export's path: packed by SQLite, CsvRecordWriter, the library for the rest. */
async function exported(): Promise<string> {
  const file = await HashedFile.create(path.join(dir, `t${files++}.csv`));
  const writer = new CsvRecordWriter(file, SPECS.length);
  const cells = db.prepare<[number], CsvCell[]>('SELECT a, b, c, d, e FROM t WHERE id = ?').raw();
  for (const [id, packed] of db.prepare<[], [number, string]>(`SELECT id, ${packedCellsSql(SPECS)} FROM t ORDER BY id`).raw().iterate()) {
    if (!writer.packed(packed)) file.append(libraryRecord(cells.get(id)!));
  }
  await file.finish();
  return readFileSync(file.path, 'utf8');
}

describe('fast CSV records', () => {
  it('are byte for byte what csv-stringify writes for the same cells, and csv-parse reads the cells back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (rows) => {
        store(rows);
        const stored = db.prepare('SELECT a, b, c, d, e FROM t ORDER BY id').raw().all() as CsvCell[][];
        const ours = await exported();
        expect(ours).toBe(libraryCsv(stored));
        const back = parse(ours, { relax_column_count: false }) as string[][];
        expect(back).toHaveLength(stored.length);
        back.forEach((cellsBack, i) =>
          cellsBack.forEach((cell, j) => {
            const v = stored[i]![j];
            const expected = v === null ? '' : String(v);
            // A neutralised formula reads back with its ' in front, anything else as it was.
            expect(cell === expected || (typeof v === 'string' && cell === `'${v}`)).toBe(true);
          }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('take the fast way for plain rows and quoted JSON, and leave formulas, odd integers and stray separators to the library', () => {
    const pack = (cells: CsvCell[]) => {
      store([cells]);
      return db.prepare<[], string>(`SELECT ${packedCellsSql(SPECS)} FROM t`).pluck().get()!;
    };
    expect(fastRecord(pack([1, '2026-11-23T06:00:00.000Z', null, -1500, '王小明']), 5)).toBe('1,2026-11-23T06:00:00.000Z,,-1500,王小明\r\n');
    expect(fastRecord(pack([7, '{"kind":"over_charge"}', 'a,b', 0, '']), 5)).toBe('7,"{""kind"":""over_charge""}","a,b",0,\r\n');
    for (const formula of ['=1+1', '-5', '+86', '@x', '\tx', '\rx', '＝1', '－1']) expect(fastRecord(pack([1, formula, null, 0, null]), 5), formula).toBeNull();
    expect(fastRecord(pack([1, 'a\x1fb', null, 0, null]), 5)).toBeNull();
    expect(fastRecord(pack([90071992547409910n as unknown as number, null, null, 0, null]), 5)).toBeNull();
    expect(fastRecord(pack([1, null, null, null, null]), 4)).toBeNull();
  });
});
