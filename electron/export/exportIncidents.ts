/**
 * The offline export of the incident log: CSV (RFC 4180, UTF-8 with BOM, formula injection
 * neutralised), JSON (versioned schema, full timelines), a dispute-ready PDF, and manifest.json
 * with every file's SHA-256, the parameters and the audit chain head.
 *
 * Streams: every file is one pass, in incident id order, over ONE read snapshot taken on a
 * connection of the export's own (the app's connection keeps writing meanwhile; WAL), so the
 * files, the counts and the audit head agree. Rows are read with `.iterate()` (a CSV row packed
 * into one string and an incident's JSON with its timeline, both built by SQLite; the PDF's
 * incidents with their timeline, evidence, charges and voids/refunds read alongside) and file
 * writes are awaited a chunk at a time (HashedFile), so memory stays flat however many incidents
 * there are.
 *
 * File names are ours (incidents.csv, incident-events.csv, incidents.json, incidents.pdf,
 * manifest.json); the folder written into is checked by the caller (checkExportFolder).
 */
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { localDateRange } from '../domain/localDate.js';
import type { EvidenceRow, IncidentEventRow } from '../ledger/incidentCases.js';
import type { ChargeRow } from '../ledger/rows.js';
import { LedgerError } from '../ledger/errors.js';
import { SCHEMA_VERSION } from '../ledger/migrations.js';
import { NO_CJK_FONT_MESSAGE, findCjkFont } from '../printing/cjkFont.js';
import { HashedFile } from './hashedFile.js';
import type { ExportLocale } from './labels.js';
import { MANIFEST_FORMAT, MANIFEST_NAME, MANIFEST_VERSION, type Manifest } from './manifest.js';
import { CsvRecordWriter, libraryCsv, libraryRecord } from './csvSql.js';
import {
  CSV_EVENTS_PACKED,
  CSV_EVENT_BY_ID,
  CSV_INCIDENTS_PACKED,
  CSV_INCIDENT_BY_ID,
  EVENT_COUNT,
  EVENT_CSV_CELLS,
  ID_RANGE,
  INCIDENT_CSV_CELLS,
  JSON_INCIDENTS,
  registerExportFunctions,
} from './sql.js';
import {
  EVENT_CSV_COLUMNS,
  EXPORT_SQL,
  INCIDENT_CSV_COLUMNS,
  ChildCursor,
  buildExportIncident,
  type AdjustmentRow,
  type CsvCell,
  type IncidentExportRow,
  type LinkRow,
} from './model.js';
import { IncidentPdf, type PdfSummary } from './pdfIncidents.js';

export const EXPORT_SCHEMA_ID = 'https://countersign.app/schemas/incident-export.v1.json';
export const EXPORT_FILES = { csv: 'incidents.csv', events: 'incident-events.csv', json: 'incidents.json', pdf: 'incidents.pdf' } as const;
/** The first schema version with the incident workflow's tables. */
export const EXPORT_MIN_SCHEMA = 7;

export type ExportFormatName = 'csv' | 'json' | 'pdf';

export interface ExportOptions {
  /** The ledger file (opened read-only on a connection of the export's own). */
  dbFile: string;
  /** Local dates of the incidents' creation, both inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
  formats: ExportFormatName[];
  /** Written into: must exist and be empty (see prepareExportDir). */
  dir: string;
  locale: ExportLocale;
  generator: string;
  signal?: AbortSignal;
  /** Called at most every `progressEvery` incidents, and at the end. */
  onProgress?: (p: { phase: 'counting' | 'writing' | 'finishing'; done: number; total: number }) => void;
  progressEvery?: number;
  now?: () => Date;
}

export interface ExportResult {
  dir: string;
  files: Manifest['files'];
  incidents: number;
  events: number;
  manifest: Manifest;
}

export class ExportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly params: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

/** RFC 4180 records (CRLF), formula-like text cells neutralised, numbers left as numbers. */
export function toCsv(rows: CsvCell[][]): string {
  return libraryCsv(rows);
}

/** Checks a folder chosen by a person: absolute, no . or .., exists, is a folder, writable. */
export async function checkExportFolder(folder: string): Promise<string> {
  if (typeof folder !== 'string' || !path.isAbsolute(folder) || folder.includes('\0') || folder.split(/[\\/]+/).some((seg) => seg === '.' || seg === '..')) {
    throw new ExportError('export.invalid_folder', `the export folder must be an absolute path without . or .. (${folder})`, { path: String(folder) });
  }
  let stat;
  try {
    stat = await fsp.stat(folder);
  } catch {
    throw new ExportError('export.folder_missing', `the folder ${folder} does not exist: create it or choose another one`, { path: folder });
  }
  if (!stat.isDirectory()) throw new ExportError('export.folder_missing', `${folder} is not a folder`, { path: folder });
  try {
    await fsp.access(folder, constants.W_OK);
  } catch {
    throw new ExportError('export.folder_not_writable', `Countersign may not write into ${folder}: choose another folder`, { path: folder });
  }
  return path.resolve(folder);
}

