/**
 * Text out of a PDF, for the tests: `pdftotext` (poppler-utils) when it is installed, and always a
 * small reader of our own for PDFs like pdfkit writes them (Flate streams, Identity-H fonts with a
 * ToUnicode CMap, hex strings in TJ/Tj). Each text object's string is one item.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

function streams(pdf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (;;) {
    const at = pdf.indexOf('stream', from, 'latin1');
    if (at < 0) break;
    if (pdf.subarray(at - 3, at).toString('latin1') === 'end') {
      from = at + 6;
      continue;
    }
    let start = at + 6;
    if (pdf[start] === 0x0d) start++;
    if (pdf[start] === 0x0a) start++;
    const end = pdf.indexOf('endstream', start, 'latin1');
    const dictStart = pdf.lastIndexOf('<<', at, 'latin1');
    const dict = pdf.subarray(dictStart, at).toString('latin1');
    const raw = pdf.subarray(start, end);
    let data = raw;
    if (/\/FlateDecode/.test(dict)) {
      try {
        data = inflateSync(raw);
      } catch {
        data = raw;
      }
    }
    out.push(data);
    from = end + 9;
  }
  return out;
}

function hexToCodes(hex: string): number[] {
  const codes: number[] = [];
  for (let i = 0; i + 4 <= hex.length; i += 4) codes.push(parseInt(hex.slice(i, i + 4), 16));
  return codes;
}

function utf16(hex: string): string {
  return String.fromCharCode(...hexToCodes(hex));
}

function toUnicodeMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g)) map.set(parseInt(m[1]!, 16), utf16(m[2]!));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const lo = parseInt(m[1]!, 16);
      const hi = parseInt(m[2]!, 16);
      if (m[3]!.startsWith('[')) {
        const items = [...m[3]!.matchAll(/<([0-9a-fA-F]+)>/g)].map((x) => utf16(x[1]!));
        items.forEach((s, i) => map.set(lo + i, s));
      } else {
        const base = hexToCodes(m[3]!.slice(1, -1));
        for (let c = lo; c <= hi; c++) map.set(c, String.fromCharCode(...base.slice(0, -1), base.at(-1)! + (c - lo)));
      }
    }
  }
  return map;
}

/** The text shown by each text object (BT … ET) of a pdfkit PDF, in order. */
export function extractPdfTextRuns(pdf: Buffer): string[] {
  const all = streams(pdf).map((s) => s.toString('latin1'));
  const map = new Map<number, string>();
  for (const s of all) if (s.includes('begincmap')) for (const [k, v] of toUnicodeMap(s)) map.set(k, v);
  const runs: string[] = [];
  for (const s of all) {
    if (s.includes('begincmap')) continue;
    for (const bt of s.matchAll(/BT([\s\S]*?)ET/g)) {
      let text = '';
      for (const show of bt[1]!.matchAll(/\[((?:[^\]])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
        const hexes = show[1] !== undefined ? [...show[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]!) : [show[2]!];
        for (const hex of hexes) for (const code of hexToCodes(hex)) text += map.get(code) ?? '\uFFFD';
      }
      if (text) runs.push(text);
    }
  }
  return runs;
}

/** pdftotext's reading of the PDF (layout kept), or null when poppler-utils is not installed. */
export function pdftotext(pdf: Buffer): string | null {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-pdf-'));
  const file = path.join(dir, 'r.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
}
