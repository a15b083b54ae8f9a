/**
 * "Move data to…": the ledger and its files copied into another folder, verified, and named in
 * location.json, which the next start reads (dataLocation.ts).
 *
 * The steps, and what a crash at each leaves:
 * 1. The target is checked (absolute, not inside the data folder nor holding it, writable, empty —
 *    or holding a ledger, which is offered to be used as it is, never overwritten).
 * 2. `datadir.moving` (who, from, to) is recorded in the ledger, so the copy carries it.
 * 3. Writes are frozen (the terminal's charges are not ACKed and come again after the restart).
 * 4. A marker file, then the ledger copied with SQLite's backup API under a temporary name,
 *    integrity_check + audit chain + row counts; the evidence and receipts copied, each hashed on
 *    both sides; the ledger renamed to countersign.db.
 * 5. location.json is replaced (temp + fsync + rename): from here the next start uses the new
 *    folder. Up to this rename a crash leaves location.json as it was — the shop starts on the old
 *    folder, which the app never changes or deletes — and the marker lets a new attempt clear the
 *    half-made copy.
 * 6. Writes stay frozen until the restart: what is recorded now must be recorded in the new folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ApiError, type ApiEvent } from '../contract/api.js';
import type { DataDirMoveResult, DataDirPhase, DataDirState } from '../contract/commands/dataDir.js';
import { LedgerError } from '../ledger/errors.js';
import { liveLedgerOwner } from '../ledger/integrity.js';
import type { Ledger } from '../ledger/ledger.js';
import { checkLedgerFile, copyLedgerVerified, recordDataDirStep } from '../ledger/ledgerCopy.js';
import { fsyncDir, readLocationFile, updateLocationFile, type DataDirChoice } from './dataLocation.js';
import type { Logger } from './logger.js';
import { LEDGER_FILE } from './paths.js';
import { checkWritableFolder } from './setupService.js';

/** Left in the target while a move writes there: what a new attempt may clear. */
export const MOVE_MARKER = '.countersign-move.json';
export const MOVING_LEDGER = '.countersign.db.moving';
/** The folders of files the ledger refers to, copied with it. */
export const DATA_SUBFOLDERS = ['evidence', 'receipts'] as const;
/** What a move creates in its target, and so may remove again when its marker says it made them. */
const MOVE_ENTRIES = new Set<string>([MOVE_MARKER, MOVING_LEDGER, `${MOVING_LEDGER}-journal`, LEDGER_FILE, ...DATA_SUBFOLDERS]);

export type MoveStep = 'audited' | 'copied' | 'files' | 'renamed';

export interface DataDirServiceOptions {
  ledger: Ledger;
  choice: DataDirChoice;
  log: Logger;
  clock: () => Date;
  emit: (event: ApiEvent) => void;
  /** The desktop shell restarts itself on the new folder; null: started again by hand. */
  relaunch: (() => void) | null;
  /** Fault injection for the tests: throwing here is the process dying after that step. */
  afterStep?: (step: MoveStep) => void;
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && rel.split(path.sep)[0] !== '..' && !path.isAbsolute(rel);
}

/** The real path of `p` as far as it exists, the rest appended (a folder to be created has none yet). */
function realish(p: string): string {
  const missing: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(realpathSync.native(at), ...missing.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(p);
      missing.push(path.basename(at));
      at = parent;
    }
  }
}

/**
 * Checks a move target against the current data folder: absolute, not the same folder, not inside
 * it, not holding it (links followed). Returns the resolved path.
 */
export function checkMoveTarget(current: string, target: string): string {
  if (!path.isAbsolute(target)) throw new ApiError('setup.folder.not_absolute', `${target} is not an absolute path`, { folder: target });
  const to = path.resolve(target);
  const realTo = realish(to);
  const realFrom = realish(current);
  if (realTo === realFrom) throw new ApiError('datadir.same', `${to} is the data folder in use now`, { folder: to });
  if (isInside(realTo, realFrom)) {
    throw new ApiError('datadir.inside_current', `${to} is inside the data folder ${current}`, { folder: to, current });
  }
  if (isInside(realFrom, realTo)) {
    throw new ApiError('datadir.contains_current', `${to} holds the data folder ${current}`, { folder: to, current });
  }
  return to;
}

