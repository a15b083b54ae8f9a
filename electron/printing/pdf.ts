/**
 * "Save receipt as PDF": the receipt's lines on a page as wide as the paper (pdfkit), drawn with
 * the CJK font on the same character grid as the thermal printers, written into a folder the
 * manager chose (checked: exists, writable) under a name Countersign makes up.
 */
import { constants, promises as fsp } from 'node:fs';
import path from 'node:path';
import { placeLine, charWidth, type ReceiptLine } from '../domain/receipt.js';
import { NO_CJK_FONT_MESSAGE, type CjkFont } from './cjkFont.js';
import { PrintError } from './errors.js';
import { describeChars } from './gb18030.js';

const MM = 72 / 25.4;

export interface PdfOptions {
  widthChars: number;
  /** Paper width in mm (the page's width). */
  paperMm: number;
  title: string;
  /** Fixed creation date (tests); default now. */
  createdAt?: Date;
}

/** The PDF of the lines. Throws PrintError font_missing / unprintable. */
export async function renderPdf(lines: ReceiptLine[], font: CjkFont | null, opts: PdfOptions): Promise<Buffer> {
  if (!font) throw new PrintError('print.font_missing', NO_CJK_FONT_MESSAGE);
  const missing = font.missing(lines.map((l) => l.text).join(''));
  if (missing.length > 0) {
    throw new PrintError('print.unprintable', `the receipt has characters the PDF font cannot draw (${describeChars(missing)}); it was not saved and stays in the queue`, {
      chars: describeChars(missing),
    });
  }
  const { default: PDFDocument } = await import('pdfkit');
  const margin = 4 * MM;
  const width = opts.paperMm * MM;
  const cell = (width - 2 * margin) / opts.widthChars;
  const size = cell * 2; // a double-byte character fills two cells, its glyph is 1 em
  const lineHeight = size * 1.3;
  const rows = lines.reduce((n, l) => n + (l.emphasis === 'large' ? 2 : 1), 0);
  const height = Math.max(margin * 2 + rows * lineHeight, 40 * MM);

  const doc = new PDFDocument({
    size: [width, height],
    margin: 0,
    autoFirstPage: true,
    info: { Title: opts.title, Producer: 'Countersign', Creator: 'Countersign', CreationDate: opts.createdAt ?? new Date() },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font(font.file, font.postscriptName).fontSize(size).fillColor('#000').strokeColor('#000');

  let y = margin;
  for (const line of lines) {
    const scale = line.emphasis === 'large' ? 2 : 1;
    const placed = placeLine(line, opts.widthChars);
    let col = 0;
    let run = '';
    let runCol = 0;
    const flush = () => {
      if (!run) return;
      const x = margin + runCol * cell;
      doc.save();
      if (scale !== 1) doc.scale(1, scale, { origin: [x, y] });
      if (line.emphasis === 'normal') doc.text(run, x, y, { lineBreak: false });
      else doc.lineWidth(size * 0.04).text(run, x, y, { lineBreak: false, fill: true, stroke: true });
      doc.restore();
      run = '';
    };
    for (const ch of placed) {
      if (ch === ' ') flush();
      else {
        if (!run) runCol = col;
        run += ch;
      }
      col += charWidth(ch);
    }
    flush();
    y += lineHeight * scale;
  }
  doc.end();
  return done;
}

/** A file-name part from anything: letters, digits and dashes only. */
export function safeNamePart(s: string): string {
  return s.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100) || 'x';
}

/** Checks that `folder` is an existing, writable folder (PrintError otherwise). */
export async function checkPdfFolder(folder: string): Promise<void> {
  if (!path.isAbsolute(folder) || folder.split(/[\\/]+/).some((seg) => seg === '.' || seg === '..')) {
    throw new PrintError('print.invalid_path', `the PDF folder must be an absolute path without . or .. (${folder})`, { path: folder });
  }
  let stat;
  try {
    stat = await fsp.stat(folder);
  } catch {
    throw new PrintError('print.pdf_folder_missing', `the PDF folder ${folder} does not exist: create it or choose another one`, { path: folder });
  }
  if (!stat.isDirectory()) throw new PrintError('print.pdf_folder_missing', `${folder} is not a folder: choose a folder for the PDF receipts`, { path: folder });
  try {
    await fsp.access(folder, constants.W_OK);
  } catch {
    throw new PrintError('print.pdf_folder_not_writable', `Countersign may not write into ${folder}: choose another folder or change its permissions`, { path: folder });
  }
}

/** Writes the PDF as `<folder>/<base>.pdf` (never overwriting: -2, -3… when taken). Returns the path. */
export async function savePdf(folder: string, base: string, pdf: Buffer): Promise<string> {
  await checkPdfFolder(folder);
  const name = safeNamePart(base);
  for (let n = 1; n < 1000; n++) {
    const file = path.join(folder, `${name}${n === 1 ? '' : `-${n}`}.pdf`);
    const part = `${file}.part`;
    try {
      await fsp.writeFile(part, pdf, { flag: 'wx', mode: 0o644 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new PrintError('print.pdf_write_failed', `saving the PDF into ${folder} failed: ${(error as Error).message}`, { path: folder, detail: (error as Error).message });
    }
    try {
      // Names carry the job id, so a clash is a second save of the same job: keep both.
      if (await fsp.stat(file).then(() => true, () => false)) {
        await fsp.rm(part, { force: true });
        continue;
      }
      await fsp.rename(part, file);
    } catch (error) {
      await fsp.rm(part, { force: true });
      throw new PrintError('print.pdf_write_failed', `saving the PDF into ${folder} failed: ${(error as Error).message}`, { path: folder, detail: (error as Error).message });
    }
    return file;
  }
  throw new PrintError('print.pdf_write_failed', `too many receipts named ${name} in ${folder}`, { path: folder });
}
