import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { PrintJob } from '../../../electron/contract/commands/printing.js';
import { PrintService } from '../../../electron/core/printService.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { MIGRATIONS } from '../../../electron/ledger/migrations.js';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { PrintJobStore } from '../../../electron/ledger/printJobs.js';
import { SETUP_KEYS, SetupStore } from '../../../electron/ledger/setupStore.js';
import { PrintError } from '../../../electron/printing/errors.js';
import type { SystemPrintAdapter } from '../../../electron/printing/system.js';
import { ledgerErrorOf, newCharge, tempDir, tempLedgerFile, testClock } from '../ledger/helpers.js';
import { parseEscpos } from './escposParser.js';
import { closedPort, startFakePrinter, type FakePrinter } from './fakePrinter.js';
import { extractPdfTextRuns } from './pdfText.js';
import { REFUND_BODY, VOID_BODY, receipt } from './fixtures.js';

const opened: Ledger[] = [];
const printers: FakePrinter[] = [];
afterEach(async () => {
  for (const l of opened.splice(0)) l.close();
  for (const p of printers.splice(0)) await p.close();
});

async function ledger(): Promise<Ledger> {
  const l = await openLedger(tempLedgerFile(), { clock: testClock() });
  opened.push(l);
  return l;
}

async function service(opts: { system?: SystemPrintAdapter } = {}) {
  const l = await ledger();
  const events: PrintJob[] = [];
  const dataDir = tempDir();
  const svc = new PrintService({
    ledger: l,
    log: silentLogger,
    clock: () => new Date('2025-11-26T06:03:05Z'),
    dataDir,
    systemPrinter: opts.system ?? null,
    onJobChanged: (job) => events.push(job),
    timeouts: { tcp: { connectMs: 1500, writeMs: 3000, statusMs: 200 } },
  });
  return { ledger: l, svc, events, dataDir };
}

async function fake(opts?: Parameters<typeof startFakePrinter>[0]) {
  const p = await startFakePrinter(opts);
  printers.push(p);
  return p;
}

const MANAGER = 'manager:Wang';

function hostRequests(l: Ledger): number {
  return l.query((db) => db.prepare('SELECT count(*) FROM host_requests').pluck().get() as number);
}

