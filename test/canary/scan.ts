/**
 * The PAN canary scan: is there, anywhere under the given folders and files, a byte sequence of
 * the canary's digits? Looked for as plain digits, with spaces or dashes (or any one of ` -._/`)
 * between any of them, as hex text of those characters (PDF strings, hex dumps), in UTF-16 (LE and
 * BE, either byte alignment), inside PDFs (Flate streams inflated, text mapped through ToUnicode),
 * and inside zip (Playwright traces) and gzip files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { extractPdfTextRuns } from '../unit/printing/pdfText.js';

export interface CanaryHit {
  file: string;
  /** Where in the file (or `file!entry` inside an archive) and in what form. */
  form: string;
  offset: number;
}

export interface CanaryScan {
  files: number;
  bytes: number;
  hits: CanaryHit[];
  /** Files that could not be read (e.g. vanished while scanning). */
  unreadable: string[];
}

const SEPARATORS = '[ \\-._/]?';

function patternsFor(digits: string): { name: string; re: RegExp }[] {
  const spaced = digits.split('').join(SEPARATORS);
  const hexOf = (s: string) => Buffer.from(s, 'latin1').toString('hex');
  const hexSpaced = digits
    .split('')
    .map((d) => hexOf(d))
    .join('(?:20|2d)?');
  return [
    { name: 'digits (any single separator between them)', re: new RegExp(spaced) },
    { name: 'hex text', re: new RegExp(hexSpaced, 'i') },
  ];
}

function textViews(buf: Buffer): { view: string; text: string }[] {
  const views = [{ view: 'latin1', text: buf.toString('latin1') }];
  if (buf.length >= 2) {
    views.push({ view: 'utf16le', text: buf.toString('utf16le') }, { view: 'utf16le+1', text: buf.subarray(1).toString('utf16le') });
    const be = Buffer.from(buf.subarray(0, buf.length - (buf.length % 2)));
    be.swap16();
    views.push({ view: 'utf16be', text: be.toString('utf16le') });
    const be1 = Buffer.from(buf.subarray(1, 1 + ((buf.length - 1) & ~1)));
    be1.swap16();
    views.push({ view: 'utf16be+1', text: be1.toString('utf16le') });
  }
  return views;
}

/** Entries of a zip file, inflated (stored and deflated entries; others skipped). */
function zipEntries(buf: Buffer): { name: string; data: Buffer }[] {
  const out: { name: string; data: Buffer }[] = [];
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) return out;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count && p + 46 <= buf.length && buf.readUInt32LE(p) === 0x02014b50; i++) {
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) continue;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    try {
      if (method === 0) out.push({ name, data: raw });
      else if (method === 8) out.push({ name, data: inflateRawSync(raw) });
    } catch {
      // a damaged entry: scanned raw by the caller anyway
    }
  }
  return out;
}

/** The Flate streams of a PDF, inflated (others skipped). */
function pdfStreams(pdf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (;;) {
    const at = pdf.indexOf('stream', from, 'latin1');
    if (at < 0) break;
    let start = at + 6;
    if (pdf[start] === 0x0d) start++;
    if (pdf[start] === 0x0a) start++;
    const end = pdf.indexOf('endstream', start, 'latin1');
    if (end < 0) break;
    if (pdf.subarray(at - 3, at).toString('latin1') !== 'end') {
      try {
        out.push(inflateSync(pdf.subarray(start, end)));
      } catch {
        // not Flate: its raw bytes were scanned with the file
      }
    }
    from = end + 9;
  }
  return out;
}

function scanBuffer(label: string, buf: Buffer, digits: string, hits: CanaryHit[], depth = 0): void {
  const patterns = patternsFor(digits);
  for (const { view, text } of textViews(buf)) {
    for (const { name, re } of patterns) {
      const m = re.exec(text);
      if (m) hits.push({ file: label, form: `${name}, ${view}`, offset: view.startsWith('utf16') ? m.index * 2 : m.index });
    }
  }
  if (depth > 2) return;
  const head = buf.subarray(0, 4).toString('latin1');
  if (head === '%PDF') {
    // embedded fonts (Identity-H): text through the ToUnicode maps; standard fonts: hex strings
    // inside the Flate streams (the hex pattern)
    try {
      const text = extractPdfTextRuns(buf).join('\n');
      for (const { name, re } of patterns) if (re.test(text)) hits.push({ file: label, form: `${name}, PDF text`, offset: -1 });
    } catch {
      // not a PDF we can read: its raw bytes were scanned above
    }
    for (const [k, stream] of pdfStreams(buf).entries()) scanBuffer(`${label}!stream${k}`, stream, digits, hits, depth + 1);
  } else if (buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) {
    for (const e of zipEntries(buf)) scanBuffer(`${label}!${e.name}`, e.data, digits, hits, depth + 1);
  } else if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      scanBuffer(`${label}!gunzip`, gunzipSync(buf), digits, hits, depth + 1);
    } catch {
      // truncated gzip: raw bytes scanned above
    }
  }
}

/** Scan every file under `roots` (folders recursively, or single files) for the canary digits. */
export function scanForCanary(roots: string[], digits: string): CanaryScan {
  const result: CanaryScan = { files: 0, bytes: 0, hits: [], unreadable: [] };
  const visit = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      result.unreadable.push(p);
      return;
    }
    if (st.isDirectory()) {
      for (const name of readdirSync(p)) visit(path.join(p, name));
      return;
    }
    if (!st.isFile()) return;
    let buf: Buffer;
    try {
      buf = readFileSync(p);
    } catch {
      result.unreadable.push(p);
      return;
    }
    result.files++;
    result.bytes += buf.length;
    scanBuffer(p, buf, digits, result.hits);
  };
  for (const r of roots) visit(r);
  return result;
}
