import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { printDevice } from '../../../electron/printing/device.js';
import { PrintError } from '../../../electron/printing/errors.js';
import { encodeEscpos } from '../../../electron/printing/escpos.js';
import { assertCanPrint, parseStatus, statusBytes } from '../../../electron/printing/status.js';
import { printTcp } from '../../../electron/printing/tcp.js';
import { layoutReceipt } from '../../../electron/domain/receiptLayout.js';
import { parseEscpos } from './escposParser.js';
import { closedPort, startFakePrinter, type FakePrinter } from './fakePrinter.js';
import { VOID_BODY, receipt } from './fixtures.js';

const FAST = { connectMs: 2000, writeMs: 2000, statusMs: 300 };
const receiptBytes = () =>
  encodeEscpos(layoutReceipt(receipt(VOID_BODY, 'customer'), { locale: 'zh-CN', widthChars: 32 }), { paper: 58, cjk: 'native', drawerKick: true }, {
    code: 'print.font_missing',
    error: 'none',
  }).bytes;

async function failure(p: Promise<unknown>): Promise<PrintError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PrintError);
    return e as PrintError;
  }
  throw new Error('expected a PrintError');
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function fake(opts?: Parameters<typeof startFakePrinter>[0]): Promise<FakePrinter> {
  const p = await startFakePrinter(opts);
  cleanups.push(() => p.close());
  return p;
}

describe('printer status (DLE EOT)', () => {
  it('reads paper out, cover open, offline, paper low, and ignores bytes that are not status', () => {
    expect(parseStatus(statusBytes({}))).toEqual({ offline: false, coverOpen: false, paperOut: false, paperLow: false, error: false });
    expect(parseStatus(statusBytes({ paperOut: true }))).toMatchObject({ paperOut: true, offline: true });
    expect(parseStatus(statusBytes({ coverOpen: true }))).toMatchObject({ coverOpen: true, paperOut: false });
    expect(parseStatus(statusBytes({ paperLow: true }))).toMatchObject({ paperLow: true, paperOut: false, offline: false });
    expect(parseStatus([0x16, 0x12, 0x7e])).toMatchObject({ paperOut: true, paperLow: true });
    expect(parseStatus([0xff, 0x12, 0x12])).toBeNull();
    expect(parseStatus([0x12, 0x12])).toBeNull();
    expect(() => assertCanPrint(parseStatus(statusBytes({ paperOut: true }))!, 'x')).toThrow(/out of paper/);
    expect(() => assertCanPrint(parseStatus(statusBytes({ coverOpen: true }))!, 'x')).toThrow(/cover open/);
    expect(() => assertCanPrint(parseStatus(statusBytes({ offline: true }))!, 'x')).toThrow(/offline/);
    expect(() => assertCanPrint(parseStatus(statusBytes({ paperLow: true }))!, 'x')).not.toThrow();
  });
});

