/**
 * Printing through the API boundary: the commands as the screens call them, the manager rule for
 * printer settings, validated paths, clear errors, the pushed job events, and the PrintService the
 * void/refund flow will use.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type ApiEvent, type CountersignApi } from '../../../electron/contract/api.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { PRINT_ERROR_CODES } from '../../../electron/printing/errors.js';
import { mergedTranslations } from '../../../renderer/i18n/bundles.js';
import { PRINT_ERROR_REASONS } from '../../../renderer/components/printing/printText.js';
import { closedPort, startFakePrinter, type FakePrinter } from './fakePrinter.js';
import { parseEscpos } from './escposParser.js';
import { VOID_BODY } from './fixtures.js';

let running: RunningCore | null = null;
const printers: FakePrinter[] = [];
afterEach(async () => {
  await running?.close();
  running = null;
  for (const p of printers.splice(0)) await p.close();
});

async function boot() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-print-api-'));
  const core = await startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, durability: 'demo' });
  running = core;
  const events: ApiEvent[] = [];
  core.api.subscribe((e) => events.push(e));
  return { core, dataDir, events, till: createInProcessApi(core.api, 'till') };
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

async function signInOwner(api: CountersignApi) {
  await api.invoke('auth.setupOwner', { ownerName: 'Lin Wei', ownerPin: '482915', managerName: 'Zhang Min', managerPin: '735102' });
}

describe('printing commands', () => {
  it('anyone sees the printers (the PDF printer is always there); only a manager changes them', async () => {
    const { till, dataDir } = await boot();
    const state = await till.invoke('printers.list', {});
    expect(state.printers).toEqual([{ config: { kind: 'pdf', id: 'pdf', name: 'PDF', folder: null }, isDefault: true, builtIn: true, folder: path.join(dataDir, 'receipts') }]);
    expect(state.systemPrinting).toBe(false);
    const printer = { kind: 'escpos-tcp' as const, name: 'Counter', host: '127.0.0.1', port: 9100, paper: 80 as const, cjk: 'native' as const, drawerKick: false };
    expect((await apiErrorOf(till.invoke('printers.save', { printer }))).code).toBe('auth.required');
    expect((await apiErrorOf(till.invoke('printers.configure', { receiptLocale: 'en' }))).code).toBe('auth.required');

    await signInOwner(till);
    const saved = await till.invoke('printers.save', { printer, makeDefault: true });
    expect(saved.defaultPrinterId).toBe('printer-1');
    expect(saved.printers.map((p) => p.config)).toEqual([
      { kind: 'pdf', id: 'pdf', name: 'PDF', folder: null },
      { ...printer, id: 'printer-1' },
    ]);
    const again = await till.invoke('printers.list', {});
    expect(again.printers[1]!.isDefault).toBe(true);
  });

  it('refuses bad printer settings with specific errors: host with a scheme, relative or traversing paths, a missing PDF folder', async () => {
    const { till, dataDir } = await boot();
    await signInOwner(till);
    const tcp = { kind: 'escpos-tcp' as const, name: 'P', host: 'http://192.168.1.87', port: 9100, paper: 58 as const };
    expect(await apiErrorOf(till.invoke('printers.save', { printer: tcp }))).toMatchObject({ code: 'validation.failed', message: expect.stringContaining('printer.host') });
    expect((await apiErrorOf(till.invoke('printers.save', { printer: { ...tcp, host: '192.168.1.87', port: 70000 } }))).code).toBe('validation.failed');
    for (const bad of ['dev/usb/lp0', '/dev/usb/../../etc/passwd', '/dev/./usb/lp0', '/dev/usb/lp0\u0000']) {
      const error = await apiErrorOf(till.invoke('printers.save', { printer: { kind: 'escpos-device', name: 'USB', path: bad, paper: 58 } }));
      expect(error.code, bad).toBe('validation.failed');
      expect(error.message).toContain('printer.path');
    }
    const missing = await apiErrorOf(till.invoke('printers.save', { printer: { kind: 'pdf', id: 'pdf', name: 'PDF', folder: path.join(dataDir, 'not-there') } }));
    expect(missing).toMatchObject({ code: 'print.pdf_folder_missing', params: { path: path.join(dataDir, 'not-there') } });
    expect((await apiErrorOf(till.invoke('printers.remove', { printerId: 'pdf' }))).code).toBe('print.printer_builtin');
    expect((await apiErrorOf(till.invoke('printers.test', { printerId: 'nope' }))).code).toBe('print.printer_not_found');
  });

  it('a test print on a network printer: success, then the clear error when it is off; a PDF test page lands in the folder', async () => {
    const { till, dataDir } = await boot();
    await signInOwner(till);
    const fake = await startFakePrinter();
    printers.push(fake);
    await till.invoke('printers.save', { printer: { kind: 'escpos-tcp', name: 'Counter', host: '127.0.0.1', port: fake.port, paper: 58 } });
    expect(await till.invoke('printers.test', { printerId: 'printer-1' })).toMatchObject({ ok: true, error: null });
    expect(parseEscpos((await fake.waitForJobs(1))[0]!).lines.map((l) => l.text).join('\n')).toContain('打印测试 PRINTER TEST');

    const port = await closedPort();
    await till.invoke('printers.save', { printer: { kind: 'escpos-tcp', id: 'printer-1', name: 'Counter', host: '127.0.0.1', port, paper: 58 } });
    const failed = await till.invoke('printers.test', { printerId: 'printer-1' });
    expect(failed).toMatchObject({ ok: false, error: { code: 'print.refused', params: { printer: `127.0.0.1:${port}` } } });

    const pdf = await till.invoke('printers.test', { printerId: 'pdf' });
    expect(pdf.ok).toBe(true);
    expect(path.dirname(pdf.output!)).toBe(path.join(dataDir, 'receipts'));
  });

  it('the void/refund flow prints through core.printing; the queue, events, retry and a sale reprint go through the API', async () => {
    const { till, core, events, dataDir } = await boot();
    await signInOwner(till);
    const port = await closedPort();
    await till.invoke('printers.save', { printer: { kind: 'escpos-tcp', name: 'Counter', host: '127.0.0.1', port, paper: 80 }, makeDefault: true });

    const outcomes = await core.printing.printReceipt(VOID_BODY, ['customer', 'merchant'], 'manager:Zhang Min');
    expect(outcomes.map((o) => [o.state, o.error?.code])).toEqual([
      ['failed', 'print.refused'],
      ['failed', 'print.refused'],
    ]);
    const queue = await till.invoke('printJobs.list', { states: ['queued', 'failed'] });
    expect(queue.map((j) => [j.kind, j.copy, j.state])).toEqual([
      ['VOID', 'merchant', 'failed'],
      ['VOID', 'customer', 'failed'],
    ]);
    const jobEvents = events.filter((e) => e.name === 'printJob.changed');
    expect(jobEvents).toHaveLength(4);

    // The printer is back: retry from the queue.
    const fake = await startFakePrinter({ port });
    printers.push(fake);
    const retried = await till.invoke('printJobs.retry', { jobId: queue[1]!.id });
    expect(retried).toMatchObject({ state: 'printed', copy: 'customer', error: null });
    // Or onto the PDF printer instead.
    const toPdf = await till.invoke('printJobs.retry', { jobId: queue[0]!.id, printerId: 'pdf' });
    expect(toPdf).toMatchObject({ state: 'printed', printerId: 'pdf' });
    expect(readdirSync(path.join(dataDir, 'receipts'))).toHaveLength(1);
    expect((await apiErrorOf(till.invoke('printJobs.retry', { jobId: queue[0]!.id }))).code).toBe('print.already_printed');
    expect(await till.invoke('printJobs.list', { states: ['queued', 'failed'] })).toEqual([]);

    // A sale reprint.
    const { trace } = await till.invoke('sim.charge', { amountMinor: 12_800 });
    const charge = await (async () => {
      for (let i = 0; i < 200; i++) {
        const found = (await till.invoke('charges.queue', {})).find((c) => c.trace === trace);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('the simulated charge did not arrive');
    })();
    const reprint = await till.invoke('receipts.reprint', { chargeId: charge.id, copy: 'customer', printerId: 'pdf' });
    expect(reprint.state).toBe('printed');
    const jobs = await till.invoke('printJobs.list', {});
    expect(jobs[0]).toMatchObject({ kind: 'SALE', reprint: true, chargeId: charge.id, trace });
    expect((await apiErrorOf(till.invoke('receipts.reprint', { chargeId: 99999, copy: 'customer' }))).code).toBe('charge.not_found');

    const audit = await till.invoke('audit.verify', {});
    expect(audit.ok).toBe(true);
  });
});

describe('printing translations', () => {
  it('every print error the core raises has a sentence in both languages', () => {
    expect(PRINT_ERROR_CODES.map((c) => c.slice('print.'.length)).sort()).toEqual([...PRINT_ERROR_REASONS].sort());
    for (const locale of ['en', 'zh-CN'] as const) {
      const tree = mergedTranslations(locale) as { printing: { errors: Record<string, string> } };
      for (const reason of PRINT_ERROR_REASONS) expect(tree.printing.errors[reason], `${locale} ${reason}`).toBeTruthy();
    }
  });

  it('the Chinese screen says 打印机, 小票, 顾客联, 商户联, 重打印, 缺纸', () => {
    const zh = JSON.stringify(mergedTranslations('zh-CN'));
    for (const word of ['打印机', '小票', '顾客联', '商户联', '重打印', '缺纸']) expect(zh).toContain(word);
  });
});

