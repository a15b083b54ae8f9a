/**
 * The Printers screen rendered to HTML in node (first paint): printers, test results, the queue,
 * in English and Chinese; and its pure helpers (form → contract input, error sentences, job upsert).
 */
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import type { PrintJob, PrintersState } from '../../../electron/contract/commands/printing.js';
import type { AuthStatus } from '../../../electron/contract/commands/auth.js';
import { EMPTY_PRINTER_FORM, describePrintError, formFromPrinter, printerFromForm } from '../../../renderer/components/printing/printText.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { PrintersScreen } from '../../../renderer/screens/PrintersScreen.js';
import { createAppStore } from '../../../renderer/store/appStore.js';
import { createAuthStore } from '../../../renderer/store/auth.js';
import { AuthProvider } from '../../../renderer/store/authContext.js';
import { StoreProvider } from '../../../renderer/store/context.js';
import { JOBS_SHOWN, createPrintingStore, upsertJob, type PrintingState } from '../../../renderer/store/printing.js';
import { PrintingProvider } from '../../../renderer/store/printingContext.js';
import { fakeApi } from './fakeApi.js';

const state: PrintersState = {
  printers: [
    { config: { kind: 'pdf', id: 'pdf', name: 'PDF', folder: null }, isDefault: false, builtIn: true, folder: '/data/receipts' },
    {
      config: { kind: 'escpos-tcp', id: 'printer-1', name: '前台打印机', host: '192.168.1.87', port: 9100, paper: 58, cjk: 'native', drawerKick: true },
      isDefault: true,
      builtIn: false,
      folder: null,
    },
  ],
  defaultPrinterId: 'printer-1',
  receiptLocale: 'zh-CN',
  merchantName: '',
  cjkFont: null,
  systemPrinting: false,
};

const job = (over: Partial<PrintJob>): PrintJob => ({
  id: 1,
  kind: 'VOID',
  reprint: false,
  copy: 'customer',
  locale: 'zh-CN',
  printerId: 'printer-1',
  state: 'failed',
  attempts: 1,
  lastError: { code: 'print.paper_out', message: 'the printer 192.168.1.87:9100 is out of paper', params: { printer: '192.168.1.87:9100' } },
  chargeId: 4,
  trace: '000318',
  amountMinor: 128_000,
  currency: '156',
  output: null,
  createdAt: '2025-11-26T06:03:05.000Z',
  printedAt: null,
  actor: 'manager:Zhang Min',
  ...over,
});

const manager: AuthStatus = {
  needsSetup: false,
  session: { userId: 2, name: 'Zhang Min', role: 'manager', expiresAt: new Date(Date.now() + 60_000).toISOString() },
  users: [],
};

function paint(printing: Partial<PrintingState>, { locale = 'en' as 'en' | 'zh-CN', auth = manager as AuthStatus | null } = {}): string {
  const app = createAppStore({ api: fakeApi().api, locale });
  const authStore = createAuthStore({ api: null });
  authStore.setState({ status: auth });
  authStore.getInitialState = authStore.getState;
  const store = createPrintingStore({ api: null });
  store.setState({ printers: state, ...printing });
  store.getInitialState = store.getState;
  return renderToString(
    <I18nextProvider i18n={createI18n(locale)}>
      <StoreProvider store={app}>
        <AuthProvider store={authStore}>
          <PrintingProvider store={store}>
            <PrintersScreen />
          </PrintingProvider>
        </AuthProvider>
      </StoreProvider>
    </I18nextProvider>,
  );
}

const count = (html: string, id: string) => html.split(`data-testid="${id}"`).length - 1;

describe('Printers screen', () => {
  it('lists the printers with test buttons, the test results, the queue with retry (English)', () => {
    const html = paint({
      tests: {
        'printer-1': { printerId: 'printer-1', ok: false, error: { code: 'print.refused', message: 'x', params: { printer: '192.168.1.87:9100' } }, output: null, paperLow: false },
        pdf: { printerId: 'pdf', ok: true, error: null, output: '/data/receipts/printer-test.pdf', paperLow: false },
      },
      jobs: [job({ id: 2, state: 'printed', lastError: null, attempts: 2, printedAt: '2025-11-26T06:04:00.000Z' }), job({ id: 1 })],
    });
    expect(count(html, 'printer-row')).toBe(2);
    expect(count(html, 'printer-test')).toBe(2);
    expect(count(html, 'printer-test-result')).toBe(2);
    expect(html).toContain('Not printed: The printer 192.168.1.87:9100 refused the connection');
    expect(html).toContain('Test page saved as /data/receipts/printer-test.pdf');
    expect(html).toContain('192.168.1.87:9100');
    expect(html).toContain('Opens the cash drawer');
    expect(count(html, 'printer-add')).toBe(1);
    expect(count(html, 'printers-no-font')).toBe(1);
    expect(count(html, 'print-job-row')).toBe(2);
    // Only the job that did not print can be retried.
    expect(count(html, 'print-job-retry')).toBe(1);
    expect(html).toContain('The printer 192.168.1.87:9100 is out of paper: load a new roll, then print again.');
    expect(html).toContain('-¥1,280.00');
  });

  it('in Chinese: 打印机, 顾客联, 缺纸, 重新打印', () => {
    const html = paint({ jobs: [job({})] }, { locale: 'zh-CN' });
    for (const s of ['打印机与小票', '顾客联', '撤销', '缺纸', '重新打印', '未打印', '打印测试页', '网络小票打印机', '58 毫米纸']) expect(html, s).toContain(s);
  });

  it('without a manager: no add/change/remove, and a hint how to sign in', () => {
    const html = paint({}, { auth: { needsSetup: false, session: null, users: [] } });
    expect(count(html, 'printers-manager-hint')).toBe(1);
    expect(count(html, 'printer-add')).toBe(0);
    expect(count(html, 'printer-edit')).toBe(0);
    expect(count(html, 'printer-remove')).toBe(0);
    // A test print is not a setting: anyone may.
    expect(count(html, 'printer-test')).toBe(2);
  });
});