/** A new, empty folder for the export; `dir` may exist if it is empty. */
export async function prepareExportDir(dir: string): Promise<{ dir: string; created: boolean }> {
  const abs = path.resolve(dir);
  try {
    const stat = await fsp.stat(abs);
    if (!stat.isDirectory()) throw new ExportError('export.folder_missing', `${abs} exists and is not a folder`, { path: abs });
    const entries = await fsp.readdir(abs);
    if (entries.length > 0) throw new ExportError('export.folder_not_empty', `${abs} is not empty: export into a new or empty folder`, { path: abs });
    return { dir: abs, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  try {
    await fsp.mkdir(abs, { recursive: false, mode: 0o755 });
  } catch (error) {
    throw new ExportError('export.folder_missing', `cannot create ${abs}: ${(error as Error).message}`, { path: abs });
  }
  return { dir: abs, created: true };
}

function checkDates(from: string, to: string): { fromIso: string; toIso: string } {
  const range = localDateRange(from, to);
  if (!range?.fromIso || !range.toIsoExclusive) throw new ExportError('export.invalid_dates', `the dates must be real calendar dates, YYYY-MM-DD (${from}, ${to})`, { from, to });
  if (from > to) throw new ExportError('export.invalid_dates', `the first date ${from} is after the last ${to}`, { from, to });
  return { fromIso: range.fromIso, toIso: range.toIsoExclusive };
}

function openSnapshot(dbFile: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new ExportError('export.no_ledger', `cannot open the ledger ${dbFile}: ${(error as Error).message}`, { file: dbFile });
  }
  try {
    db.pragma('busy_timeout = 5000');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new ExportError('export.ledger_too_new', `the ledger has schema v${version}; this Countersign knows up to v${SCHEMA_VERSION}`, { found: String(version) });
    }
    if (version < EXPORT_MIN_SCHEMA) {
      throw new ExportError(
        'export.ledger_too_old',
        `the ledger has schema v${version}: open it once with this Countersign (it is migrated to v${SCHEMA_VERSION}) before exporting`,
        { found: String(version) },
      );
    }
  } catch (error) {
    db.close();
    if (error instanceof ExportError) throw error;
    const e = error as { code?: string; message: string };
    throw new ExportError('export.no_ledger', `${dbFile} is not a Countersign ledger: ${e.message}`, { file: dbFile });
  }
  return db;
}

/** A CSV file: the BOM and the header (the records follow, export/csvSql.ts). */
function startCsv(file: HashedFile, header: readonly string[]): void {
  file.append('\uFEFF');
  file.append(toCsv([[...header]]));
}

/**
 * Writes the export into `opts.dir` (existing and empty). On cancel (signal) or failure every file
 * it wrote is removed and the error thrown (ExportError `export.cancelled` when cancelled).
 */
