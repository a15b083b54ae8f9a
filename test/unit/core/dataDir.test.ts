/**
 * The data folder: the start-up resolution (flag → env → location.json → default), the move's
 * target checks, the move itself through the API and the real core (copy verified, crash before the
 * switch, a target that already holds a ledger), and restoring a damaged ledger from the chosen
 * backup folder found through location.json.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../electron/contract/api.js';
import { MOVE_MARKER, MOVING_LEDGER, checkMoveTarget, inspectTarget, type MoveStep } from '../../../electron/core/dataDirService.js';
import {
  DataDirError,
  LOCATION_FILE,
  readLocationFile,
  resolveDataDir,
  resolveDataDirFromDisk,
  writeLocationFile,
  type DataDirChoice,
  type LocationRead,
} from '../../../electron/core/dataLocation.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { osDataDir } from '../../../electron/core/paths.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';
import { checkLedgerFile } from '../../../electron/ledger/ledgerCopy.js';
import { newCharge } from '../ledger/helpers.js';

const OWNER = { name: 'Lin Wei', pin: '482915' };
const MANAGER = { name: 'Zhang Min', pin: '735102' };

const running: RunningCore[] = [];
afterEach(async () => {
  for (const core of running.splice(0)) await core.close();
});

const tmp = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

// ---------------------------------------------------------------- resolution

describe('resolveDataDir (the start-up order)', () => {
  const osDefault = '/home/shop/.config/Countersign';
  const located: LocationRead = { kind: 'ok', value: { version: 1, dataDir: '/mnt/till', backupFolders: { '/mnt/till': '/mnt/usb/backups', '/srv/cs': '/srv/backups' } } };
  const resolve = (over: Partial<Parameters<typeof resolveDataDir>[0]>) => resolveDataDir({ osDefault, location: { kind: 'missing' }, cwd: '/work', ...over });
  const choice = (r: ReturnType<typeof resolveDataDir>): DataDirChoice => {
    if (!r.ok) throw new Error(r.reason);
    return r.choice;
  };

  it('--data wins over everything, then COUNTERSIGN_DATA_DIR, then location.json, then the OS default', () => {
    expect(choice(resolve({ flag: '/srv/cs', env: '/env/cs', location: located }))).toMatchObject({ dataDir: '/srv/cs', source: 'flag', backupFolder: '/srv/backups' });
    expect(choice(resolve({ env: '/env/cs', location: located }))).toMatchObject({ dataDir: '/env/cs', source: 'env', backupFolder: null });
    expect(choice(resolve({ location: located }))).toMatchObject({ dataDir: '/mnt/till', source: 'location', backupFolder: '/mnt/usb/backups' });
    expect(choice(resolve({}))).toEqual({
      dataDir: osDefault,
      source: 'default',
      locationFile: path.join(osDefault, LOCATION_FILE),
      osDefault,
      backupFolder: null,
      locationProblem: null,
    });
    // A location.json that names no folder (only backup mirrors) leaves the default in use.
    expect(choice(resolve({ location: { kind: 'ok', value: { version: 1, dataDir: null, backupFolders: { [osDefault]: '/b' } } } }))).toMatchObject({
      dataDir: osDefault,
      source: 'default',
      backupFolder: '/b',
    });
  });

  it('takes relative flag and environment values from the working folder; empty ones do not count', () => {
    expect(choice(resolve({ flag: 'data' }))).toMatchObject({ dataDir: '/work/data', source: 'flag' });
    expect(choice(resolve({ env: '../till' }))).toMatchObject({ dataDir: '/till', source: 'env' });
    expect(choice(resolve({ flag: '', env: '', location: located }))).toMatchObject({ source: 'location' });
  });

  it('an unreadable location.json stops the start unless a folder was given explicitly', () => {
    const bad: LocationRead = { kind: 'invalid', reason: 'not JSON' };
    const refused = resolve({ location: bad });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toContain(`${path.join(osDefault, LOCATION_FILE)} cannot be read (not JSON)`);
    expect(choice(resolve({ flag: '/srv/cs', location: bad }))).toMatchObject({ dataDir: '/srv/cs', locationProblem: 'not JSON' });
  });
});

describe('location.json on disk', () => {
  it('is written atomically (no temporary file left) and read back; bad content is named', () => {
    const dir = tmp('cs-loc-');
    const file = path.join(dir, 'nested', LOCATION_FILE);
    writeLocationFile(file, { version: 1, dataDir: '/mnt/till', backupFolders: {} });
    expect(readdirSync(path.dirname(file))).toEqual([LOCATION_FILE]);
    expect(readLocationFile(file)).toEqual({ kind: 'ok', value: { version: 1, dataDir: '/mnt/till', backupFolders: {} } });
    writeFileSync(file, '{"version":1,');
    expect(readLocationFile(file)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('not JSON') });
    writeFileSync(file, JSON.stringify({ version: 1, dataDir: 'relative/path' }));
    expect(readLocationFile(file)).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('dataDir: must be an absolute path') });
    expect(readLocationFile(path.join(dir, 'none.json'))).toEqual({ kind: 'missing' });
    expect(() => writeLocationFile(file, { version: 1, dataDir: 'relative', backupFolders: {} })).toThrow();
  });

  it('resolveDataDirFromDisk reads it from the OS folder and refuses a named folder that holds no ledger', () => {
    const config = tmp('cs-xdg-');
    const env = { XDG_CONFIG_HOME: config };
    const osDefault = osDataDir(env, 'linux');
    expect(osDefault).toBe(path.join(config, 'Countersign'));
    expect(resolveDataDirFromDisk({ env })).toMatchObject({ dataDir: osDefault, source: 'default' });
    const elsewhere = tmp('cs-elsewhere-');
    writeLocationFile(path.join(osDefault, LOCATION_FILE), { version: 1, dataDir: elsewhere, backupFolders: {} });
    expect(() => resolveDataDirFromDisk({ env })).toThrow(DataDirError);
    expect(() => resolveDataDirFromDisk({ env })).toThrow(/holds no ledger/);
    writeFileSync(path.join(elsewhere, 'countersign.db'), '');
    expect(resolveDataDirFromDisk({ env })).toMatchObject({ dataDir: elsewhere, source: 'location' });
    expect(resolveDataDirFromDisk({ env: { ...env, COUNTERSIGN_DATA_DIR: '/srv/cs' } })).toMatchObject({ dataDir: '/srv/cs', source: 'env' });
  });
});

// ---------------------------------------------------------------- target checks

describe('checkMoveTarget and inspectTarget', () => {
  it('refuses a relative path, the same folder, one inside it, one holding it (links followed)', () => {
    const root = tmp('cs-target-');
    const current = path.join(root, 'data');
    mkdirSync(current);
    expect(() => checkMoveTarget(current, 'data2')).toThrow(expect.objectContaining({ code: 'setup.folder.not_absolute' }));
    expect(() => checkMoveTarget(current, `${current}/`)).toThrow(expect.objectContaining({ code: 'datadir.same' }));
    expect(() => checkMoveTarget(current, path.join(current, 'sub', 'deeper'))).toThrow(expect.objectContaining({ code: 'datadir.inside_current' }));
    expect(() => checkMoveTarget(current, root)).toThrow(expect.objectContaining({ code: 'datadir.contains_current', params: { folder: root, current } }));
    symlinkSync(current, path.join(root, 'alias'));
    expect(() => checkMoveTarget(current, path.join(root, 'alias', 'new'))).toThrow(expect.objectContaining({ code: 'datadir.inside_current' }));
    // A sibling whose name starts like the current folder is outside it.
    expect(checkMoveTarget(current, `${current}-moved`)).toBe(`${current}-moved`);
  });

  it('tells empty, holding a ledger and not empty apart; clears only what an interrupted move left', () => {
    const dir = tmp('cs-inspect-');
    expect(inspectTarget(dir)).toEqual({ kind: 'empty' });
    writeFileSync(path.join(dir, MOVE_MARKER), '{}');
    writeFileSync(path.join(dir, MOVING_LEDGER), 'half a copy');
    mkdirSync(path.join(dir, 'evidence'));
    expect(inspectTarget(dir)).toEqual({ kind: 'empty' });
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    writeFileSync(path.join(dir, MOVE_MARKER), '{}');
    expect(inspectTarget(dir)).toEqual({ kind: 'not_empty', entries: [MOVE_MARKER, 'notes.txt'] });
    expect(readFileSync(path.join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    const withLedger = tmp('cs-inspect-');
    writeFileSync(path.join(withLedger, 'countersign.db'), '');
    expect(inspectTarget(withLedger)).toEqual({ kind: 'ledger' });
  });
});

// ---------------------------------------------------------------- the move

interface Shop {
  core: RunningCore;
  owner: ReturnType<typeof createInProcessApi>;
  till: ReturnType<typeof createInProcessApi>;
  osDefault: string;
  locationFile: string;
  dataDir: string;
}

async function shop(options: { afterStep?: (step: MoveStep) => void; charges?: number; choice?: 'location' | 'pinned'; relaunch?: () => void } = {}): Promise<Shop> {
  const osDefault = path.join(tmp('cs-move-'), 'Countersign');
  const locationFile = path.join(osDefault, LOCATION_FILE);
  const choice: DataDirChoice = { dataDir: osDefault, source: 'default', locationFile, osDefault, backupFolder: null, locationProblem: null };
  const core = await startCore({
    dataDir: osDefault,
    log: silentLogger,
    backend: 'simulator',
    simStatusIntervalMs: 0,
    durability: 'demo',
    backups: { enabled: false },
    ...(options.choice === 'pinned' ? {} : { dataDirChoice: choice }),
    ...(options.afterStep ? { dataMoveAfterStep: options.afterStep } : {}),
    ...(options.relaunch ? { relaunch: options.relaunch } : {}),
  });
  running.push(core);
  const owner = createInProcessApi(core.api, 'office');
  await owner.invoke('auth.setupOwner', { ownerName: OWNER.name, ownerPin: OWNER.pin, managerName: MANAGER.name, managerPin: MANAGER.pin });
  for (let i = 0; i < (options.charges ?? 3); i++) core.ledger.recordCharge(newCharge({ amountMinor: 1250 + i }), 'terminal:1');
  return { core, owner, till: createInProcessApi(core.api, 'till'), osDefault, locationFile, dataDir: osDefault };
}

/** Evidence and a receipt, stored the way the app stores them. */
function addFiles(dataDir: string): { evidence: string; receipt: string } {
  const content = randomBytes(70_000);
  const sha = createHash('sha256').update(content).digest('hex');
  const evidence = path.join('evidence', '1', `${sha}.jpg`);
  mkdirSync(path.join(dataDir, 'evidence', '1'), { recursive: true });
  writeFileSync(path.join(dataDir, evidence), content);
  const receipt = path.join('receipts', 'receipt-000001.pdf');
  mkdirSync(path.join(dataDir, 'receipts'), { recursive: true });
  writeFileSync(path.join(dataDir, receipt), '%PDF-1.7 test receipt');
  return { evidence, receipt };
}