describe('printer form', () => {
  it('turns the typed form into the contract input, or names the wrong fields', () => {
    expect(printerFromForm({ ...EMPTY_PRINTER_FORM, name: 'Counter', host: ' 192.168.1.87 ', port: '9100', paper: '58' })).toEqual({
      ok: true,
      printer: { kind: 'escpos-tcp', name: 'Counter', host: '192.168.1.87', port: 9100, paper: 58, cjk: 'native', drawerKick: false },
    });
    expect(printerFromForm({ ...EMPTY_PRINTER_FORM, name: 'C', host: 'http://x', port: '9100' })).toEqual({ ok: false, fields: ['host'] });
    expect(printerFromForm({ ...EMPTY_PRINTER_FORM, name: 'C', host: 'printer.local', port: '99999' })).toEqual({ ok: false, fields: ['port'] });
    expect(printerFromForm({ ...EMPTY_PRINTER_FORM, name: 'C', host: 'printer.local', port: '9 100' })).toEqual({ ok: false, fields: ['port'] });
    expect(printerFromForm({ ...EMPTY_PRINTER_FORM, kind: 'escpos-device', name: 'USB', path: '/dev/usb/../lp0' })).toEqual({ ok: false, fields: ['path'] });
    expect(printerFromForm({ ...EMPTY_PRINTER_FORM, kind: 'pdf', id: 'pdf', name: 'PDF', folder: '' })).toEqual({
      ok: true,
      printer: { kind: 'pdf', id: 'pdf', name: 'PDF', folder: null },
    });
    expect(printerFromForm({ ...EMPTY_PRINTER_FORM, kind: 'pdf', name: 'PDF', folder: 'receipts' })).toEqual({ ok: false, fields: ['folder'] });
    const round = formFromPrinter(state.printers[1]!.config, true);
    expect(printerFromForm(round)).toEqual({ ok: true, printer: state.printers[1]!.config });
  });

  it('says print errors in the user\'s words, with the core\'s message as the fallback', () => {
    const t = createI18n('zh-CN').t;
    expect(describePrintError(t, { code: 'print.paper_out', message: 'x', params: { printer: '10.0.0.5:9100' } })).toBe('打印机 10.0.0.5:9100 缺纸：请装入新纸卷后重新打印。');
    expect(describePrintError(t, { code: 'print.something_new', message: 'the core says so', params: {} })).toBe('the core says so');
    expect(describePrintError(t, { code: 'auth.required', message: 'x', params: {} })).toMatch(/经理/);
  });
});

describe('print queue store', () => {
  it('puts a pushed job in its place, newest first, bounded', () => {
    const jobs = [job({ id: 3 }), job({ id: 1 })];
    expect(upsertJob(jobs, job({ id: 2 })).map((j) => j.id)).toEqual([3, 2, 1]);
    expect(upsertJob(jobs, job({ id: 1, state: 'printed' }))[1]!.state).toBe('printed');
    const many = Array.from({ length: JOBS_SHOWN }, (_, i) => job({ id: i + 1 })).reverse();
    expect(upsertJob(many, job({ id: 1000 }))).toHaveLength(JOBS_SHOWN);
  });

  it('applies printJob.changed events and records test results', async () => {
    const fake = fakeApi({
      'printers.test': () => ({ printerId: 'printer-1', ok: false, error: { code: 'print.refused', message: 'refused', params: {} }, output: null, paperLow: false }),
    });
    const store = createPrintingStore({ api: fake.api });
    const stop = store.getState().start();
    fake.emit({ name: 'printJob.changed', payload: job({ id: 5, state: 'queued', lastError: null, attempts: 0 }) });
    fake.emit({ name: 'printJob.changed', payload: job({ id: 5, state: 'printed', lastError: null, attempts: 1, printedAt: 'now' }) });
    expect(store.getState().jobs.map((j) => [j.id, j.state])).toEqual([[5, 'printed']]);
    await store.getState().test('printer-1');
    expect(store.getState().tests['printer-1']).toMatchObject({ ok: false, error: { code: 'print.refused' } });
    expect(store.getState().testing).toEqual([]);
    stop();
  });
});
