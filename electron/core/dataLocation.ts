/**
 * Which data folder the app runs on, decided before any ledger is opened.
 *
 * Order: `--data DIR` (a CLI flag), then `COUNTERSIGN_DATA_DIR` — an explicit choice always wins and
 * the folder is then shown as pinned — then `location.json` in the OS user-data folder (written by
 * "Move data to…"), then the OS user-data folder itself. location.json lives outside every ledger
 * so a move can switch folders with one atomic rename, and it also mirrors each data folder's chosen
 * backup folder: that setting lives inside the ledger, which cannot be read when it is the damaged
 * file a start must restore.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { LEDGER_FILE, osDataDir } from './paths.js';

export const LOCATION_FILE = 'location.json';

const AbsoluteDir = z.string().min(1).refine((p) => path.isAbsolute(p), 'must be an absolute path');

export const LocationFile = z.object({
  version: z.literal(1),
  /** The data folder to use; null: the OS user-data folder. */
  dataDir: AbsoluteDir.nullable(),
  /** Data folder → the backup folder its ledger's settings name (absent: `<data folder>/backups`). */
  backupFolders: z.record(z.string(), AbsoluteDir).default({}),
  /** The last move, for the people reading this file by hand. */
  movedFrom: z.string().optional(),
  movedAt: z.string().optional(),
  movedBy: z.string().optional(),
});
export type LocationFile = z.output<typeof LocationFile>;

export type LocationRead = { kind: 'missing' } | { kind: 'ok'; value: LocationFile } | { kind: 'invalid'; reason: string };

export type DataDirSource = 'flag' | 'env' | 'location' | 'default';

export interface DataDirChoice {
  dataDir: string;
  source: DataDirSource;
  /** Where location.json is (it may not exist yet); null: none is used (a caller fixed the folder). */
  locationFile: string | null;
  /** The OS user-data folder (the default data folder); null when a caller fixed the folder. */
  osDefault: string | null;
  /** The backup folder mirrored for this data folder, if one was chosen. */
  backupFolder: string | null;
  /** location.json could not be read and an explicit folder was used anyway (shown, not fatal). */
  locationProblem: string | null;
}

export interface ResolveInput {
  /** `--data DIR`, as typed. */
  flag?: string | undefined;
  /** `COUNTERSIGN_DATA_DIR`, as set. */
  env?: string | undefined;
  /** The OS user-data folder (Electron: app.getPath('userData')). */
  osDefault: string;
  location: LocationRead;
  /** Relative flag/env values are taken from here. */
  cwd: string;
}

export type ResolveResult = { ok: true; choice: DataDirChoice } | { ok: false; reason: string };

/** The one resolution rule (pure: the caller reads location.json and passes what it found). */
export function resolveDataDir(input: ResolveInput): ResolveResult {
  const locationFile = path.join(input.osDefault, LOCATION_FILE);
  const location = input.location.kind === 'ok' ? input.location.value : null;
  const problem = input.location.kind === 'invalid' ? input.location.reason : null;
  const choose = (dataDir: string, source: DataDirSource): ResolveResult => ({
    ok: true,
    choice: { dataDir, source, locationFile, osDefault: path.resolve(input.osDefault), backupFolder: location?.backupFolders[dataDir] ?? null, locationProblem: problem },
  });
  if (input.flag !== undefined && input.flag !== '') return choose(path.resolve(input.cwd, input.flag), 'flag');
  if (input.env !== undefined && input.env !== '') return choose(path.resolve(input.cwd, input.env), 'env');
  if (problem !== null) {
    // Falling back to the default here could start the shop on an old or empty ledger.
    return {
      ok: false,
      reason: `${locationFile} cannot be read (${problem}). Fix it, delete it to use ${input.osDefault}, or start with --data DIR.`,
    };
  }
  if (location?.dataDir) return choose(path.resolve(location.dataDir), 'location');
  return choose(path.resolve(input.osDefault), 'default');
}

export function readLocationFile(file: string): LocationRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', reason: (error as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `not JSON: ${(error as Error).message}` };
  }
  const parsed = LocationFile.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ') };
  return { kind: 'ok', value: parsed.data };
}

/** Writes `value` as `file`: a temporary file, fsync, rename over the old one, fsync of the folder. */
export function writeLocationFile(file: string, value: LocationFile): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const text = `${JSON.stringify(LocationFile.parse(value), null, 2)}\n`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  fsyncDir(dir);
}

/** Makes a rename in `dir` durable (where the OS allows opening a folder). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder for fsync; its renames are journaled by NTFS.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads, changes and writes location.json (a missing one counts as: the default folder, no mirrors). */
export function updateLocationFile(file: string, change: (current: LocationFile) => LocationFile): LocationFile {
  const read = readLocationFile(file);
  if (read.kind === 'invalid') throw new Error(`${file} cannot be read (${read.reason}); it was left as it is`);
  const next = change(read.kind === 'ok' ? read.value : { version: 1, dataDir: null, backupFolders: {} });
  writeLocationFile(file, next);
  return next;
}

export class DataDirError extends Error {
  override name = 'DataDirError';
}

/**
 * The resolution as the hosts and the CLI use it: reads location.json from the OS user-data folder,
 * and refuses a location.json folder that holds no ledger (an unplugged drive must not start the
 * shop on a new, empty ledger).
 */
export function resolveDataDirFromDisk(input: { flag?: string | undefined; env?: NodeJS.ProcessEnv; osDefault?: string; cwd?: string } = {}): DataDirChoice {
  const env = input.env ?? process.env;
  const osDefault = path.resolve(input.osDefault ?? osDataDir(env));
  const result = resolveDataDir({
    flag: input.flag,
    env: env.COUNTERSIGN_DATA_DIR,
    osDefault,
    location: readLocationFile(path.join(osDefault, LOCATION_FILE)),
    cwd: input.cwd ?? process.cwd(),
  });
  if (!result.ok) throw new DataDirError(result.reason);
  const { choice } = result;
  if (choice.source === 'location' && !isFile(path.join(choice.dataDir, LEDGER_FILE))) {
    throw new DataDirError(
      `the data folder ${choice.dataDir} (named in ${choice.locationFile}) holds no ledger (${LEDGER_FILE}). If it is on a drive that is not plugged in, plug it in; otherwise start with --data DIR.`,
    );
  }
  return choice;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Whether a data folder holds a ledger. */
export function holdsLedger(dir: string): boolean {
  return existsSync(path.join(dir, LEDGER_FILE));
}

/** Why this folder, in a few words (the start banner and the log). */
export function describeDataDirSource(choice: DataDirChoice): string {
  switch (choice.source) {
    case 'flag':
      return 'pinned by --data';
    case 'env':
      return 'pinned by COUNTERSIGN_DATA_DIR';
    case 'location':
      return `named in ${choice.locationFile}`;
    case 'default':
      return 'the default';
  }
}
