import { z } from 'zod';
import { NoInput } from './common.js';
import { AbsolutePath } from './printing.js';

/**
 * The data folder: where the app runs now, why (a start flag, the environment, location.json or the
 * OS default), and "Move data to…" (a verified copy, then location.json names it; used from the
 * next start).
 */

export const DataDirSource = z.enum(['flag', 'env', 'location', 'default']);

export const DataDirMoveResult = z.object({
  from: z.string(),
  to: z.string(),
  /** true: the folder already held a ledger and the shop chose to use it (nothing was copied). */
  usedExisting: z.boolean(),
  tables: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  auditRows: z.number().int().nonnegative(),
  ledgerBytes: z.number().int().nonnegative(),
  /** Evidence and receipt files copied, each hashed on both sides. */
  files: z.number().int().nonnegative(),
  fileBytes: z.number().int().nonnegative(),
  at: z.string(),
});
export type DataDirMoveResult = z.infer<typeof DataDirMoveResult>;

export const DataDirState = z.object({
  dataDir: z.string(),
  source: DataDirSource,
  /** A start flag or COUNTERSIGN_DATA_DIR fixed the folder: moving is off (it would not take effect). */
  pinned: z.boolean(),
  /** The OS user-data folder (where location.json is). */
  osDefault: z.string().nullable(),
  locationFile: z.string().nullable(),
  /** location.json could not be read (the explicit folder was used anyway). */
  locationProblem: z.string().nullable(),
  /** The desktop app can restart itself; the browser host is started again by hand. */
  canRestart: z.boolean(),
  /** Done in this run: the app must restart to use it (nothing is recorded here meanwhile). */
  moved: DataDirMoveResult.nullable(),
  moving: z.boolean(),
});
export type DataDirState = z.infer<typeof DataDirState>;

export const DataDirPhase = z.enum(['checking', 'copying', 'verifying', 'files', 'switching']);
export type DataDirPhase = z.infer<typeof DataDirPhase>;

export const dataDirCommands = {
  'datadir.get': { input: NoInput, output: DataDirState },
  /**
   * Manager: copy the ledger (SQLite backup API) and the evidence and receipts into `folder`
   * (empty or new), verify, then name it in location.json. A folder that already holds a ledger is
   * refused unless `useExisting` (then that ledger is verified and used as it is).
   */
  'datadir.move': { input: z.object({ folder: AbsolutePath, useExisting: z.boolean().default(false) }).strict(), output: DataDirState },
  /** Manager, desktop only, after a move: restart the app on the new folder. */
  'datadir.restart': { input: NoInput, output: z.object({ restarting: z.literal(true) }) },
} as const;

export const dataDirEvents = {
  /** How far a move is ("copying" counts SQLite pages, "files" counts files). */
  'datadir.progress': z.object({ phase: DataDirPhase, done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }),
} as const;