describe('raw TCP (port 9100)', () => {
  it('a fake ESC/POS printer on 127.0.0.1 receives exactly the receipt bytes', async () => {
    const printer = await fake();
    const bytes = receiptBytes();
    const result = await printTcp({ host: '127.0.0.1', port: printer.port }, bytes, FAST);
    expect(result).toEqual({ status: { offline: false, coverOpen: false, paperOut: false, paperLow: false, error: false }, bytes: bytes.length });
    const [job] = await printer.waitForJobs(1);
    expect(Buffer.compare(job!, Buffer.from(bytes))).toBe(0);
    const parsed = parseEscpos(job!);
    expect(parsed.lines.map((l) => l.text)).toContain('交易类型(TRANS TYPE):  撤销 VOID');
    expect(parsed.cut).toBe('partial');
    expect(parsed.pulses).toBe(1);
  });

  it('prints to a printer that does not answer status queries (after the status wait)', async () => {
    const printer = await fake({ status: null });
    const started = Date.now();
    const result = await printTcp({ host: '127.0.0.1', port: printer.port }, new Uint8Array([0x1b, 0x40, 0x41, 0x0a]), FAST);
    expect(result.status).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await printer.waitForJobs(1))[0]).toEqual(Buffer.from([0x1b, 0x40, 0x41, 0x0a]));
  });

  it.each([
    [{ paperOut: true }, 'print.paper_out', /out of paper/],
    [{ coverOpen: true }, 'print.cover_open', /cover open/],
    [{ offline: true }, 'print.offline', /offline/],
  ])('a printer reporting %j: %s, and nothing is sent', async (status, code, message) => {
    const printer = await fake({ status });
    const error = await failure(printTcp({ host: '127.0.0.1', port: printer.port }, receiptBytes(), FAST));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.params.printer).toBe(`127.0.0.1:${printer.port}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(printer.jobs).toEqual([]);
  });

  it('a closed port: print.refused naming the address and port', async () => {
    const port = await closedPort();
    const error = await failure(printTcp({ host: '127.0.0.1', port }, receiptBytes(), FAST));
    expect(error.code).toBe('print.refused');
    expect(error.message).toContain(`127.0.0.1:${port} refused the connection`);
    expect(error.params).toMatchObject({ host: '127.0.0.1', port: String(port) });
  });

  it('a printer that stops taking data: print.timeout after the write timeout', async () => {
    // Accepts, answers nothing, never reads: the socket buffers fill up.
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
      s.pause();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }));
    const port = (server.address() as net.AddressInfo).port;
    const big = new Uint8Array(64 * 1024 * 1024);
    const started = Date.now();
    const error = await failure(printTcp({ host: '127.0.0.1', port }, big, { connectMs: 1000, writeMs: 600, statusMs: 100 }));
    expect(error.code).toBe('print.timeout');
    expect(error.message).toMatch(/stopped taking data/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a printer that drops the connection mid-job: print.connection_lost (the receipt may be incomplete)', async () => {
    const server = net.createServer((s) => {
      s.once('data', () => s.resetAndDestroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as net.AddressInfo).port;
    const error = await failure(printTcp({ host: '127.0.0.1', port }, new Uint8Array(32 * 1024 * 1024), { connectMs: 1000, writeMs: 5000, statusMs: 100 }));
    expect(['print.connection_lost']).toContain(error.code);
  });
});

describe('printer device file', () => {
  const dir = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'cs-lp-'));
    return d;
  };

  it('appends the receipt to a file (a spooler\'s capture file)', async () => {
    const file = path.join(dir(), 'lp0');
    writeFileSync(file, '');
    const bytes = receiptBytes();
    await printDevice(file, bytes);
    await printDevice(file, bytes);
    const written = readFileSync(file);
    expect(written.length).toBe(bytes.length * 2);
    expect(Buffer.compare(written.subarray(0, bytes.length), Buffer.from(bytes))).toBe(0);
  });

  /** Waits until a process holds the FIFO open for reading (a nonblocking writer gets ENXIO before). */
  async function printWhenReaderIsThere(fifo: string, bytes: Uint8Array, timeouts?: { writeMs: number }) {
    const end = Date.now() + 5000;
    for (;;) {
      try {
        return await printDevice(fifo, bytes, timeouts);
      } catch (e) {
        if ((e as PrintError).code !== 'print.device_offline' || Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  it('writes through a FIFO to the process reading it', async () => {
    const d = dir();
    const fifo = path.join(d, 'lp-fifo');
    const out = path.join(d, 'received.bin');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('sh', ['-c', 'cat "$0" > "$1"', fifo, out], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => reader.once('exit', (code) => resolve(code)));
    cleanups.push(() => void reader.kill());
    const bytes = receiptBytes();
    await printWhenReaderIsThere(fifo, bytes);
    expect(await exited).toBe(0);
    expect(Buffer.compare(readFileSync(out), Buffer.from(bytes))).toBe(0);
  });

  it('a FIFO nobody reads (printer switched off): print.device_offline at once, never a hang', async () => {
    const fifo = path.join(dir(), 'lp-nobody');
    execFileSync('mkfifo', [fifo]);
    const error = await failure(printDevice(fifo, receiptBytes()));
    expect(error.code).toBe('print.device_offline');
    expect(error.message).toContain(fifo);
  });

  it('a reader that stops reading: print.timeout after the write timeout', async () => {
    const fifo = path.join(dir(), 'lp-stuck');
    execFileSync('mkfifo', [fifo]);
    // Opens the FIFO and never reads from it.
    const reader = spawn('bash', ['-c', 'exec 3< "$0"; sleep 30', fifo], { stdio: 'ignore' });
    cleanups.push(() => void reader.kill('SIGKILL'));
    const started = Date.now();
    const error = await failure(printWhenReaderIsThere(fifo, new Uint8Array(4 * 1024 * 1024), { writeMs: 400 }));
    expect(error.code).toBe('print.timeout');
    expect(error.message).toMatch(/took no data/);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('a missing device and a folder: clear errors', async () => {
    const d = dir();
    const missing = await failure(printDevice(path.join(d, 'usb', 'lp9'), receiptBytes()));
    expect(missing.code).toBe('print.device_missing');
    expect(missing.message).toMatch(/plugged in/);
    mkdirSync(path.join(d, 'folder'));
    expect((await failure(printDevice(path.join(d, 'folder'), receiptBytes()))).code).toBe('print.device_not_printer');
  });
});