export async function exportIncidents(opts: ExportOptions): Promise<ExportResult> {
  const formats = [...new Set(opts.formats)].sort() as ExportFormatName[];
  if (formats.length === 0) throw new ExportError('export.no_format', 'choose at least one format: csv, json or pdf');
  const { fromIso, toIso } = checkDates(opts.from, opts.to);
  const now = opts.now ?? (() => new Date());
  const generatedAt = now();
  const every = Math.max(1, opts.progressEvery ?? 1000);
  const font = formats.includes('pdf') ? await findCjkFont() : null;
  if (formats.includes('pdf') && !font) throw new ExportError('export.font_missing', NO_CJK_FONT_MESSAGE);
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

  const db = openSnapshot(opts.dbFile);
  registerExportFunctions(db);
  const files: HashedFile[] = [];
  /** Cursors still open on the snapshot: closed before the read transaction ends. */
  const cursors: Iterator<unknown>[] = [];
  const cancelled = () => opts.signal?.aborted === true;
  const iterate = <T>(it: IterableIterator<T>): IterableIterator<T> => {
    cursors.push(it);
    return it;
  };
  try {
    // One read snapshot for everything: the counts, the rows and the audit head agree.
    db.exec('BEGIN');
    opts.onProgress?.({ phase: 'counting', done: 0, total: 0 });
    const range = db.prepare(ID_RANGE).get(fromIso, toIso) as { n: number; lo: number | null; hi: number | null };
    const total = range.n;
    const params = { lo: range.lo ?? 0, hi: range.hi ?? -1, from: fromIso, to: toIso };
    const head = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
    const auditHead = head && head.seq > 0 ? { seq: head.seq, hash: head.hash } : null;
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const parameters = { from: opts.from, to: opts.to, formats, locale: opts.locale, timeZone };

    const open = async (name: string) => {
      const f = await HashedFile.create(path.join(opts.dir, name));
      files.push(f);
      return f;
    };
    // Each file is one pass over the snapshot, in id order; progress counts incidents over all passes.
    const passes = (formats.includes('csv') ? 2 : 0) + (formats.includes('json') ? 1 : 0) + (formats.includes('pdf') ? 1 : 0);
    const grandTotal = total * passes;
    let doneAll = 0;
    let eventCount: number | null = null;
    const pause = async (file: HashedFile) => {
      if (file.needsFlush) await file.flush();
      if (doneAll % every === 0) {
        if (cancelled()) throw new ExportError('export.cancelled', 'the export was cancelled');
        opts.onProgress?.({ phase: 'writing', done: doneAll, total: grandTotal });
        // Let the event loop breathe (progress to the screens, a cancel) on long exports.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    };
    /** After each incident: null (go on at once: no promise per row) or what to wait for first. */
    const step = (file: HashedFile): Promise<void> | null => {
      doneAll++;
      return file.needsFlush || doneAll % every === 0 ? pause(file) : null;
    };
    opts.onProgress?.({ phase: 'writing', done: 0, total: grandTotal });

    if (formats.includes('csv')) {
      const file = await open(EXPORT_FILES.csv);
      startCsv(file, INCIDENT_CSV_COLUMNS);
      const incidentCells = db.prepare<[number], CsvCell[]>(CSV_INCIDENT_BY_ID).raw();
      const records = new CsvRecordWriter(file, INCIDENT_CSV_CELLS.length);
      for (const [id, packed] of iterate(db.prepare<[typeof params], [number, string]>(CSV_INCIDENTS_PACKED).raw().iterate(params))) {
        if (!records.packed(packed)) file.append(libraryRecord(incidentCells.get(id)!));
        const wait = step(file);
        if (wait) await wait;
      }
      const eventsFile = await open(EXPORT_FILES.events);
      startCsv(eventsFile, EVENT_CSV_COLUMNS);
      const eventCells = db.prepare<[number], CsvCell[]>(CSV_EVENT_BY_ID).raw();
      const eventRecords = new CsvRecordWriter(eventsFile, EVENT_CSV_CELLS.length);
      let lastIncident = -1;
      let n = 0;
      for (const [incidentId, eventId, packed] of iterate(db.prepare<[typeof params], [number, number, string]>(CSV_EVENTS_PACKED).raw().iterate(params))) {
        if (!eventRecords.packed(packed)) eventsFile.append(libraryRecord(eventCells.get(eventId)!));
        n++;
        if (incidentId !== lastIncident) {
          lastIncident = incidentId;
          const wait = step(eventsFile);
          if (wait) await wait;
        } else if (eventsFile.needsFlush) await eventsFile.flush();
      }
      eventCount = n;
    }

    if (formats.includes('json')) {
      const file = await open(EXPORT_FILES.json);
      const top = JSON.stringify({ $schema: EXPORT_SCHEMA_ID, format: 'countersign.incidents', version: 1, generatedAt: generatedAt.toISOString(), parameters, auditHead });
      file.append(`${top.slice(0, -1)},"incidents":[\n`);
      let written = 0;
      for (const [, incident] of iterate(db.prepare<[typeof params], [number, string]>(JSON_INCIDENTS).raw().iterate(params))) {
        if (written > 0) file.append(',\n');
        file.append(incident);
        written++;
        const wait = step(file);
        if (wait) await wait;
      }
      file.append(`\n],"count":${written}}\n`);
      eventCount ??= db.prepare<[typeof params], number>(EVENT_COUNT).pluck().get(params)!;
    }

    if (formats.includes('pdf') && font) {
      const file = await open(EXPORT_FILES.pdf);
      const { default: PDFDocument } = await import('pdfkit');
      const doc = new PDFDocument(IncidentPdf.documentOptions(`Countersign incidents ${opts.from} – ${opts.to}`, generatedAt));
      doc.on('data', (chunk: Buffer) => file.append(chunk));
      const ended = new Promise<void>((resolve, reject) => {
        doc.on('end', resolve);
        doc.on('error', reject);
      });
      const pdf = new IncidentPdf(doc, font, opts.locale);
      pdf.summary(summaryOf(db, fromIso, toIso, { from: opts.from, to: opts.to, generatedAt, timeZone, auditHead, count: total }));
      const child = <T extends { incident_id: number }>(sql: string) => new ChildCursor<T>(iterate(db.prepare<[number, number], T>(sql).iterate(params.lo, params.hi)));
      const eventsCursor = child<IncidentEventRow>(EXPORT_SQL.events);
      const evidenceCursor = child<EvidenceRow>(EXPORT_SQL.evidence);
      const linksCursor = child<LinkRow>(EXPORT_SQL.links);
      const adjustmentsCursor = child<AdjustmentRow>(EXPORT_SQL.adjustments);
      const chargeStmt = db.prepare<[number], ChargeRow>(EXPORT_SQL.charge);
      let n = 0;
      let pages = 0;
      for (const row of iterate(db.prepare<[typeof params], IncidentExportRow>(EXPORT_SQL.incidents).iterate(params))) {
        const children = {
          events: eventsCursor.take(row.id),
          evidence: evidenceCursor.take(row.id),
          links: linksCursor.take(row.id),
          adjustments: adjustmentsCursor.take(row.id),
        };
        n += children.events.length;
        pdf.incident(buildExportIncident(row, children, (id) => chargeStmt.get(id)));
        // pdfkit hands its output over on a later tick: every few pages, let it, and send it to the disk.
        if (++pages % 8 === 0) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          await file.flush();
        }
        const wait = step(file);
        if (wait) await wait;
      }
      doc.end();
      await ended;
      eventCount ??= n;
    }
    if (cancelled()) throw new ExportError('export.cancelled', 'the export was cancelled');
    opts.onProgress?.({ phase: 'finishing', done: grandTotal, total: grandTotal });
    const done = total;
    const written: Manifest['files'] = [];
    for (const f of files) written.push({ name: path.basename(f.path), ...(await f.finish()) });
    written.sort((a, b) => a.name.localeCompare(b.name));
    db.exec('COMMIT');

    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      generator: opts.generator,
      generatedAt: generatedAt.toISOString(),
      parameters,
      ledger: { schemaVersion, auditHead },
      counts: { incidents: done, events: eventCount ?? 0 },
      files: written,
    };
    const manifestFile = await HashedFile.create(path.join(opts.dir, MANIFEST_NAME));
    files.push(manifestFile);
    manifestFile.append(`${JSON.stringify(manifest, null, 2)}\n`);
    await manifestFile.finish();
    opts.onProgress?.({ phase: 'finishing', done, total });
    return { dir: opts.dir, files: written, incidents: done, events: eventCount ?? 0, manifest };
  } catch (error) {
    await Promise.all(files.map((f) => f.discard()));
    if (error instanceof ExportError || error instanceof LedgerError) throw error;
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOSPC') throw new ExportError('export.disk_full', `the disk is full: the export was not completed (${opts.dir})`, { path: opts.dir });
    if (e.code === 'EACCES' || e.code === 'EPERM') throw new ExportError('export.folder_not_writable', `Countersign may not write into ${opts.dir}`, { path: opts.dir });
    throw new ExportError('export.failed', `the export failed: ${e.message}`, { detail: e.message });
  } finally {
    for (const cursor of cursors) cursor.return?.();
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
}

function summaryOf(
  db: Database.Database,
  fromIso: string,
  toIso: string,
  base: Omit<PdfSummary, 'byKind' | 'byStatus' | 'money'>,
): PdfSummary {
  const group = (column: 'kind' | 'status') =>
    Object.fromEntries(
      (db.prepare(`SELECT ${column} AS k, count(*) AS n FROM incidents WHERE created_at >= ? AND created_at < ? GROUP BY ${column} ORDER BY ${column}`).all(fromIso, toIso) as {
        k: string;
        n: number;
      }[]).map((r) => [r.k, r.n]),
    );
  const money = db
    .prepare(
      `SELECT currency, coalesce(sum(charged_minor), 0) AS charged, sum(owed_minor) AS owed, sum(returned_minor) AS returned, sum(suspense_minor) AS suspense,
         sum(CASE WHEN status <> 'closed' AND owed_minor > returned_minor + suspense_minor THEN owed_minor - returned_minor - suspense_minor ELSE 0 END) AS outstanding
       FROM incidents WHERE created_at >= ? AND created_at < ? GROUP BY currency ORDER BY currency`,
    )
    .all(fromIso, toIso) as { currency: string | null; charged: number; owed: number; returned: number; suspense: number; outstanding: number }[];
  return {
    ...base,
    byKind: group('kind'),
    byStatus: group('status'),
    money: money.map((m) => ({
      currency: m.currency,
      chargedMinor: m.charged,
      owedMinor: m.owed,
      returnedMinor: m.returned,
      suspenseMinor: m.suspense,
      outstandingMinor: m.outstanding,
    })),
  };
}