export type TargetState = { kind: 'empty' } | { kind: 'ledger' } | { kind: 'not_empty'; entries: string[] };

/** What is in a (writable, existing) target folder; the leftovers of an interrupted move are cleared. */
export function inspectTarget(dir: string): TargetState {
  let entries = readdirSync(dir);
  if (entries.includes(MOVE_MARKER) && entries.every((e) => MOVE_ENTRIES.has(e))) {
    for (const e of entries) rmSync(path.join(dir, e), { recursive: true, force: true });
    entries = readdirSync(dir);
  }
  if (entries.includes(LEDGER_FILE)) return { kind: 'ledger' };
  return entries.length === 0 ? { kind: 'empty' } : { kind: 'not_empty', entries: entries.sort() };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** Copies one file, hashing what is read; fsyncs the copy and hashes it again from the disk. */
async function copyHashed(from: string, to: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const source = createReadStream(from);
  source.on('data', (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  await pipeline(source, createWriteStream(to, { flags: 'wx', mode: 0o600 }));
  const fh = await open(to, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  const sha256 = hash.digest('hex');
  const landed = await sha256Of(to);
  if (landed !== sha256) throw new ApiError('datadir.file_mismatch', `${to} does not match ${from} after copying`, { file: to });
  return { bytes, sha256 };
}

function listFiles(root: string, sub: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(path.join(root, rel));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const name of names.sort()) {
      const child = path.join(rel, name);
      const st = lstatSync(path.join(root, child));
      if (st.isDirectory()) walk(child);
      else if (st.isFile()) out.push(child);
    }
  };
  walk(sub);
  return out;
}

/** The evidence and receipt files copied into `to`, every one hashed on both sides. */
export async function copyDataFiles(from: string, to: string, onProgress: (done: number, total: number) => void): Promise<{ files: number; bytes: number }> {
  const files = DATA_SUBFOLDERS.flatMap((sub) => listFiles(from, sub));
  let bytes = 0;
  onProgress(0, files.length);
  for (const [i, rel] of files.entries()) {
    const target = path.join(to, rel);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    const copied = await copyHashed(path.join(from, rel), target);
    // Evidence is stored under its own SHA-256: the copy must still be that file.
    const named = /^evidence[\\/].*[\\/]([0-9a-f]{64})\.[A-Za-z0-9]+$/.exec(rel);
    if (named && named[1] !== copied.sha256) {
      throw new ApiError('datadir.file_mismatch', `${rel} is stored under another hash than its content's`, { file: path.join(from, rel) });
    }
    bytes += copied.bytes;
    onProgress(i + 1, files.length);
  }
  for (const sub of DATA_SUBFOLDERS) if (existsSync(path.join(to, sub))) fsyncDir(path.join(to, sub));
  return { files: files.length, bytes };
}

export class DataDirService {
  private moved: DataDirMoveResult | null = null;
  private moving = false;

  constructor(private readonly opts: DataDirServiceOptions) {
    // A crash right after location.json named this folder leaves the move's marker here: it is home now.
    if (opts.choice.source === 'location') rmSync(path.join(opts.choice.dataDir, MOVE_MARKER), { force: true });
  }

  private get pinnedBy(): '--data' | 'COUNTERSIGN_DATA_DIR' | null {
    if (this.opts.choice.source === 'flag') return '--data';
    if (this.opts.choice.source === 'env') return 'COUNTERSIGN_DATA_DIR';
    return null;
  }

  state(): DataDirState {
    const c = this.opts.choice;
    return {
      dataDir: c.dataDir,
      source: c.source,
      pinned: this.pinnedBy !== null || c.locationFile === null,
      osDefault: c.osDefault,
      locationFile: c.locationFile,
      locationProblem: c.locationProblem,
      canRestart: this.opts.relaunch !== null,
      moved: this.moved,
      moving: this.moving,
    };
  }

  /** Mirrors this data folder's backup folder into location.json (a damaged ledger's start reads it there). */
  mirrorBackupFolder(folder: string | null): void {
    const { locationFile, dataDir } = this.opts.choice;
    if (!locationFile) return;
    try {
      const current = readMirror(locationFile, dataDir);
      if (current === folder) return;
      updateLocationFile(locationFile, (loc) => {
        const backupFolders = { ...loc.backupFolders };
        if (folder) backupFolders[dataDir] = folder;
        else delete backupFolders[dataDir];
        return { ...loc, backupFolders };
      });
    } catch (error) {
      this.opts.log.error('datadir.mirror_failed', { message: (error as Error).message });
    }
  }

  async move(folder: string, useExisting: boolean, actor: string): Promise<DataDirState> {
    const { choice, log } = this.opts;
    if (this.moved) throw new ApiError('datadir.already_moved', `the data already moved to ${this.moved.to}: restart Countersign first`, { folder: this.moved.to });
    if (this.moving) throw new ApiError('datadir.busy', 'a move is already running');
    const by = this.pinnedBy;
    if (by || !choice.locationFile) {
      throw new ApiError('datadir.pinned', `the data folder is fixed by ${by ?? 'the caller'} for this run; start without it to choose another`, { by: by ?? '--data', folder: choice.dataDir });
    }
    const locationFile = choice.locationFile;
    const from = choice.dataDir;
    const to = checkMoveTarget(from, folder);
    this.moving = true;
    try {
      this.progress('checking', 0, 1);
      checkWritableFolder(to);
      const target = inspectTarget(to);
      if (target.kind === 'ledger') {
        if (!useExisting) {
          throw new ApiError('datadir.holds_ledger', `${to} already holds a Countersign ledger: it is not overwritten; it can be used as it is instead`, { folder: to });
        }
        return this.useExisting(from, to, locationFile, actor);
      }
      if (useExisting) throw new ApiError('datadir.no_ledger', `${to} holds no ledger to use`, { folder: to });
      if (target.kind === 'not_empty') {
        throw new ApiError('datadir.not_empty', `${to} is not empty (${target.entries.slice(0, 3).join(', ')}…): choose an empty or new folder`, {
          folder: to,
          count: String(target.entries.length),
          first: target.entries[0]!,
        });
      }
      return await this.copyInto(from, to, locationFile, actor);
    } finally {
      this.moving = false;
      log.info('datadir.move_ended', { to, moved: this.moved !== null });
    }
  }

  private async copyInto(from: string, to: string, locationFile: string, actor: string): Promise<DataDirState> {
    const { ledger, log, clock } = this.opts;
    const step = (s: MoveStep) => this.opts.afterStep?.(s);
    recordDataDirStep(ledger, actor, 'datadir.moving', { from, to });
    const marker = path.join(to, MOVE_MARKER);
    let switched = false;
    try {
      step('audited');
      ledger.freezeWrites(new LedgerError('datadir.moving', `the data is being moved to ${to}; nothing is recorded meanwhile`, { folder: to }));
      writeFileSync(marker, JSON.stringify({ from, to, at: clock().toISOString(), pid: process.pid }), { mode: 0o600 });
      const temp = path.join(to, MOVING_LEDGER);
      const check = await copyLedgerVerified(
        ledger,
        temp,
        (done, total) => this.progress('copying', done, total),
        () => this.progress('verifying', 0, 1),
      );
      step('copied');
      this.progress('files', 0, 0);
      const files = await copyDataFiles(from, to, (done, total) => this.progress('files', done, total));
      step('files');
      renameSync(temp, path.join(to, LEDGER_FILE));
      fsyncDir(to);
      step('renamed');
      this.progress('switching', 0, 1);
      const at = clock().toISOString();
      updateLocationFile(locationFile, (loc) => {
        const backupFolders = { ...loc.backupFolders };
        // The backup-folder setting travels inside the copied ledger; its mirror follows it.
        if (backupFolders[from]) backupFolders[to] = backupFolders[from]!;
        else delete backupFolders[to];
        return { ...loc, dataDir: to, backupFolders, movedFrom: from, movedAt: at, movedBy: actor };
      });
      switched = true;
      rmSync(marker, { force: true });
      this.moved = {
        from,
        to,
        usedExisting: false,
        tables: check.tables,
        rows: check.rows,
        auditRows: check.auditRows,
        ledgerBytes: check.bytes,
        files: files.files,
        fileBytes: files.bytes,
        at,
      };
      this.progress('switching', 1, 1);
      log.info('datadir.moved', { from, to, rows: check.rows, auditRows: check.auditRows, files: files.files });
    } catch (error) {
      if (switched) throw error;
      ledger.freezeWrites(null);
      // Everything in `to` was made by this attempt (it was empty); the old folder stays in use.
      try {
        for (const e of readdirSync(to)) if (MOVE_ENTRIES.has(e)) rmSync(path.join(to, e), { recursive: true, force: true });
      } catch {
        /* a new attempt clears what is left (the marker says it is ours) */
      }
      const reason = (error as { code?: string }).code ?? 'error';
      log.error('datadir.move_failed', { to, code: reason, message: (error as Error).message });
      try {
        recordDataDirStep(ledger, actor, 'datadir.move_failed', { from, to, reason });
      } catch {
        /* the failure itself is what is reported */
      }
      if (error instanceof ApiError || error instanceof LedgerError) throw error;
      throw new ApiError('datadir.copy_failed', `the data could not be copied to ${to}: ${(error as Error).message}`, { folder: to, reason });
    }
    this.freezeMoved();
    return this.state();
  }

  private useExisting(from: string, to: string, locationFile: string, actor: string): DataDirState {
    const { ledger, log, clock } = this.opts;
    const file = path.join(to, LEDGER_FILE);
    const owner = liveLedgerOwner(file);
    if (owner !== null) throw new ApiError('datadir.ledger_in_use', `another Countersign (pid ${owner}) has the ledger in ${to} open`, { folder: to, pid: String(owner) });
    let check;
    try {
      check = checkLedgerFile(file);
    } catch (error) {
      const reason = (error as LedgerError).params?.reason ?? (error as Error).message;
      throw new ApiError('datadir.ledger_bad', `the ledger in ${to} does not verify: ${reason}`, { folder: to, reason });
    }
    recordDataDirStep(ledger, actor, 'datadir.switching', { from, to, useExisting: true, auditRows: check.auditRows });
    ledger.freezeWrites(new LedgerError('datadir.moving', `switching to ${to}`, { folder: to }));
    const at = clock().toISOString();
    try {
      updateLocationFile(locationFile, (loc) => ({ ...loc, dataDir: to, movedFrom: from, movedAt: at, movedBy: actor }));
    } catch (error) {
      ledger.freezeWrites(null);
      throw new ApiError('datadir.location_failed', `location.json could not be written: ${(error as Error).message}`, { file: locationFile, reason: (error as Error).message });
    }
    this.moved = { from, to, usedExisting: true, tables: check.tables, rows: check.rows, auditRows: check.auditRows, ledgerBytes: check.bytes, files: 0, fileBytes: 0, at };
    log.info('datadir.switched', { from, to });
    this.freezeMoved();
    return this.state();
  }

  private freezeMoved(): void {
    const to = this.moved!.to;
    this.opts.ledger.freezeWrites(new LedgerError('datadir.restart_required', `the data moved to ${to}: restart Countersign to go on recording there`, { folder: to }));
  }

  restart(): void {
    if (!this.opts.relaunch) throw new ApiError('datadir.no_restart', 'this app cannot restart itself: start it again by hand');
    if (!this.moved) throw new ApiError('datadir.nothing_moved', 'the data has not moved: there is nothing to restart for');
    const relaunch = this.opts.relaunch;
    // The answer goes out first.
    setTimeout(relaunch, 100).unref?.();
  }

  private progress(phase: DataDirPhase, done: number, total: number): void {
    this.opts.emit({ name: 'datadir.progress', payload: { phase, done, total } });
  }
}

/** The mirrored backup folder of `dataDir` (undefined: location.json is unreadable, left alone). */
function readMirror(locationFile: string, dataDir: string): string | null | undefined {
  const read = readLocationFile(locationFile);
  if (read.kind === 'missing') return null;
  if (read.kind === 'invalid') return undefined;
  return read.value.backupFolders[dataDir] ?? null;
}
