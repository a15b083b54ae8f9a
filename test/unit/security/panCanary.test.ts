/**
 * The PAN canary, in the small: a real core whose simulated terminal also offers the canary card
 * number (COUNTERSIGN_PAN_CANARY=1) refuses every canary frame (pan-unmasked), stores the real
 * charges, and keeps the digits out of its data folder; and the scanner finds the digits in every
 * form it claims to (so a clean scan means something).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import PDFDocument from 'pdfkit';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { createLogger } from '../../../electron/core/logger.js';
import { CANARY_VARIANTS, canaryPan, PAN_CANARY_ENV } from '../../../native/sim/canary.js';
import { scanForCanary } from '../../canary/scan.js';

let core: RunningCore | null = null;
afterAll(async () => {
  await core?.close();
  delete process.env[PAN_CANARY_ENV];
});

async function until<T>(probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PAN canary', () => {
  it('the host refuses every canary frame; real charges arrive; the digits are nowhere in the data folder', async () => {
    process.env[PAN_CANARY_ENV] = '1';
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-canary-'));
    core = await startCore({ dataDir, log: createLogger(dataDir), backend: 'simulator', simStatusIntervalMs: 0 });
    const api = createInProcessApi(core.api);
    const charges = 2 * CANARY_VARIANTS.length;
    for (let i = 0; i < charges; i++) await api.invoke('sim.charge', { amountMinor: 1000 + i });
    await until(async () => ((await api.invoke('charges.queue', {})).length >= charges ? true : undefined));
    const sim = core.terminal.simulator!;
    await sim.whenIdle();
    expect(sim.stats.canaryFrames).toBe(CANARY_VARIANTS.length);
    const stored = (await api.invoke('charges.queue', {})).length;
    await core.close();
    core = null;

    const scan = scanForCanary([dataDir], canaryPan());
    expect(scan.files).toBeGreaterThan(1);
    expect(scan.hits).toEqual([]);
    expect(stored).toBe(charges); // no canary became a charge
    const logs = readdirSync(path.join(dataDir, 'logs')).map((f) => readFileSync(path.join(dataDir, 'logs', f), 'utf8')).join('');
    const refused = logs.split('\n').filter((l) => l.includes('link.rejected') && l.includes('pan-unmasked'));
    expect(refused.length).toBe(CANARY_VARIANTS.length);
  }, 30_000);

  it('the scanner finds the digits plain, spaced, dashed, as hex, in UTF-16 LE/BE, in PDFs, zips and gzip', async () => {
    const pan = canaryPan();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-canary-scan-'));
    const clean = path.join(dir, 'clean');
    mkdirSync(clean);
    writeFileSync(path.join(clean, 'masked.log'), `PN ${pan.slice(0, 6)}******${pan.slice(-4)} ok; ${pan.slice(0, 15)} is fifteen digits`);
    expect(scanForCanary([clean], pan).hits).toEqual([]);

    const planted: Record<string, Buffer> = {
      'plain.db': Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(`x${pan}y`), Buffer.from([0xff])]),
      'spaced.txt': Buffer.from(pan.replace(/(\d{4})(?=\d)/g, '$1 ')),
      'dashed.json': Buffer.from(JSON.stringify({ card: pan.replace(/(\d{4})(?=\d)/g, '$1-') })),
      'hex.txt': Buffer.from(`<${Buffer.from(pan).toString('hex')}> Tj`),
      'utf16le.bin': Buffer.concat([Buffer.from([0x41]), Buffer.from(pan, 'utf16le')]),
      'utf16be.bin': Buffer.from(pan, 'utf16le').swap16(),
      'trace.zip': zipOf('page.html', Buffer.from(`<td>${pan}</td>`)),
      'out.log.gz': gzipSync(Buffer.from(`card=${pan}`)),
      'receipt.pdf': await pdfWith(`Card ${pan}`),
    };
    for (const [name, data] of Object.entries(planted)) writeFileSync(path.join(dir, name), data);
    const scan = scanForCanary([dir], pan);
    const found = new Set(scan.hits.map((h) => path.basename(h.file.split('!')[0]!)));
    expect([...found].sort()).toEqual(Object.keys(planted).sort());
  });

  it('the scanner reads PDFs with an embedded font (glyph ids mapped through ToUnicode), as receipts are made', async () => {
    const font = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf'].find((f) => existsSync(f));
    if (!font) {
      console.log('no TrueType font installed here: the embedded-font PDF case is covered by the Flate/hex case only');
      return;
    }
    const pan = canaryPan();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-canary-pdf-'));
    writeFileSync(path.join(dir, 'receipt.pdf'), await pdfWith(`Card ${pan}`, font));
    writeFileSync(path.join(dir, 'masked.pdf'), await pdfWith(`Card ${pan.slice(0, 6)}******${pan.slice(-4)}`, font));
    const scan = scanForCanary([dir], pan);
    expect(scan.hits.map((h) => `${path.basename(h.file)} ${h.form}`)).toEqual([expect.stringMatching(/^receipt\.pdf .*PDF text$/)]);
  });
});

/** A one-entry zip (deflated), as Playwright writes traces. */
function zipOf(name: string, data: Buffer): Buffer {
  const deflated = deflateRawSync(data);
  const nameBuf = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(nameBuf.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(nameBuf.length, 28);
  central.writeUInt32LE(0, 42);
  const cdOffset = local.length + nameBuf.length + deflated.length;
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length + nameBuf.length, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBuf, deflated, central, nameBuf, eocd]);
}

/** A pdfkit PDF (Flate-compressed content) showing `text`, in Helvetica or an embedded font. */
function pdfWith(text: string, font?: string): Promise<Buffer> {
  return new Promise((resolve) => {
    const doc = new PDFDocument();
    if (font) doc.font(font);
    const parts: Buffer[] = [];
    doc.on('data', (c: Buffer) => parts.push(c));
    doc.on('end', () => resolve(Buffer.concat(parts)));
    doc.text(text);
    doc.end();
  });
}
