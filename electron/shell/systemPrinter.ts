/**
 * The OS printers, through Electron: the receipt (self-contained HTML, no scripts) is loaded into
 * a hidden, sandboxed window and printed silently on the named printer with
 * `webContents.print({ silent, deviceName })`. Only the shell imports electron; the core sees the
 * SystemPrintAdapter interface.
 */
import { BrowserWindow } from 'electron';
import { PrintError } from '../printing/errors.js';
import type { SystemPrintAdapter } from '../printing/system.js';

const LOAD_TIMEOUT_MS = 15_000;
const PRINT_TIMEOUT_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new PrintError('print.system_failed', `the system printer did not ${what} within ${ms / 1000} s`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function hiddenWindow(): BrowserWindow {
  return new BrowserWindow({
    show: false,
    width: 400,
    height: 800,
    webPreferences: {
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      javascript: false,
      webSecurity: true,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

export function createElectronSystemPrinter(): SystemPrintAdapter {
  return {
    async listPrinters() {
      const win = hiddenWindow();
      try {
        return (await win.webContents.getPrintersAsync()).map((p) => p.name);
      } finally {
        win.destroy();
      }
    },
    async printHtml(html, { deviceName }) {
      const win = hiddenWindow();
      try {
        const printers = await win.webContents.getPrintersAsync();
        if (!printers.some((p) => p.name === deviceName)) {
          const known = printers.map((p) => p.name).join(', ') || 'none';
          throw new PrintError('print.system_failed', `the system has no printer named "${deviceName}" (it has: ${known})`, { deviceName, known });
        }
        await withTimeout(win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`), LOAD_TIMEOUT_MS, 'load the receipt');
        await withTimeout(
          new Promise<void>((resolve, reject) => {
            win.webContents.print({ silent: true, deviceName, printBackground: false, margins: { marginType: 'default' } }, (success, failureReason) => {
              if (success) resolve();
              else reject(new PrintError('print.system_failed', `the system printer "${deviceName}" did not print: ${failureReason || 'unknown reason'}`, { deviceName }));
            });
          }),
          PRINT_TIMEOUT_MS,
          'print the receipt',
        );
      } finally {
        win.destroy();
      }
    },
  };
}
