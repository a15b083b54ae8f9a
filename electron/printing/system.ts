/**
 * The operating system's printers (A4 or a receipt printer with an OS driver). Printing to them
 * needs Electron (`webContents.print({ silent, deviceName })`), so the core only knows this
 * interface; the Electron shell implements it (electron/shell/systemPrinter.ts) and hands it to
 * startCore. In the browser host there is none and a system printer reports so.
 */
import { placeLine, type ReceiptLine } from '../domain/receipt.js';

export interface SystemPrintAdapter {
  /** Prints the HTML document silently on the named printer. Rejects with a PrintError. */
  printHtml(html: string, opts: { deviceName: string; title: string }): Promise<void>;
  /** The printers the OS knows. */
  listPrinters(): Promise<string[]>;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The receipt as a self-contained HTML page (no scripts, no external resources). */
export function receiptHtml(lines: ReceiptLine[], widthChars: number, title: string, fontFamily: string | null): string {
  const family = [fontFamily, 'Noto Sans Mono CJK SC', 'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', 'monospace']
    .filter((f): f is string => !!f)
    .map((f) => (f === 'monospace' ? f : `"${f.replace(/["\\]/g, '')}"`))
    .join(', ');
  const body = lines
    .map((line) => {
      const cls = line.emphasis === 'normal' ? '' : ` class="${line.emphasis}"`;
      return `<div${cls}>${escapeHtml(placeLine(line, widthChars)) || '&#160;'}</div>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
@page { margin: 4mm; }
body { margin: 0; font-family: ${family}; font-size: 10pt; line-height: 1.3; }
div { white-space: pre; }
.bold { font-weight: bold; }
.large { font-weight: bold; transform: scaleY(2); transform-origin: top left; margin-bottom: 1.3em; }
</style></head><body>
${body}
</body></html>`;
}
