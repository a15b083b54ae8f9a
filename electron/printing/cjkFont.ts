/**
 * The CJK font the raster and PDF renderers draw with: Noto Sans (Mono) CJK, installed by
 * scripts/setup.sh (Debian: fonts-noto-cjk). Found by well-known paths, then by a bounded search of
 * the font folders; `COUNTERSIGN_CJK_FONT` names a file explicitly. The same font answers whether
 * a character has a glyph, so nothing is ever drawn as an empty box without a word.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Fontkit from 'fontkit';

export interface CjkFont {
  /** The font file (a .ttc collection or an .otf/.ttf). */
  file: string;
  /** Which font of a collection (pdfkit and fontkit select by it). */
  postscriptName: string;
  /** Its family name, for SVG (resvg). */
  family: string;
  /** Whether the font is monospaced on the receipt grid (ASCII half, CJK full width). */
  mono: boolean;
  /** The distinct characters of `text` the font has no glyph for (whitespace never counts). */
  missing(text: string): string[];
}

const WELL_KNOWN = [
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/opentype/noto-cjk/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc',
  '/usr/share/fonts/OTF/NotoSansCJK-Regular.ttc',
  '/usr/local/share/fonts/NotoSansCJK-Regular.ttc',
  '/Library/Fonts/NotoSansCJK-Regular.ttc',
];

const FILE_PATTERN = /^NotoSans(Mono)?CJK(sc|SC)?-Regular\.(ttc|otf|ttf)$/;
const PREFERRED = ['NotoSansMonoCJKsc-Regular', 'NotoSansCJKsc-Regular'];

function fontDirs(): string[] {
  const home = os.homedir();
  return ['/usr/share/fonts', '/usr/local/share/fonts', path.join(home, '.local/share/fonts'), path.join(home, '.fonts'), '/Library/Fonts', path.join(home, 'Library/Fonts')];
}

/** Files under `dirs` whose names look like Noto Sans CJK, at most `limit` directory entries read. */
export function searchFontFiles(dirs: string[], limit = 20_000): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (dir: string, depth: number) => {
    if (depth > 5 || seen > limit) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (++seen > limit) return;
      const full = path.join(dir, name);
      if (FILE_PATTERN.test(name)) found.push(full);
      else if (!name.includes('.')) {
        try {
          if (statSync(full).isDirectory()) walk(full, depth + 1);
        } catch {
          // unreadable: skip
        }
      }
    }
  };
  for (const dir of dirs) walk(dir, 0);
  // Collections first (they hold the Mono variant), then Mono files.
  return found.sort((a, b) => score(b) - score(a));
}

function score(file: string): number {
  const name = path.basename(file);
  return (name.endsWith('.ttc') ? 2 : 0) + (name.includes('Mono') ? 1 : 0);
}

type LoadedFont = Fontkit.Font;

function pickFont(loaded: Fontkit.Font | Fontkit.FontCollection): LoadedFont | null {
  if ('fonts' in loaded && Array.isArray(loaded.fonts)) {
    for (const name of PREFERRED) {
      const font = loaded.fonts.find((f) => f.postscriptName === name);
      if (font) return font;
    }
    return loaded.fonts.find((f) => /CJK/i.test(f.postscriptName)) ?? loaded.fonts[0] ?? null;
  }
  return loaded as LoadedFont;
}

async function openFont(file: string): Promise<CjkFont | null> {
  const fontkit = await import('fontkit');
  const openSync = (fontkit as unknown as { openSync?: typeof Fontkit.openSync }).openSync ?? (fontkit as unknown as { default: typeof Fontkit }).default.openSync;
  let loaded;
  try {
    loaded = openSync(file);
  } catch {
    return null;
  }
  const font = pickFont(loaded);
  if (!font) return null;
  // A font that cannot draw 中 is not a CJK font.
  if (!font.hasGlyphForCodePoint(0x4e2d)) return null;
  const cache = new Map<number, boolean>();
  return {
    file,
    postscriptName: font.postscriptName,
    family: font.familyName,
    mono: /Mono/i.test(font.postscriptName),
    missing(text: string) {
      const out: string[] = [];
      for (const ch of text) {
        const cp = ch.codePointAt(0)!;
        if (/\s/.test(ch)) continue;
        let has = cache.get(cp);
        if (has === undefined) {
          has = font.hasGlyphForCodePoint(cp);
          cache.set(cp, has);
        }
        if (!has && !out.includes(ch)) out.push(ch);
      }
      return out;
    },
  };
}

let cached: Promise<CjkFont | null> | null = null;

/**
 * The CJK font, or null when none is installed. `COUNTERSIGN_CJK_FONT` (a file) wins; an empty
 * value means "no CJK font" (tests use it to check the error path).
 */
export function findCjkFont(opts: { refresh?: boolean } = {}): Promise<CjkFont | null> {
  if (!cached || opts.refresh) cached = locate();
  return cached;
}

async function locate(): Promise<CjkFont | null> {
  const explicit = process.env.COUNTERSIGN_CJK_FONT;
  if (explicit !== undefined) return explicit === '' ? null : openFont(explicit);
  for (const file of WELL_KNOWN) {
    if (existsSync(file)) {
      const font = await openFont(file);
      if (font) return font;
    }
  }
  for (const file of searchFontFiles(fontDirs())) {
    const font = await openFont(file);
    if (font) return font;
  }
  return null;
}

/** What to tell a person when there is no CJK font. */
export const NO_CJK_FONT_MESSAGE =
  'No Chinese font is installed, so receipts cannot be drawn as PDF or raster: install Noto Sans CJK (Debian/Ubuntu: apt-get install fonts-noto-cjk, or run scripts/setup.sh), or set COUNTERSIGN_CJK_FONT to a CJK font file';