function chargesIn(file: string): number[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT amount_minor FROM charges ORDER BY id').pluck().all() as number[];
  } finally {
    db.close();
  }
}

function auditActions(file: string): { action: string; actor: string; data: string }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT action, actor, data FROM audit_log ORDER BY seq').all() as { action: string; actor: string; data: string }[];
  } finally {
    db.close();
  }
}

describe('datadir.move through the core', () => {
  it('copies and verifies the ledger and its files, names the new folder in location.json, and refuses writes until the restart', async () => {
    const s = await shop();
    const files = addFiles(s.dataDir);
    const target = path.join(tmp('cs-move-to-'), 'till-data');
    const progress: string[] = [];
    s.core.api.subscribe((e) => {
      if (e.name === 'datadir.progress') progress.push(e.payload.phase);
    });

    const before = await s.owner.invoke('datadir.get', {});
    expect(before).toMatchObject({ dataDir: s.dataDir, source: 'default', pinned: false, moved: null, canRestart: false });
    expect((await apiErrorOf(s.till.invoke('datadir.move', { folder: target }))).code).toBe('auth.required');

    const after = await s.owner.invoke('datadir.move', { folder: target });
    expect(after.moved).toMatchObject({ from: s.dataDir, to: target, usedExisting: false, files: 2 });
    expect(new Set(progress)).toEqual(new Set(['checking', 'copying', 'verifying', 'files', 'switching']));

    // The copy: intact, the same rows, and it carries the audited move (who, from, to).
    const copy = path.join(target, 'countersign.db');
    const checked = checkLedgerFile(copy);
    expect(checked.rows).toBe(after.moved!.rows);
    expect(chargesIn(copy)).toEqual([1250, 1251, 1252]);
    const moving = auditActions(copy).filter((r) => r.action === 'datadir.moving');
    expect(moving).toHaveLength(1);
    expect(moving[0]!.actor).toBe(`owner:${OWNER.name}`);
    expect(JSON.parse(moving[0]!.data)).toEqual({ from: s.dataDir, to: target });
    for (const f of [files.evidence, files.receipt]) expect(readFileSync(path.join(target, f))).toEqual(readFileSync(path.join(s.dataDir, f)));
    expect(readdirSync(target).sort()).toEqual(['countersign.db', 'evidence', 'receipts']);
    expect(readLocationFile(s.locationFile)).toMatchObject({ kind: 'ok', value: { dataDir: target, movedFrom: s.dataDir, movedBy: `owner:${OWNER.name}` } });

    // Until the restart nothing is recorded here (it would be missing from the new folder).
    expect(() => s.core.ledger.recordCharge(newCharge({ amountMinor: 999 }), 'terminal:1')).toThrow(expect.objectContaining({ code: 'datadir.restart_required' }));
    expect((await apiErrorOf(s.owner.invoke('datadir.move', { folder: path.join(tmp('cs-x-'), 'again') }))).code).toBe('datadir.already_moved');
    expect((await apiErrorOf(s.owner.invoke('datadir.restart', {}))).code).toBe('datadir.no_restart');

    // The next start finds the new folder; the old ledger is left as it was.
    await s.core.close();
    running.splice(running.indexOf(s.core), 1);
    const next = resolveDataDirFromDisk({ osDefault: s.osDefault, env: {} });
    expect(next).toMatchObject({ dataDir: target, source: 'location' });
    expect(chargesIn(path.join(s.dataDir, 'countersign.db'))).toEqual([1250, 1251, 1252]);
    const core = await startCore({ dataDir: next.dataDir, dataDirChoice: next, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, durability: 'demo', backups: { enabled: false } });
    running.push(core);
    core.ledger.recordCharge(newCharge({ amountMinor: 4200 }), 'terminal:1');
    expect((await createInProcessApi(core.api, 'x').invoke('datadir.get', {})).source).toBe('location');
    expect(chargesIn(path.join(target, 'countersign.db'))).toEqual([1250, 1251, 1252, 4200]);
  });

  it.each<MoveStep>(['audited', 'copied', 'files', 'renamed'])('a crash after "%s" (before location.json is switched) leaves the shop on its old, working folder', async (step) => {
    const s = await shop({
      afterStep: (at) => {
        if (at === step) throw new Error(`power cut after ${at}`);
      },
    });
    addFiles(s.dataDir);
    const target = path.join(tmp('cs-crash-'), 'till-data');
    await expect(s.owner.invoke('datadir.move', { folder: target })).rejects.toThrow(/power cut/);
    expect(readLocationFile(s.locationFile)).toEqual({ kind: 'missing' });
    expect(resolveDataDirFromDisk({ osDefault: s.osDefault, env: {} })).toMatchObject({ dataDir: s.dataDir, source: 'default' });
    // The old ledger records again, and says the move failed.
    s.core.ledger.recordCharge(newCharge({ amountMinor: 777 }), 'terminal:1');
    expect(s.core.ledger.verifyAudit().ok).toBe(true);
    const actions = s.core.ledger.auditRows(1, 1000).map((r) => r.action);
    expect(actions.filter((a) => a.startsWith('datadir.'))).toEqual(['datadir.moving', 'datadir.move_failed']);
    // What the attempt made is gone; a new attempt goes through.
    expect(readdirSync(target)).toEqual([]);
    const done = await createInProcessApi(s.core.api, 'office2').invoke('datadir.get', {});
    expect(done.moved).toBeNull();
  });

  it('a crash that left a half copy (marker and temporary ledger) does not block the next attempt', async () => {
    const s = await shop();
    const target = path.join(tmp('cs-half-'), 'till-data');
    mkdirSync(target);
    writeFileSync(path.join(target, MOVE_MARKER), '{}');
    writeFileSync(path.join(target, MOVING_LEDGER), randomBytes(8192));
    mkdirSync(path.join(target, 'evidence'));
    const moved = await s.owner.invoke('datadir.move', { folder: target });
    expect(moved.moved?.to).toBe(target);
    expect(existsSync(path.join(target, MOVE_MARKER))).toBe(false);
    expect(chargesIn(path.join(target, 'countersign.db'))).toEqual([1250, 1251, 1252]);
  });

  it('a folder that already holds a ledger is refused (never overwritten) and can be used as it is when it verifies', async () => {
    // Another shop's ledger, closed.
    const other = await shop({ charges: 1 });
    const otherFile = path.join(other.dataDir, 'countersign.db');
    await other.core.close();
    running.splice(running.indexOf(other.core), 1);
    const otherBytes = readFileSync(otherFile);

    const s = await shop();
    const refused = await apiErrorOf(s.owner.invoke('datadir.move', { folder: other.dataDir }));
    expect(refused.code).toBe('datadir.holds_ledger');
    expect(refused.params).toEqual({ folder: other.dataDir });
    expect(readFileSync(otherFile)).toEqual(otherBytes);
    expect(readLocationFile(s.locationFile).kind).toBe('missing');

    const used = await s.owner.invoke('datadir.move', { folder: other.dataDir, useExisting: true });
    expect(used.moved).toMatchObject({ to: other.dataDir, usedExisting: true, files: 0 });
    expect(readFileSync(otherFile)).toEqual(otherBytes);
    expect(readLocationFile(s.locationFile)).toMatchObject({ kind: 'ok', value: { dataDir: other.dataDir } });
    expect(s.core.ledger.auditRows(1, 1000).some((r) => r.action === 'datadir.switching')).toBe(true);
  });

  it('a ledger there that does not verify is not used; an empty folder cannot be "used"; other content is refused', async () => {
    const s = await shop();
    const bad = tmp('cs-bad-');
    writeFileSync(path.join(bad, 'countersign.db'), 'not a database at all');
    expect((await apiErrorOf(s.owner.invoke('datadir.move', { folder: bad, useExisting: true }))).code).toBe('datadir.ledger_bad');
    expect((await apiErrorOf(s.owner.invoke('datadir.move', { folder: tmp('cs-empty-'), useExisting: true }))).code).toBe('datadir.no_ledger');
    const busy = tmp('cs-full-');
    writeFileSync(path.join(busy, 'photo.jpg'), 'x');
    const notEmpty = await apiErrorOf(s.owner.invoke('datadir.move', { folder: busy }));
    expect(notEmpty.code).toBe('datadir.not_empty');
    expect(notEmpty.params).toMatchObject({ folder: busy, count: '1', first: 'photo.jpg' });
    expect((await apiErrorOf(s.owner.invoke('datadir.move', { folder: 'relative/path' }))).code).toBe('validation.failed');
    expect(readLocationFile(s.locationFile).kind).toBe('missing');
    s.core.ledger.recordCharge(newCharge({ amountMinor: 5 }), 'terminal:1');
  });

  it('the desktop app restarts itself after a move (and only then, and only for a manager)', async () => {
    let relaunched = 0;
    const s = await shop({ relaunch: () => relaunched++ });
    expect((await s.owner.invoke('datadir.get', {})).canRestart).toBe(true);
    expect((await apiErrorOf(s.owner.invoke('datadir.restart', {}))).code).toBe('datadir.nothing_moved');
    await s.owner.invoke('datadir.move', { folder: path.join(tmp('cs-relaunch-'), 'till') });
    expect((await apiErrorOf(s.till.invoke('datadir.restart', {}))).code).toBe('auth.required');
    expect(await s.owner.invoke('datadir.restart', {})).toEqual({ restarting: true });
    await new Promise((r) => setTimeout(r, 150));
    expect(relaunched).toBe(1);
  });

  it('a folder fixed by the caller (--data, COUNTERSIGN_DATA_DIR) is shown pinned and not moved', async () => {
    const s = await shop({ choice: 'pinned' });
    expect(await s.owner.invoke('datadir.get', {})).toMatchObject({ pinned: true, source: 'flag', locationFile: null });
    const refused = await apiErrorOf(s.owner.invoke('datadir.move', { folder: path.join(tmp('cs-pin-'), 'x') }));
    expect(refused.code).toBe('datadir.pinned');
    expect(refused.params).toMatchObject({ by: '--data' });
  });
});

