/**
 * `manifest.json` of an export: the SHA-256 and size of every file, the export's parameters and
 * the ledger's audit chain head at the moment it was read; and `verify-export`, which recomputes
 * every hash and names the first file that does not match (or is missing, or was added).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { hashFile } from './hashedFile.js';

export const MANIFEST_NAME = 'manifest.json';
export const MANIFEST_FORMAT = 'countersign-incident-export';
export const MANIFEST_VERSION = 1;

/** File names an export writes: plain names, no folders. */
const FileName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a plain file name');

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(MANIFEST_VERSION),
  generator: z.string(),
  generatedAt: z.string(),
  parameters: z.object({
    from: z.string(),
    to: z.string(),
    formats: z.array(z.enum(['csv', 'json', 'pdf'])),
    locale: z.enum(['en', 'zh-CN']),
    timeZone: z.string(),
  }),
  ledger: z.object({
    schemaVersion: z.number().int(),
    auditHead: z.object({ seq: z.number().int(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).nullable(),
  }),
  counts: z.object({ incidents: z.number().int().nonnegative(), events: z.number().int().nonnegative() }),
  files: z.array(z.object({ name: FileName, sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() })),
});
export type Manifest = z.infer<typeof Manifest>;

export type VerifyResult =
  | { ok: true; files: number; auditHead: Manifest['ledger']['auditHead'] }
  | { ok: false; file: string; reason: string };

/** Checks every file of the export in `dir` against its manifest. Never throws for a bad export. */
export async function verifyExport(dir: string): Promise<VerifyResult> {
  const manifestPath = path.join(dir, MANIFEST_NAME);
  let manifest: Manifest;
  try {
    const parsed = Manifest.safeParse(JSON.parse(await fsp.readFile(manifestPath, 'utf8')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, file: MANIFEST_NAME, reason: `not a valid manifest (${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'})` };
    }
    manifest = parsed.data;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, file: MANIFEST_NAME, reason: code === 'ENOENT' ? 'missing' : `unreadable (${(error as Error).message})` };
  }
  const listed = new Set<string>();
  for (const f of manifest.files) {
    if (listed.has(f.name) || f.name === MANIFEST_NAME) return { ok: false, file: f.name, reason: 'listed twice in the manifest' };
    listed.add(f.name);
    const file = path.join(dir, f.name);
    let actual: { sha256: string; bytes: number };
    try {
      const stat = await fsp.lstat(file);
      if (!stat.isFile()) return { ok: false, file: f.name, reason: 'not a regular file' };
      actual = await hashFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ok: false, file: f.name, reason: code === 'ENOENT' ? 'missing' : `unreadable (${(error as Error).message})` };
    }
    if (actual.bytes !== f.bytes) return { ok: false, file: f.name, reason: `size differs: ${actual.bytes} bytes, the manifest says ${f.bytes}` };
    if (actual.sha256 !== f.sha256) return { ok: false, file: f.name, reason: `SHA-256 differs: ${actual.sha256}, the manifest says ${f.sha256}` };
  }
  const extra = (await fsp.readdir(dir)).filter((name) => name !== MANIFEST_NAME && !listed.has(name)).sort();
  if (extra.length > 0) return { ok: false, file: extra[0]!, reason: 'not in the manifest (added after the export)' };
  return { ok: true, files: manifest.files.length, auditHead: manifest.ledger.auditHead };
}
