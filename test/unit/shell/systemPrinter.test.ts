import { beforeEach, describe, expect, it, vi } from 'vitest';

/** A stand-in for Electron's BrowserWindow: records what the adapter asks of it. */
const calls: { loadURL: string[]; print: Array<Record<string, unknown>>; destroyed: number } = { loadURL: [], print: [], destroyed: 0 };
let printers = [{ name: 'HP_LaserJet' }, { name: 'EPSON_TM_T88' }];
let printResult: [boolean, string] = [true, ''];

vi.mock('electron', () => {
  class BrowserWindow {
    options: unknown;
    webContents = {
      getPrintersAsync: async () => printers,
      print: (options: Record<string, unknown>, callback: (success: boolean, reason: string) => void) => {
        calls.print.push(options);
        setTimeout(() => callback(...printResult), 0);
      },
    };
    constructor(options: unknown) {
      this.options = options;
    }
    async loadURL(url: string) {
      calls.loadURL.push(url);
    }
    destroy() {
      calls.destroyed++;
    }
  }
  return { BrowserWindow };
});

const { createElectronSystemPrinter } = await import('../../../electron/shell/systemPrinter.js');

beforeEach(() => {
  calls.loadURL = [];
  calls.print = [];
  calls.destroyed = 0;
  printers = [{ name: 'HP_LaserJet' }, { name: 'EPSON_TM_T88' }];
  printResult = [true, ''];
});

describe('the Electron system printer adapter', () => {
  it('prints the receipt HTML silently on the named printer, then closes its hidden window', async () => {
    const adapter = createElectronSystemPrinter();
    await adapter.printHtml('<!doctype html><div>撤销 VOID</div>', { deviceName: 'EPSON_TM_T88', title: 'VOID' });
    expect(calls.print).toEqual([expect.objectContaining({ silent: true, deviceName: 'EPSON_TM_T88' })]);
    const url = calls.loadURL[0]!;
    expect(url.startsWith('data:text/html;charset=utf-8;base64,')).toBe(true);
    expect(Buffer.from(url.split(',')[1]!, 'base64').toString('utf8')).toContain('撤销 VOID');
    expect(calls.destroyed).toBe(1);
    expect(await adapter.listPrinters()).toEqual(['HP_LaserJet', 'EPSON_TM_T88']);
  });

  it('a printer the system does not have, or a failed print: print.system_failed, window closed', async () => {
    const adapter = createElectronSystemPrinter();
    await expect(adapter.printHtml('<p>x</p>', { deviceName: 'Nope', title: 't' })).rejects.toMatchObject({
      code: 'print.system_failed',
      message: expect.stringContaining('HP_LaserJet, EPSON_TM_T88'),
    });
    printResult = [false, 'Print job canceled'];
    await expect(adapter.printHtml('<p>x</p>', { deviceName: 'HP_LaserJet', title: 't' })).rejects.toMatchObject({
      code: 'print.system_failed',
      message: expect.stringContaining('Print job canceled'),
    });
    expect(calls.destroyed).toBe(2);
  });
});
