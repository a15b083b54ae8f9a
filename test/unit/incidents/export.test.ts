/**
 * The offline export read back with real parsers: CSV with csv-parse, JSON against the committed
 * JSON Schema with ajv, the PDF's text with pdftotext (poppler-utils) in English and Chinese, a
 * PDF page rendered to PNG (kept under test-results/incidents/), and manifest.json / verify-export.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExportError, exportIncidents, prepareExportDir, toCsv, type ExportOptions } from '../../../electron/export/exportIncidents.js';
import { verifyExport } from '../../../electron/export/manifest.js';
import { runExport, runVerifyExport } from '../../../electron/host/commands/exportIncidents.js';
import { addIncidentNote, applyIncidentStep, createIncident, logContactAttempt, setIncidentContact } from '../../../electron/ledger/incidentCases.js';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { MIGRATIONS } from '../../../electron/ledger/migrations.js';
import { localDateOf } from '../../../electron/domain/localDate.js';
import { tempDir, tempLedgerFile, testClock } from '../ledger/helpers.js';
import { CASHIER, MANAGER, TO_APPROVED, flagged, walk } from './helpers.js';
import { UNIONPAY_UNMASKED } from '../../support/testPan.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SCHEMA = JSON.parse(readFileSync(path.resolve(here, '../../../electron/contract/export-schema.v1.json'), 'utf8')) as object;
const ARTIFACTS = path.resolve(here, '../../../test-results/incidents');
const INJECTIONS = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)'];

let ledger: Ledger;
let dbFile: string;
let day: string;
let ids: { closed: number; held: number; duplicate: number; transfer: number };

beforeAll(async () => {
  dbFile = tempLedgerFile('file');
  ledger = await openLedger(dbFile, { clock: testClock('2026-11-23T06:00:00.000Z', 60_000) });
  // 1: a 10× slip walked to closed, with a Chinese note and contact attempts.
  const a = flagged(ledger, 128000, 12800).incident;
  walk(ledger, a.id, TO_APPROVED);
  logContactAttempt(ledger, a.id, { channel: 'phone', outcome: 'reached', note: '客户同意退款' }, CASHIER);
  walk(ledger, a.id, [
    { action: 'execute', method: 'transfer', amountMinor: 115200, reference: 'WX-8812' },
    { action: 'notify_customer', channel: 'phone', note: '已电话通知' },
    { action: 'close', rootCause: '收银员多输了一个零', prevention: 'training', preventionNote: '开启盲输复核' },
  ]);
  // 2: customer unreachable, held in suspense.
  const b = flagged(ledger, 20000, 15000).incident;
  walk(ledger, b.id, TO_APPROVED.slice(0, 2));
  logContactAttempt(ledger, b.id, { channel: 'phone', outcome: 'no_answer' }, CASHIER);
  applyIncidentStep(ledger, b.id, { action: 'mark_unreachable', note: 'no answer twice' }, MANAGER);
  // 3: a duplicate with notes that try formula injection.
  const c = flagged(ledger, 5600, 0, {}, 'duplicate').incident;
  for (const note of INJECTIONS) addIncidentNote(ledger, c.id, note, CASHIER);
  setIncidentContact(ledger, c.id, { channel: 'phone', value: '13912345678' }, CASHIER);
  // 4: a manual transfer error.
  const d = createIncident(ledger, { kind: 'transfer_error', cause: 'network', owedMinor: 2500, currency: '156', note: '微信重复支付 "twice", paid' }, MANAGER);
  ids = { closed: a.id, held: b.id, duplicate: c.id, transfer: d.id };
  day = localDateOf(new Date('2026-11-23T06:00:00.000Z'));
  mkdirSync(ARTIFACTS, { recursive: true });
});
afterAll(() => ledger.close());

function options(dir: string, over: Partial<ExportOptions> = {}): ExportOptions {
  return { dbFile, from: day, to: day, formats: ['csv', 'json', 'pdf'], dir, locale: 'en', generator: 'Countersign test', ...over };
}

async function exportInto(over: Partial<ExportOptions> = {}) {
  const dir = path.join(tempDir(), 'export');
  await prepareExportDir(dir);
  return { dir, result: await exportIncidents(options(dir, over)) };
}

function hasPoppler(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the export, read back', () => {
  it('writes every format and a manifest whose hashes verify; the audit head is the ledger\'s', async () => {
    const { dir, result } = await exportInto();
    expect(readdirSync(dir).sort()).toEqual(['incident-events.csv', 'incidents.csv', 'incidents.json', 'incidents.pdf', 'manifest.json']);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 'countersign-incident-export',
      version: 1,
      parameters: { from: day, to: day, formats: ['csv', 'json', 'pdf'], locale: 'en' },
      ledger: { schemaVersion: MIGRATIONS.length, auditHead: ledger.auditHead() },
      counts: { incidents: 4 },
    });
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['incident-events.csv', 'incidents.csv', 'incidents.json', 'incidents.pdf']);
    expect(result.incidents).toBe(4);
    expect(await verifyExport(dir)).toMatchObject({ ok: true, files: 4 });
  });

  it('CSV: RFC 4180 with a UTF-8 BOM, one row per incident and one per timeline entry, Chinese intact, formulas neutralised', async () => {
    const { dir, result } = await exportInto({ formats: ['csv'] });
    const raw = readFileSync(path.join(dir, 'incidents.csv'));
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(raw.toString('utf8')).toContain('\r\n');
    const rows = parse(raw, { bom: true, columns: true, relax_quotes: false }) as Record<string, string>[];
    expect(rows.map((r) => Number(r.incident_id))).toEqual([ids.closed, ids.held, ids.duplicate, ids.transfer]);
    const closed = rows[0]!;
    expect(closed).toMatchObject({
      kind: 'over_charge',
      status: 'closed',
      currency_code: 'CNY',
      charged_minor: '128000',
      intended_minor: '12800',
      difference_minor: '115200',
      owed_minor: '115200',
      returned_minor: '115200',
      outstanding_minor: '0',
      pan_masked: '622848******1234',
      root_cause: '收银员多输了一个零',
      prevention: 'training',
      contact_masked: '王** · 138****5678',
    });
    expect(rows[1]).toMatchObject({ status: 'held_in_suspense', suspense_minor: '5000' });
    expect(rows[3]!.note).toBe('微信重复支付 "twice", paid');
    // A negative number is data, not a formula: it stays a number.
    const held = rows.find((r) => r.kind === 'wrong_amount');
    expect(held === undefined || /^-?\d+$/.test(held.difference_minor!)).toBe(true);

    const events = parse(readFileSync(path.join(dir, 'incident-events.csv')), { bom: true, columns: true }) as Record<string, string>[];
    expect(events).toHaveLength(result.events);
    const notes = events.filter((e) => Number(e.incident_id) === ids.duplicate && e.action === 'note').map((e) => e.note);
    expect(notes).toEqual(INJECTIONS.map((n) => `'${n}`));
    for (const cell of events.flatMap((e) => Object.values(e))) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(JSON.parse(events.find((e) => e.action === 'execute')!.data!)).toEqual({ method: 'transfer', reference: 'WX-8812' });
    // No raw phone number leaves in an export.
    expect(raw.toString('utf8') + readFileSync(path.join(dir, 'incident-events.csv'), 'utf8')).not.toMatch(/13812345678|13912345678/);
  });

  it('JSON: valid against the committed schema (ajv), every incident with its full timeline', async () => {
    const { dir } = await exportInto({ formats: ['json'] });
    const doc = JSON.parse(readFileSync(path.join(dir, 'incidents.json'), 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const validate = ajv.compile(SCHEMA);
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(doc.count).toBe(4);
    const closed = doc.incidents.find((i: { id: number }) => i.id === ids.closed);
    expect(closed.timeline.map((e: { action: string }) => e.action)).toEqual([
      'opened',
      'start_verification',
      'contact_customer',
      'propose_resolution',
      'submit_for_review',
      'approve',
      'contact_attempt',
      'execute',
      'notify_customer',
      'close',
    ]);
    expect(closed.transactions[0]).toMatchObject({ role: 'original', rrn: expect.stringMatching(/^\d{12}$/), panMasked: '622848******1234' });
    // The schema really checks: a float amount or an unmasked card is refused.
    const broken = structuredClone(doc);
    broken.incidents[0].amounts.owedMinor = 1.5;
    expect(validate(broken)).toBe(false);
    const unmasked = structuredClone(doc);
    unmasked.incidents[0].transactions[0].panMasked = `${UNIONPAY_UNMASKED}x`;
    expect(validate(unmasked)).toBe(false);
  });

  it.skipIf(!hasPoppler())('PDF: the dispute facts in English and in Chinese (pdftotext); page 2 kept as a PNG', async () => {
    const en = await exportInto({ formats: ['pdf'], locale: 'en' });
    const zh = await exportInto({ formats: ['pdf'], locale: 'zh-CN' });
    const text = (dir: string) => execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', path.join(dir, 'incidents.pdf'), '-'], { encoding: 'utf8' });
    const enText = text(en.dir);
    for (const s of [
      'Incident log — dispute file',
      `Incident #${ids.closed} · Over-charge`,
      'Visa 12.5 Incorrect Amount',
      'Mastercard 4834',
      'Transaction (receipt data)',
      'RRN',
      'Auth code',
      '622848******1234',
      'CNY 1,280.00',
      'CNY 128.00',
      'CNY 1,152.00',
      'Proof of credit',
      'WX-8812',
      'Recovery trail',
      'reached',
      'Who did what',
      MANAGER,
      'Held in suspense',
      'Visa 12.6.1 Duplicate Processing',
      '收银员多输了一个零',
    ]) {
      expect(enText, s).toContain(s);
    }
    const zhText = text(zh.dir);
    for (const s of ['事件记录 — 争议材料', `事件 #${ids.closed} · 多扣款`, '交易（签购单数据）', '参考号', '授权码', '退款凭证', '追回记录', '操作记录', '挂账待退', 'CNY 1,152.00', '已电话通知']) {
      expect(zhText, s).toContain(s);
    }
    // One page per incident after the summary (none of them is long).
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path.join(en.dir, 'incidents.pdf')], { encoding: 'utf8' }))![1]);
    expect(pages).toBe(5);
    copyFileSync(path.join(zh.dir, 'incidents.pdf'), path.join(ARTIFACTS, 'incidents-zh-CN.pdf'));
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '2', '-l', '2', '-singlefile', path.join(zh.dir, 'incidents.pdf'), path.join(ARTIFACTS, 'incident-page-zh-CN')]);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '2', '-l', '2', '-singlefile', path.join(en.dir, 'incidents.pdf'), path.join(ARTIFACTS, 'incident-page-en')]);
    const png = readFileSync(path.join(ARTIFACTS, 'incident-page-zh-CN.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
  });
});

describe('the CSV writer', () => {
  it('neutralises every formula start (= + - @ TAB CR) in text, keeps numbers numbers, and quotes line breaks (RFC 4180)', () => {
    const cells = ['=1+1', '+1', '-1', '@A1', '\tx', '\rx', 'ok', '中文, "引号"', 'two\nlines', 'lone\rcr'];
    const text = toCsv([[...cells, -1500, 0, null]]);
    expect(text.endsWith('\r\n')).toBe(true);
    const [row] = parse(text, { relax_column_count: false }) as string[][];
    expect(row).toEqual(["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", 'ok', '中文, "引号"', 'two\nlines', 'lone\rcr', '-1500', '0', '']);
    expect(text).toContain('"lone\rcr"');
    expect(text).toContain('"\'\rx"');
  });
});

describe('verify-export', () => {
  it('changing one byte of any exported file makes it fail, naming that file; a missing or added file too', async () => {
    const { dir } = await exportInto();
    for (const name of ['incidents.csv', 'incident-events.csv', 'incidents.json', 'incidents.pdf']) {
      const copy = mkdtempSync(path.join(os.tmpdir(), 'cs-verify-'));
      for (const f of readdirSync(dir)) copyFileSync(path.join(dir, f), path.join(copy, f));
      const bytes = readFileSync(path.join(copy, name));
      const at = Math.floor(bytes.length / 2);
      bytes[at] = bytes[at]! ^ 0x01;
      writeFileSync(path.join(copy, name), bytes);
      expect(await verifyExport(copy)).toMatchObject({ ok: false, file: name, reason: expect.stringMatching(/^SHA-256 differs/) });
      rmSync(copy, { recursive: true, force: true });
    }
    writeFileSync(path.join(dir, 'zz-extra.txt'), 'x');
    expect(await verifyExport(dir)).toMatchObject({ ok: false, file: 'zz-extra.txt' });
    rmSync(path.join(dir, 'zz-extra.txt'));
    rmSync(path.join(dir, 'incidents.json'));
    expect(await verifyExport(dir)).toEqual({ ok: false, file: 'incidents.json', reason: 'missing' });
    rmSync(path.join(dir, 'manifest.json'));
    expect(await verifyExport(dir)).toEqual({ ok: false, file: 'manifest.json', reason: 'missing' });
  });

  it('the CLI: export exits 0 and prints the hashes; verify-export exits 0, then 1 naming the changed file', async () => {
    const out = path.join(tempDir(), 'cli-export');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runExport(['--db', dbFile, '--from', day, '--to', day, '--format', 'all', '--out', out, '--locale', 'zh-CN'])).toBe(0);
      expect(await runVerifyExport([out])).toBe(0);
      const printed = stdout.mock.calls.map((c) => String(c[0])).join('');
      expect(printed).toMatch(/exported 4 incidents/);
      expect(printed).toMatch(/export intact: 4 files match manifest\.json/);
      const csv = readFileSync(path.join(out, 'incidents.csv'));
      csv[csv.length - 3] = 0x21;
      writeFileSync(path.join(out, 'incidents.csv'), csv);
      stdout.mockClear();
      expect(await runVerifyExport([out])).toBe(1);
      expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toMatch(/export NOT intact: incidents\.csv: SHA-256 differs/);
      // A folder that is not empty is refused (an export never mixes with other files).
      expect(await runExport(['--db', dbFile, '--from', day, '--to', day, '--format', 'csv', '--out', out])).toBe(1);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/is not empty: export into a new or empty folder/);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe('refusals and cancel', () => {
  it('bad dates, an old ledger, and a cancelled export (which leaves nothing behind)', async () => {
    const dir = path.join(tempDir(), 'x');
    await prepareExportDir(dir);
    await expect(exportIncidents(options(dir, { from: '2026-02-30' }))).rejects.toMatchObject({ code: 'export.invalid_dates' });
    await expect(exportIncidents(options(dir, { from: '2026-12-01', to: '2026-11-01' }))).rejects.toMatchObject({ code: 'export.invalid_dates' });
    const oldFile = tempLedgerFile();
    (await openLedger(oldFile, { migrations: MIGRATIONS.slice(0, 6) })).close();
    await expect(exportIncidents(options(dir, { dbFile: oldFile }))).rejects.toMatchObject({ code: 'export.ledger_too_old' });

    const abort = new AbortController();
    const err = await exportIncidents(
      options(dir, {
        signal: abort.signal,
        progressEvery: 1,
        onProgress: (p) => {
          if (p.phase === 'writing' && p.done >= 2) abort.abort();
        },
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportError);
    expect((err as ExportError).code).toBe('export.cancelled');
    expect(readdirSync(dir)).toEqual([]);
    await expect(prepareExportDir(path.join(dir, 'a', 'b'))).rejects.toMatchObject({ code: 'export.folder_missing' });
    expect(existsSync(path.join(dir, 'a'))).toBe(false);
  });
});