// ---------------------------------------------------------------- restore from the chosen backup folder

describe('a damaged ledger at start', () => {
  it('is restored from the chosen backup folder (mirrored in location.json), the newest good backup of both folders winning', async () => {
    const s = await shop({ charges: 2 });
    // An older backup in the default folder…
    await s.owner.invoke('backups.take', {});
    const defaultBackups = readdirSync(path.join(s.dataDir, 'backups'));
    expect(defaultBackups).toHaveLength(1);
    // …then more charges, the backup folder chosen, and a newer backup only there.
    s.core.ledger.recordCharge(newCharge({ amountMinor: 3300 }), 'terminal:1');
    const chosen = path.join(tmp('cs-chosen-'), 'usb-backups');
    await s.owner.invoke('setup.setBackupFolder', { folder: chosen });
    expect(readLocationFile(s.locationFile)).toMatchObject({ kind: 'ok', value: { dataDir: null, backupFolders: { [s.dataDir]: chosen } } });
    await new Promise((r) => setTimeout(r, 5)); // a later backup timestamp
    await s.owner.invoke('backups.take', {});
    const chosenBackups = readdirSync(chosen).filter((n) => n.endsWith('.db'));
    expect(chosenBackups).toHaveLength(1);
    await s.core.close();
    running.splice(running.indexOf(s.core), 1);

    const file = path.join(s.dataDir, 'countersign.db');
    writeFileSync(file, randomBytes(64 * 1024));
    const choice = resolveDataDirFromDisk({ osDefault: s.osDefault, env: {} });
    expect(choice.backupFolder).toBe(chosen);
    const core = await startCore({ dataDir: choice.dataDir, dataDirChoice: choice, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, durability: 'demo', backups: { enabled: false } });
    running.push(core);
    expect(core.health.snapshot().recovery).toMatchObject({ backupFile: chosenBackups[0] });
    expect(chargesIn(file)).toEqual([1250, 1251, 3300]);
  });

  it('without the mirror only the default folder is searched (the older backup)', async () => {
    const s = await shop({ charges: 2 });
    await s.owner.invoke('backups.take', {});
    s.core.ledger.recordCharge(newCharge({ amountMinor: 3300 }), 'terminal:1');
    const chosen = path.join(tmp('cs-chosen-'), 'usb-backups');
    await s.owner.invoke('setup.setBackupFolder', { folder: chosen });
    await new Promise((r) => setTimeout(r, 5));
    await s.owner.invoke('backups.take', {});
    await s.core.close();
    running.splice(running.indexOf(s.core), 1);
    const file = path.join(s.dataDir, 'countersign.db');
    writeFileSync(file, randomBytes(64 * 1024));
    const core = await startCore({ dataDir: s.dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, durability: 'demo', backups: { enabled: false } });
    running.push(core);
    expect(core.health.snapshot().recovery?.backupFile).toMatch(/^daily-/);
    expect(chargesIn(file)).toEqual([1250, 1251]);
  });
});