describe('print jobs in the ledger (schema v4)', () => {
  it('the migration creates print_jobs after v3, and a job goes queued → failed → printed with one audit row each', async () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(MIGRATIONS[3]).toMatchObject({ version: 4, name: 'print jobs' });
    const l = await ledger();
    expect(l.diagnostics().schemaVersion).toBeGreaterThanOrEqual(4);
    const store = new PrintJobStore(l);
    const before = l.auditHead()!.seq;

    const job = store.enqueue({ receipt: receipt(VOID_BODY, 'customer'), locale: 'zh-CN', printerId: 'printer-1' }, MANAGER);
    expect(job).toMatchObject({ kind: 'VOID', copy: 'customer', state: 'queued', attempts: 0, trace: '000318', amountMinor: 128_000, currency: '156', chargeId: null });
    const failed = store.markFailed(job.id, MANAGER, { printerId: 'printer-1', error: { code: 'print.refused', message: 'refused', params: { port: '9100' } } });
    expect(failed).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'print.refused' } });
    const printed = store.markPrinted(job.id, MANAGER, { printerId: 'pdf', output: '/tmp/x.pdf' });
    expect(printed).toMatchObject({ state: 'printed', attempts: 2, printerId: 'pdf', output: '/tmp/x.pdf' });
    expect(printed.printedAt).not.toBeNull();

    const rows = l.auditRows(before + 1, 10);
    expect(rows.map((r) => [r.action, r.actor, r.entity, r.entityId])).toEqual([
      ['print.queued', MANAGER, 'print_job', String(job.id)],
      ['print.failed', MANAGER, 'print_job', String(job.id)],
      ['print.done', MANAGER, 'print_job', String(job.id)],
    ]);
    expect(rows[2]!.data).toMatchObject({ printerId: 'pdf', fromPrinterId: 'printer-1', attempts: 2 });
    expect(l.verifyAudit().ok).toBe(true);

    expect(ledgerErrorOf(() => store.markPrinted(job.id, MANAGER, { printerId: 'pdf', output: null })).code).toBe('print.already_printed');
    expect(ledgerErrorOf(() => store.markFailed(999, MANAGER, { printerId: 'pdf', error: { code: 'x.y', message: '', params: {} } })).code).toBe('print.job_not_found');
    expect(ledgerErrorOf(() => store.enqueue({ receipt: receipt(VOID_BODY, 'customer'), locale: 'zh-CN', printerId: 'p' }, '')).code).toBe('actor.invalid');

    // The stored receipt is the receipt (masked card only), read back whole.
    expect(store.get(job.id)!.receipt).toEqual(receipt(VOID_BODY, 'customer'));
    expect(store.list({ states: ['queued', 'failed'] })).toEqual([]);
    expect(store.list()).toHaveLength(1);
  });

  it('a database at v3 migrates to v4 with its data', async () => {
    const file = tempLedgerFile();
    const v3 = await openLedger(file, { clock: testClock(), migrations: MIGRATIONS.slice(0, 3) });
    v3.recordCharge(newCharge(), 'terminal:10293847');
    v3.close();
    const l = await openLedger(file, { clock: testClock('2026-12-01T00:00:00.000Z') });
    opened.push(l);
    expect(l.diagnostics().schemaVersion).toBe(MIGRATIONS.length);
    expect(l.history({})).toHaveLength(1);
    expect(l.auditRows(1, 100).find((r) => r.action === 'ledger.migrated' && (r.data as { to: number }).to === 4)).toBeTruthy();
    expect(l.verifyAudit().ok).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = 'print_jobs'").pluck().get()).toBe('print_jobs');
    db.close();
  });

  it('the table itself refuses a printed job without a time and a failed job without an error', async () => {
    const l = await ledger();
    const db = new Database(l.file);
    const insert = (state: string, printedAt: string | null, lastError: string | null) => () =>
      db
        .prepare(
          "INSERT INTO print_jobs (receipt, kind, copy, locale, printer_id, state, created_at, printed_at, last_error, actor) VALUES ('{}', 'VOID', 'customer', 'en', 'p', ?, 'now', ?, ?, 'x')",
        )
        .run(state, printedAt, lastError);
    expect(insert('printed', null, null)).toThrow(/CHECK/);
    expect(insert('failed', null, null)).toThrow(/CHECK/);
    expect(insert('queued', null, null)).not.toThrow();
    db.close();
  });
});

