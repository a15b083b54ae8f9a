/**
 * First-run setup through the API boundary and the real core: the backup folder's checks, the
 * terminal connection test over the real link stack and simulated terminal (answer, timeout,
 * unplug), and the settings' persistence with one audit row per change naming who made it.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../electron/contract/api.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { PROBE_QS, checkWritableFolder, classifyFailure, testConnection } from '../../../electron/core/setupService.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';

const OWNER = { name: 'Lin Wei', pin: '482915' };
const MANAGER = { name: 'Zhang Min', pin: '735102' };
const SHOP = { name: '林记小馆', address: '上海市黄浦区南京东路 100 号', phone: '+86 21 5555 0100', taxId: '91310000MA1K000000', currency: '156', locale: 'zh-CN' as const };

const running: RunningCore[] = [];
afterEach(async () => {
  for (const core of running.splice(0)) await core.close();
});

async function boot(dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-setup-')), backend: 'simulator' | null = 'simulator') {
  const core = await startCore({
    dataDir,
    log: silentLogger,
    ...(backend ? { backend } : {}),
    simStatusIntervalMs: 0,
    durability: 'demo',
    backups: { enabled: false },
    sessionTuning: { responseTimeoutMs: 400, ackTimeoutMs: 150, pollIntervalMs: 20 },
  });
  running.push(core);
  return { core, dataDir, owner: createInProcessApi(core.api, 'office'), till: createInProcessApi(core.api, 'till') };
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

async function connected(core: RunningCore) {
  for (let i = 0; i < 100 && core.terminal.state.kind !== 'connected'; i++) await new Promise((r) => setTimeout(r, 20));
  expect(core.terminal.state.kind).toBe('connected');
}

describe('checkWritableFolder', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cs-folder-'));

  it('creates a missing folder under an existing one and leaves no probe file behind', () => {
    const target = path.join(root, 'backups-here');
    expect(checkWritableFolder(target)).toBe(target);
    expect(existsSync(target)).toBe(true);
    expect(readdirSync(target)).toEqual([]);
  });

  it('refuses a relative path, a file, a folder whose parent is missing, and one that cannot be created', () => {
    expect(() => checkWritableFolder('backups')).toThrow(expect.objectContaining({ code: 'setup.folder.not_absolute' }));
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(() => checkWritableFolder(file)).toThrow(expect.objectContaining({ code: 'setup.folder.not_a_folder' }));
    expect(() => checkWritableFolder(path.join(root, 'no', 'such', 'parent'))).toThrow(expect.objectContaining({ code: 'setup.folder.no_parent' }));
    // /proc refuses new entries even to root.
    expect(() => checkWritableFolder('/proc/countersign-backups')).toThrow(expect.objectContaining({ code: 'setup.folder.not_writable' }));
  });
});

describe('classifyFailure', () => {
  it('names the session outcomes the test can end in', () => {
    expect(classifyFailure('no response within 30000 ms')).toBe('timeout');
    expect(classifyFailure('link: no ACK after 3 sends')).toBe('nak');
    expect(classifyFailure('device disconnected (read error)')).toBe('unplugged');
    expect(classifyFailure('malformed response (E_FIELD: RC)')).toBe('bad_response');
    expect(classifyFailure('terminal not connected')).toBe('not_connected');
  });
});

describe('test connection', () => {
  it('is a QT round trip to the simulated terminal: answered RC 25, timed, recorded on its own SEQ, with the terminal id of the last charge', async () => {
    const { core, till } = await boot();
    await connected(core);
    const sim = core.terminal.simulator!;
    await sim.createCharge({ amountMinor: 1280 }).delivered;
    sim.sendStatus('IDLE');
    for (let i = 0; i < 50 && !core.terminal.lastStatus; i++) await new Promise((r) => setTimeout(r, 20));

    const result = await till.invoke('setup.testConnection', {});
    expect(result).toMatchObject({ ok: true, rc: '25', failure: null, backend: 'simulator', terminalId: sim.charges[0]!.fields.TI, terminalStatus: 'IDLE', paper: 'OK' });
    expect(result.ms).toBeGreaterThanOrEqual(0);
    expect(result.ms).toBeLessThan(2000);
    // The terminal executed exactly one query, about a SEQ no request has.
    expect(sim.executed.filter((e) => e.type === 'QT')).toEqual([expect.objectContaining({ seq: result.seq, rc: '25', request: { QS: PROBE_QS } })]);
    const row = core.ledger.getHostRequest(result.seq!);
    expect(row).toMatchObject({ type: 'QT', state: 'answered', rc: '25' });
  });

  it('a lost answer is a timeout; a second test meanwhile waits for the same probe instead of sending another', async () => {
    const { core, till, owner } = await boot();
    await connected(core);
    const sim = core.terminal.simulator!;
    sim.inject({ kind: 'lose-next-response' });
    // The default limit (5 s) is longer than this session's (400 ms): the session's own timeout decides.
    const [a, b] = await Promise.all([till.invoke('setup.testConnection', {}), owner.invoke('setup.testConnection', {})]);
    for (const result of [a, b]) expect(result).toMatchObject({ ok: false, failure: 'timeout', rc: null, seq: a.seq });
    expect(a.detail).toMatch(/no response within 400 ms/);
    expect(sim.executed.filter((e) => e.type === 'QT')).toHaveLength(1);
    expect(core.ledger.getHostRequest(a.seq!)).toMatchObject({ state: 'unknown' });
    // The next test sends a new probe, and this one is answered.
    const next = await till.invoke('setup.testConnection', {});
    expect(next).toMatchObject({ ok: true, rc: '25' });
    expect(next.seq).not.toBe(a.seq);
  });

  it('with our own shorter limit: timeout, and the late answer still lands on the probe\'s ledger row', async () => {
    const { core } = await boot();
    await connected(core);
    const sim = core.terminal.simulator!;
    sim.inject({ kind: 'delay-next-response', ms: 250 });
    const quick = await testConnection(
      { ledger: core.ledger, terminal: core.terminal, actor: 'cashier', timeoutMs: 60 },
      { probe: null, startedAt: 0, seq: null },
    );
    expect(quick).toMatchObject({ ok: false, failure: 'timeout', rc: null });
    expect(quick.ms).toBeGreaterThanOrEqual(50);
    expect(quick.ms).toBeLessThan(250);
    for (let i = 0; i < 50 && core.ledger.getHostRequest(quick.seq!)?.state !== 'answered'; i++) await new Promise((r) => setTimeout(r, 20));
    expect(core.ledger.getHostRequest(quick.seq!)).toMatchObject({ state: 'answered', rc: '25' });
  });

  it('an unplugged terminal is reported as such, without sending anything', async () => {
    const { core, till } = await boot();
    await connected(core);
    const sim = core.terminal.simulator!;
    sim.inject({ kind: 'unplug' });
    for (let i = 0; i < 100 && core.terminal.state.kind === 'connected'; i++) await new Promise((r) => setTimeout(r, 20));
    const result = await till.invoke('setup.testConnection', {});
    expect(result).toMatchObject({ ok: false, seq: null, rc: null });
    expect(['unplugged', 'not_connected']).toContain(result.failure);
    expect(result.detail).toBeTruthy();
    expect(sim.executed.filter((e) => e.type === 'QT')).toHaveLength(0);
  });
});

describe('setup settings', () => {
  it('need a manager; are saved with one audit row each naming who; survive a restart; "completed" is set once', async () => {
    const { core, dataDir, owner, till } = await boot();
    expect(await till.invoke('setup.get', {})).toMatchObject({ completed: false, terminalChoice: null, backupFolderIsDefault: true, dataDir });
    expect((await apiErrorOf(till.invoke('setup.saveShop', { shop: SHOP }))).code).toBe('auth.required');
    expect((await apiErrorOf(till.invoke('setup.complete', {}))).code).toBe('auth.required');

    await owner.invoke('auth.setupOwner', { ownerName: OWNER.name, ownerPin: OWNER.pin, managerName: MANAGER.name, managerPin: MANAGER.pin });
    const headBefore = core.ledger.auditHead()!.seq;
    const saved = await owner.invoke('setup.saveShop', { shop: { ...SHOP, name: `  ${SHOP.name} ` } });
    expect(saved.shop).toEqual(SHOP);
    const rows = core.ledger.auditRows(headBefore + 1, 10);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor: `owner:${OWNER.name}`, action: 'setup.shop_saved', entity: 'setup' });
    // Receipts read the name where they always did.
    expect((await owner.invoke('printers.list', {})).merchantName).toBe(SHOP.name);
    // Saving the same again changes nothing and writes nothing.
    await owner.invoke('setup.saveShop', { shop: SHOP });
    expect(core.ledger.auditHead()!.seq).toBe(headBefore + 1);

    const badCurrency = await apiErrorOf(owner.invoke('setup.saveShop', { shop: { ...SHOP, currency: '999' } }));
    expect(badCurrency.code).toBe('setup.shop.unknown_currency');
    const badPhone = await apiErrorOf(owner.invoke('setup.saveShop', { shop: { ...SHOP, phone: 'call me' } }));
    expect(badPhone.code).toBe('validation.failed');

    const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'cs-setup-bk-')), 'off-site');
    const withFolder = await owner.invoke('setup.setBackupFolder', { folder });
    expect(withFolder).toMatchObject({ backupFolder: folder, backupFolderIsDefault: false });
    const folderError = await apiErrorOf(owner.invoke('setup.setBackupFolder', { folder: '/proc/nope' }));
    expect(folderError.code).toBe('setup.folder.not_writable');
    expect(folderError.params.folder).toBe('/proc/nope');

    const done = await owner.invoke('setup.complete', {});
    expect(done).toMatchObject({ completed: true, completedBy: `owner:${OWNER.name}` });
    const head = core.ledger.auditHead()!.seq;
    await owner.invoke('setup.complete', {});
    expect(core.ledger.auditHead()!.seq).toBe(head);

    await core.close();
    running.splice(0);
    const again = await boot(dataDir);
    const state = await again.till.invoke('setup.get', {});
    expect(state).toMatchObject({ completed: true, shop: SHOP, backupFolder: folder, completedAt: done.completedAt });
    expect(again.core.ledger.verifyAudit()).toMatchObject({ ok: true });
  });

  it('a backup taken now goes to the chosen folder and is listed', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-setup-'));
    const core = await startCore({ dataDir, log: silentLogger, backend: 'simulator', simStatusIntervalMs: 0, durability: 'demo', backups: { firstDelayMs: 3_600_000 } });
    running.push(core);
    const owner = createInProcessApi(core.api, 'office');
    expect((await apiErrorOf(owner.invoke('backups.take', {}))).code).toBe('auth.required');
    await owner.invoke('auth.setupOwner', { ownerName: OWNER.name, ownerPin: OWNER.pin, managerName: MANAGER.name, managerPin: MANAGER.pin });
    const folder = mkdtempSync(path.join(os.tmpdir(), 'cs-setup-bk-'));
    await owner.invoke('setup.setBackupFolder', { folder });
    expect((await owner.invoke('backups.list', {})).backups).toEqual([]);
    const after = await owner.invoke('backups.take', {});
    expect(after.folder).toBe(folder);
    expect(after.backups).toHaveLength(1);
    expect(after.backups[0]).toMatchObject({ kind: 'daily' });
    expect(after.backups[0]!.size).toBeGreaterThan(0);
    expect(readdirSync(folder)).toEqual([after.backups[0]!.name]);
  });

  it('the terminal choice is saved, the link restarts on it, and it is used at the next start when no flag or environment pins one', async () => {
    const { core, dataDir, owner } = await boot();
    await owner.invoke('auth.setupOwner', { ownerName: OWNER.name, ownerPin: OWNER.pin, managerName: MANAGER.name, managerPin: MANAGER.pin });
    // node-hid, not the simulator: without a saved choice this machine (no terminal attached) would start the simulator.
    const list = await owner.invoke('setup.chooseTerminal', { choice: 'node-hid' });
    expect(list).toMatchObject({ choice: 'node-hid', running: 'node-hid' });
    expect(core.terminal.simulator).toBeNull();
    await core.close();
    running.splice(0);
    const previous = process.env.COUNTERSIGN_BACKEND;
    delete process.env.COUNTERSIGN_BACKEND;
    try {
      const again = await boot(dataDir, null);
      expect(again.core.terminal.running).toBe('node-hid');
      expect(again.core.terminal.simulator).toBeNull();
      expect((await again.till.invoke('setup.get', {})).terminalChoice).toBe('node-hid');
    } finally {
      if (previous !== undefined) process.env.COUNTERSIGN_BACKEND = previous;
    }
  });
});