describe('PrintService', () => {
  it('prints a VOID receipt, customer and merchant copy, to a network printer: both jobs printed and audited', async () => {
    const { svc, ledger: l, events } = await service();
    const printer = await fake();
    await svc.savePrinter({ kind: 'escpos-tcp', name: '前台', host: '127.0.0.1', port: printer.port, paper: 58, cjk: 'native', drawerKick: true }, true, MANAGER);

    const outcomes = await svc.printReceipt(VOID_BODY, ['customer', 'merchant'], MANAGER);
    expect(outcomes.map((o) => [o.copy, o.state, o.printerId, o.error])).toEqual([
      ['customer', 'printed', 'printer-1', null],
      ['merchant', 'printed', 'printer-1', null],
    ]);
    const jobs = await printer.waitForJobs(2);
    const [customer, merchant] = jobs.map((j) => parseEscpos(j));
    expect(customer!.lines.map((l) => l.text)).toContain('      顾客联 CUSTOMER COPY');
    expect(merchant!.lines.map((l) => l.text)).toContain('      商户联 MERCHANT COPY');
    // The drawer opens with the customer's copy only.
    expect([customer!.pulses, merchant!.pulses]).toEqual([1, 0]);
    expect(svc.listJobs().map((j) => j.state)).toEqual(['printed', 'printed']);
    expect(events.map((e) => e.state)).toEqual(['queued', 'printed', 'queued', 'printed']);
    const actions = l.auditRows(1, 100).map((r) => r.action).filter((a) => a.startsWith('print.'));
    expect(actions).toEqual(['print.queued', 'print.done', 'print.queued', 'print.done']);
  });

  it('an offline printer (closed port): clear error, nothing thrown, the jobs stay queued; a retry after it is back prints them, and nothing else happens', async () => {
    const { svc, ledger: l } = await service();
    const port = await closedPort();
    await svc.savePrinter({ kind: 'escpos-tcp', name: 'Counter', host: '127.0.0.1', port, paper: 80, cjk: 'native', drawerKick: false }, true, MANAGER);
    const requestsBefore = hostRequests(l);
    const chargesBefore = l.history({});

    const outcomes = await svc.printReceipt(REFUND_BODY, ['customer', 'merchant'], MANAGER);
    expect(outcomes.every((o) => o.state === 'failed' && o.error?.code === 'print.refused')).toBe(true);
    expect(outcomes[0]!.error!.message).toContain(`127.0.0.1:${port} refused the connection`);
    const queued = svc.listJobs({ states: ['queued', 'failed'] });
    expect(queued).toHaveLength(2);
    expect(queued.every((j) => j.state === 'failed' && j.attempts === 1 && j.lastError?.code === 'print.refused')).toBe(true);

    const printer = await fake({ port });
    for (const job of queued.reverse()) {
      const outcome = await svc.retry(job.id, 'cashier');
      expect(outcome).toMatchObject({ jobId: job.id, state: 'printed', error: null });
    }
    const received = await printer.waitForJobs(2);
    expect(parseEscpos(received[1]!).lines.map((x) => x.text).join('\n')).toContain('持卡人签名(CARDHOLDER SIGNATURE):');
    expect(svc.listJobs({ states: ['queued', 'failed'] })).toEqual([]);
    expect(svc.listJobs().map((j) => j.attempts)).toEqual([2, 2]);
    await expect(svc.retry(queued[0]!.id, 'cashier')).rejects.toMatchObject({ code: 'print.already_printed' });

    // Printing again never voids or refunds again: no host request, no charge changed.
    expect(hostRequests(l)).toBe(requestsBefore);
    expect(l.history({})).toEqual(chargesBefore);
  });

  it('a printer out of paper: print.paper_out, queued; the retry can go to another printer (PDF)', async () => {
    const { svc, dataDir } = await service();
    const printer = await fake({ status: { paperOut: true } });
    await svc.savePrinter({ kind: 'escpos-tcp', name: 'Counter', host: '127.0.0.1', port: printer.port, paper: 58, cjk: 'native', drawerKick: false }, true, MANAGER);
    const [outcome] = await svc.printReceipt(VOID_BODY, ['merchant'], MANAGER);
    expect(outcome).toMatchObject({ state: 'failed', error: { code: 'print.paper_out' } });
    expect(printer.jobs).toEqual([]);

    const retried = await svc.retry(outcome!.jobId!, MANAGER, 'pdf');
    expect(retried).toMatchObject({ state: 'printed', printerId: 'pdf' });
    expect(path.dirname(retried.output!)).toBe(path.join(dataDir, 'receipts'));
    expect(path.basename(retried.output!)).toBe(`receipt-20251126140305-void-000318-merchant-job${outcome!.jobId}.pdf`);
    expect(extractPdfTextRuns(readFileSync(retried.output!))).toContain('商户联');
  });

  it('without any configuration receipts go to the built-in PDF printer', async () => {
    const { svc, dataDir } = await service();
    const state = await svc.state();
    expect(state.printers.map((p) => [p.config.id, p.builtIn, p.isDefault])).toEqual([['pdf', true, true]]);
    expect(state.printers[0]!.folder).toBe(path.join(dataDir, 'receipts'));
    const outcomes = await svc.printReceipt(VOID_BODY, ['customer', 'merchant'], MANAGER);
    expect(outcomes.map((o) => o.state)).toEqual(['printed', 'printed']);
    expect(readdirSync(path.join(dataDir, 'receipts'))).toHaveLength(2);
  });

  it('reprints a SALE from the ledger, marked REPRINT, and it is a print job only', async () => {
    const { svc, ledger: l } = await service();
    const { charge } = l.recordCharge(newCharge({ amountMinor: 12_800, merchantName: '好运来便利店' }), 'terminal:10293847');
    const outcome = await svc.reprintSale(charge.id, 'customer', 'cashier');
    expect(outcome.state).toBe('printed');
    const runs = extractPdfTextRuns(readFileSync(outcome.output!));
    for (const s of ['重打印', 'REPRINT', '消费', 'SALE', 'CNY', '128.00', charge.trace, '好运来便利店']) expect(runs, s).toContain(s);
    expect(svc.listJobs()[0]).toMatchObject({ kind: 'SALE', reprint: true, chargeId: charge.id, actor: 'cashier' });
    expect(l.getCharge(charge.id)).toEqual(charge);
    await expect(svc.reprintSale(9999, 'customer', 'cashier')).rejects.toMatchObject({ code: 'charge.not_found' });
  });

  it('the merchant name from settings fills in when the terminal sends none', async () => {
    const { svc } = await service();
    await svc.configure({ merchantName: 'Good Luck Mart', receiptLocale: 'en' }, MANAGER);
    const [outcome] = await svc.printReceipt({ ...VOID_BODY, merchantName: '' }, ['customer'], MANAGER);
    const runs = extractPdfTextRuns(readFileSync(outcome!.output!));
    expect(runs).toContain('Good');
    expect(runs).toContain('MERCHANT');
    expect(runs).not.toContain('商户联');
  });

  it("the shop's address, phone and tax id from the setup head every receipt and the test page; the terminal's merchant name still wins", async () => {
    const { svc, ledger: l } = await service();
    await svc.configure({ merchantName: 'Good Luck Mart', receiptLocale: 'en' }, MANAGER);
    // As the setup saves it (SetupService.saveShop): the name in the printing settings, the rest in the shop profile.
    new SetupStore(l).write(
      'setup.shop_saved',
      { [SETUP_KEYS.shop]: { address: '88 Queen St, Central', phone: '+852 2555 0100', taxId: 'HK-12345678', currency: '344', locale: 'en' } },
      MANAGER,
    );
    const text = (file: string) => extractPdfTextRuns(readFileSync(file)).join(' ');

    const [plain] = await svc.printReceipt({ ...VOID_BODY, merchantName: '' }, ['customer'], MANAGER);
    const t = text(plain!.output!);
    for (const s of ['Good Luck Mart', 'ADDRESS:', '88 Queen St, Central', 'TEL:', '+852 2555 0100', 'TAX ID:', 'HK-12345678']) expect(t, s).toContain(s);
    // Kept with the job: a retry prints the header it was queued with.
    expect(svc.jobs.get(plain!.jobId!)!.receipt).toMatchObject({ merchantName: 'Good Luck Mart', merchantAddress: '88 Queen St, Central', merchantPhone: '+852 2555 0100' });

    // A charge whose terminal sent its merchant name (MN): its void says that name, with the shop's address.
    const { charge } = l.recordCharge(newCharge({ amountMinor: 12_800, merchantName: 'GLM Kowloon' }), 'terminal:10293847');
    const [voided] = await svc.printReceipt({ ...VOID_BODY, merchantName: '', chargeId: charge.id }, ['merchant'], MANAGER);
    expect(text(voided!.output!)).toContain('GLM Kowloon');
    expect(text(voided!.output!)).not.toContain('Good Luck Mart');
    expect(text(voided!.output!)).toContain('88 Queen St, Central');

    const tested = await svc.testPrinter('pdf');
    expect(tested.ok).toBe(true);
    const page = text(tested.output!);
    for (const s of ['PRINTER TEST', 'Good Luck Mart', '88 Queen St, Central', '+852 2555 0100', 'HK-12345678']) expect(page, s).toContain(s);
  });

  it('settings: validated printers, a PDF folder must exist, the PDF printer cannot go, removing the default falls back to PDF', async () => {
    const { svc, dataDir } = await service();
    await expect(svc.savePrinter({ kind: 'pdf', id: 'pdf', name: 'PDF', folder: path.join(dataDir, 'nope') }, false, MANAGER)).rejects.toMatchObject({
      code: 'print.pdf_folder_missing',
    });
    const folder = path.join(dataDir, 'out');
    mkdirSync(folder);
    let state = await svc.savePrinter({ kind: 'pdf', id: 'pdf', name: 'PDF', folder }, false, MANAGER);
    expect(state.printers[0]).toMatchObject({ builtIn: true, folder });
    state = await svc.savePrinter({ kind: 'escpos-device', name: 'USB', path: '/dev/usb/lp0', paper: 80, cjk: 'raster', drawerKick: false }, true, MANAGER);
    expect(state.defaultPrinterId).toBe('printer-1');
    await expect(svc.savePrinter({ kind: 'escpos-device', id: 'printer-9', name: 'x', path: '/dev/usb/lp1', paper: 58, cjk: 'native', drawerKick: false }, false, MANAGER)).rejects.toMatchObject({
      code: 'print.printer_not_found',
    });
    await expect(svc.savePrinter({ kind: 'system', id: 'pdf', name: 'x', deviceName: 'y' }, false, MANAGER)).rejects.toMatchObject({ code: 'print.printer_builtin' });
    await expect(svc.removePrinter('pdf', MANAGER)).rejects.toMatchObject({ code: 'print.printer_builtin' });
    state = await svc.removePrinter('printer-1', MANAGER);
    expect(state.defaultPrinterId).toBe('pdf');
    expect(state.printers.map((p) => p.config.id)).toEqual(['pdf']);
  });

  it('a system printer: only with the desktop shell\'s adapter; it gets the receipt as HTML', async () => {
    const noShell = await service();
    await noShell.svc.savePrinter({ kind: 'system', name: 'Office', deviceName: 'HP_LaserJet' }, true, MANAGER);
    const [outcome] = await noShell.svc.printReceipt(VOID_BODY, ['customer'], MANAGER);
    expect(outcome).toMatchObject({ state: 'failed', error: { code: 'print.system_unavailable' } });

    const printed: Array<{ html: string; deviceName: string }> = [];
    const shell = await service({
      system: {
        printHtml: async (html, o) => void printed.push({ html, deviceName: o.deviceName }),
        listPrinters: async () => ['HP_LaserJet'],
      },
    });
    await shell.svc.savePrinter({ kind: 'system', name: 'Office', deviceName: 'HP_LaserJet' }, true, MANAGER);
    const [ok] = await shell.svc.printReceipt(VOID_BODY, ['customer'], MANAGER);
    expect(ok!.state).toBe('printed');
    expect(printed[0]!.deviceName).toBe('HP_LaserJet');
    expect(printed[0]!.html).toContain('撤销 VOID');
  });

  it('an invalid receipt is the caller\'s bug: thrown, nothing queued', async () => {
    const { svc } = await service();
    await expect(svc.printReceipt({ ...VOID_BODY, manager: null }, ['customer'], MANAGER)).rejects.toBeInstanceOf(PrintError);
    expect(svc.listJobs()).toEqual([]);
  });

  it('a test print reports success, or the printer\'s problem in plain words', async () => {
    const { svc } = await service();
    const printer = await fake();
    await svc.savePrinter({ kind: 'escpos-tcp', name: '前台打印机', host: '127.0.0.1', port: printer.port, paper: 58, cjk: 'native', drawerKick: true }, false, MANAGER);
    expect(await svc.testPrinter('printer-1')).toEqual({ printerId: 'printer-1', ok: true, error: null, output: null, paperLow: false });
    const [page] = await printer.waitForJobs(1);
    const parsed = parseEscpos(page!);
    expect(parsed.lines.map((l) => l.text)).toContain('12345678901234567890123456789012');
    expect(parsed.pulses).toBe(0);
    printer.status = { paperLow: true };
    expect((await svc.testPrinter('printer-1')).paperLow).toBe(true);
    await printer.close();
    const failed = await svc.testPrinter('printer-1');
    expect(failed).toMatchObject({ ok: false, error: { code: 'print.refused' } });
    expect(svc.listJobs()).toEqual([]);
    await expect(svc.testPrinter('printer-7')).rejects.toMatchObject({ code: 'print.printer_not_found' });
  });
});
