/**
 * First-run setup and the same settings changed later: the shop profile (receipt header, currency,
 * locale), the terminal (choice, device list, connection test), the backup folder, and whether the
 * wizard was finished. Every change goes through SetupStore: one transaction, one audit row.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ApiError } from '../contract/api.js';
import {
  ShopProfile,
  TerminalChoice,
  type BackupsState,
  type ConnectionTest,
  type ConnectionTestFailure,
  type SetupState,
  type TerminalList,
} from '../contract/commands/setup.js';
import { knownCurrencies, SIMULATOR_CURRENCY } from '../domain/currency.js';
import { backupDirFor, listBackups } from '../ledger/backups.js';
import type { Ledger } from '../ledger/ledger.js';
import { SETUP_KEYS, SetupStore } from '../ledger/setupStore.js';
import type { RequestOutcome } from '../../native/session/types.js';
import type { LedgerHealthMonitor } from './ledgerHealth.js';
import type { Logger } from './logger.js';
import { PRINTING_SETTINGS_KEY, type PrintService } from './printService.js';
import type { TerminalManager } from './terminalManager.js';

const Completed = z.object({ at: z.string(), by: z.string() });
const StoredShop = ShopProfile.omit({ name: true });
const BackupFolder = z.string().nullable();

/**
 * The probe asks the terminal about SEQ 000000, which no request ever has (SEQs run 000001..999999):
 * the spec's answer is RC 25 ("never received"), so the round trip changes nothing on the terminal.
 */
export const PROBE_QS = '000000';
export const PROBE_ANSWER_RC = '25';
/** How long a connection test waits for the answer (the session itself waits longer for real requests). */
export const TEST_TIMEOUT_MS = 5000;

/** The terminal choice saved by the setup (null: none, or unreadable). */
export function readSavedTerminalChoice(ledger: Ledger): TerminalChoice | null {
  try {
    return new SetupStore(ledger).get(SETUP_KEYS.terminal, TerminalChoice) ?? null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- folders

/**
 * Checks that `folder` can hold backups: an absolute path to a folder (created when missing, its
 * parent must exist), where a file can really be written and removed. Returns the resolved path.
 */
export function checkWritableFolder(folder: string): string {
  if (!path.isAbsolute(folder)) throw new ApiError('setup.folder.not_absolute', `${folder} is not an absolute path`, { folder });
  const resolved = path.resolve(folder);
  let isDir = false;
  try {
    const st = statSync(resolved);
    if (!st.isDirectory()) throw new ApiError('setup.folder.not_a_folder', `${resolved} is a file, not a folder`, { folder: resolved });
    isDir = true;
  } catch (error) {
    if (error instanceof ApiError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ApiError('setup.folder.unreadable', `${resolved} cannot be read: ${(error as Error).message}`, { folder: resolved, reason: (error as NodeJS.ErrnoException).code ?? 'error' });
    }
  }
  if (!isDir) {
    let parentOk = false;
    try {
      parentOk = statSync(path.dirname(resolved)).isDirectory();
    } catch {
      parentOk = false;
    }
    if (!parentOk) throw new ApiError('setup.folder.no_parent', `the folder above ${resolved} does not exist`, { folder: resolved, parent: path.dirname(resolved) });
    try {
      mkdirSync(resolved, { mode: 0o700 });
    } catch (error) {
      throw new ApiError('setup.folder.not_writable', `${resolved} cannot be created: ${(error as Error).message}`, { folder: resolved, reason: (error as NodeJS.ErrnoException).code ?? 'error' });
    }
  }
  const probe = path.join(resolved, `.countersign-write-test-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, 'countersign', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    throw new ApiError('setup.folder.not_writable', `${resolved} is not writable: ${(error as Error).message}`, { folder: resolved, reason: (error as NodeJS.ErrnoException).code ?? 'error' });
  } finally {
    rmSync(probe, { force: true });
  }
  return resolved;
}

// ---------------------------------------------------------------- connection test

/** Which specific failure a session's "unknown" outcome is. */
export function classifyFailure(reason: string): ConnectionTestFailure {
  if (/^no response within/.test(reason)) return 'timeout';
  if (/^link:/.test(reason)) return 'nak';
  if (/disconnected|unplug/i.test(reason)) return 'unplugged';
  if (/^malformed response/.test(reason)) return 'bad_response';
  return 'not_connected';
}

export interface ConnectionTestDeps {
  ledger: Ledger;
  terminal: TerminalManager;
  actor: string;
  timeoutMs?: number;
  /** Monotonic milliseconds (tests may pass their own). */
  now?: () => number;
}

/**
 * One status round trip through the link: the probe's SEQ is written to the ledger first (a SEQ is
 * never reused), sent as QT, and the answer (or why none came) recorded on it. The result also
 * carries the terminal's last ST (SS, PP) and the terminal id of its last charge.
 */
export async function testConnection(deps: ConnectionTestDeps, inflight: { probe: Promise<RequestOutcome> | null; startedAt: number; seq: string | null }): Promise<ConnectionTest> {
  const { ledger, terminal } = deps;
  const now = deps.now ?? (() => performance.now());
  const link = terminal.state;
  const base = {
    backend: terminal.running,
    device: link.kind === 'connected' ? link.device : null,
    terminalStatus: terminal.lastStatus?.fields.SS ?? null,
    paper: terminal.lastStatus?.fields.PP ?? null,
    statusAt: terminal.lastStatus?.at.toISOString() ?? null,
    terminalId: terminal.lastTerminalId,
  };
  if (link.kind !== 'connected' && !inflight.probe) {
    const detail = link.kind === 'reconnecting' || link.kind === 'unavailable' ? link.reason : `link ${link.kind}`;
    return { ok: false, seq: null, ms: 0, rc: null, failure: link.kind === 'reconnecting' ? 'unplugged' : 'not_connected', detail, ...base };
  }
  // A probe still unanswered (an earlier test timed out) is waited for again rather than sent twice:
  // the session matches answers by QS, and two probes would share one.
  if (!inflight.probe) {
    const { seq } = ledger.createHostRequest({ type: 'QT', fields: { QS: PROBE_QS } }, deps.actor);
    inflight.seq = seq;
    inflight.startedAt = now();
    const probe = terminal.send({ seq, type: 'QT', fields: { QS: PROBE_QS } });
    inflight.probe = probe;
    void probe.then((outcome) => {
      if (inflight.probe !== probe) return;
      inflight.probe = null;
      try {
        ledger.resolveHostRequest(
          seq,
          outcome.kind === 'response'
            ? { state: 'answered', rc: outcome.response.fields.RC ?? '', response: outcome.response.fields }
            : { state: 'unknown', reason: outcome.reason },
          deps.actor,
        );
      } catch {
        /* the ledger closed meanwhile: the row stays pending, as after a crash */
      }
    });
  }
  const probe = inflight.probe!;
  const seq = inflight.seq;
  const timeoutMs = deps.timeoutMs ?? TEST_TIMEOUT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    probe,
    new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs - (now() - inflight.startedAt)));
    }),
  ]);
  clearTimeout(timer);
  const ms = Math.max(0, Math.round(now() - inflight.startedAt));
  const after = { ...base, terminalStatus: terminal.lastStatus?.fields.SS ?? null, paper: terminal.lastStatus?.fields.PP ?? null, statusAt: terminal.lastStatus?.at.toISOString() ?? null, terminalId: terminal.lastTerminalId };
  if (outcome === 'timeout') {
    return { ok: false, seq, ms, rc: null, failure: 'timeout', detail: `no answer within ${timeoutMs} ms`, ...after };
  }
  if (outcome.kind === 'unknown') {
    return { ok: false, seq, ms, rc: null, failure: classifyFailure(outcome.reason), detail: outcome.reason, ...after };
  }
  const rc = outcome.response.fields.RC ?? null;
  // Any answer to the probe proves the round trip; anything but "never received" is still shown.
  return { ok: true, seq, ms, rc, failure: null, detail: rc === PROBE_ANSWER_RC ? null : `unexpected RC ${rc ?? '-'}`, ...after };
}

// ---------------------------------------------------------------- the service

export interface SetupServiceOptions {
  ledger: Ledger;
  terminal: TerminalManager;
  printing: PrintService;
  health: LedgerHealthMonitor | null;
  /** The ledger file (the default backup folder is beside it). */
  ledgerFile: string;
  dataDir: string;
  clock: () => Date;
  log: Logger;
  /** Told each new backup folder (null: the default), to mirror it outside the ledger (location.json). */
  onBackupFolderChanged?: (folder: string | null) => void;
}

export class SetupService {
  private readonly store: SetupStore;
  private readonly probe: { probe: Promise<RequestOutcome> | null; startedAt: number; seq: string | null } = { probe: null, startedAt: 0, seq: null };

  constructor(private readonly opts: SetupServiceOptions) {
    this.store = new SetupStore(opts.ledger);
  }

  /** The saved backup folder, applied to the backups (at start and after a change). */
  applySavedBackupFolder(): void {
    const saved = this.store.get(SETUP_KEYS.backupFolder, BackupFolder) ?? null;
    this.opts.health?.setBackupDir(saved);
  }

  /** The backup folder saved in the ledger (null: the default). */
  savedBackupFolder(): string | null {
    return this.store.get(SETUP_KEYS.backupFolder, BackupFolder) ?? null;
  }

  /** The saved terminal choice, if any. */
  savedTerminalChoice(): TerminalChoice | null {
    return readSavedTerminalChoice(this.opts.ledger);
  }

  private backupFolder(): string {
    return this.opts.health?.backupDir ?? this.store.get(SETUP_KEYS.backupFolder, BackupFolder) ?? backupDirFor(this.opts.ledgerFile);
  }

  state(): SetupState {
    const completed = this.store.get(SETUP_KEYS.completed, Completed) ?? null;
    const stored = this.store.get(SETUP_KEYS.shop, StoredShop);
    const shop = stored ?? { address: '', phone: '', taxId: '', currency: SIMULATOR_CURRENCY, locale: 'zh-CN' as const };
    const savedFolder = this.store.get(SETUP_KEYS.backupFolder, BackupFolder) ?? null;
    return {
      completed: completed !== null,
      completedAt: completed?.at ?? null,
      completedBy: completed?.by ?? null,
      shop: { ...shop, name: this.opts.printing.settings().merchantName },
      shopSaved: stored !== undefined,
      terminalChoice: this.savedTerminalChoice(),
      backupFolder: this.backupFolder(),
      backupFolderIsDefault: savedFolder === null,
      dataDir: this.opts.dataDir,
      currencies: knownCurrencies(),
    };
  }

  /** The name goes where receipts read it (the printing settings); the rest in the shop profile; one transaction. */
  saveShop(shop: ShopProfile, actor: string): SetupState {
    if (!knownCurrencies().some((c) => c.numeric === shop.currency)) {
      throw new ApiError('setup.shop.unknown_currency', `${shop.currency} is not an ISO 4217 code this app knows`, { currency: shop.currency });
    }
    const { name, ...profile } = shop;
    this.store.write('setup.shop_saved', { [SETUP_KEYS.shop]: profile, [PRINTING_SETTINGS_KEY]: { ...this.opts.printing.settings(), merchantName: name } }, actor);
    return this.state();
  }

  async terminals(): Promise<TerminalList> {
    const found = await this.opts.terminal.listDevices();
    return {
      nodeHidProblem: found.nodeHidProblem,
      devices: found.devices.map((d) => ({ path: d.path, product: d.product ?? null, manufacturer: d.manufacturer ?? null, serialNumber: d.serialNumber ?? null })),
      choice: this.savedTerminalChoice(),
      running: this.opts.terminal.running,
    };
  }

  /** Saves the choice, then restarts the link on it (charges the terminal holds meanwhile are sent again by it). */
  async chooseTerminal(choice: TerminalChoice, actor: string): Promise<TerminalList> {
    this.store.write('setup.terminal_chosen', { [SETUP_KEYS.terminal]: choice }, actor);
    const running = this.opts.terminal.running;
    // Restarting what already runs would only drop the link (and reset a simulator's batch).
    let restart = choice !== running;
    if (choice === 'auto') {
      const found = await this.opts.terminal.listDevices();
      restart = running === 'none' || running === 'socket' || (running === 'simulator') === found.devices.length > 0;
    }
    this.opts.log.info('setup.terminal_chosen', { choice, restart });
    if (restart) await this.opts.terminal.start(choice);
    return this.terminals();
  }

  testConnection(actor: string, timeoutMs?: number): Promise<ConnectionTest> {
    return testConnection({ ledger: this.opts.ledger, terminal: this.opts.terminal, actor, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }, this.probe);
  }

  setBackupFolder(folder: string | null, actor: string): SetupState {
    const resolved = folder === null ? null : checkWritableFolder(folder);
    this.store.write('setup.backup_folder_set', { [SETUP_KEYS.backupFolder]: resolved }, actor);
    this.opts.health?.setBackupDir(resolved);
    this.opts.onBackupFolderChanged?.(resolved);
    return this.state();
  }

  complete(actor: string): SetupState {
    if (this.store.get(SETUP_KEYS.completed, Completed)) return this.state();
    this.store.write('setup.completed', { [SETUP_KEYS.completed]: { at: this.opts.clock().toISOString(), by: actor } }, actor);
    return this.state();
  }

  backups(): BackupsState {
    const folder = this.backupFolder();
    return {
      folder,
      backups: listBackups(folder).map((b) => ({ name: b.name, kind: b.kind, takenAt: b.takenAt.toISOString(), size: b.size })),
    };
  }

  async takeBackup(): Promise<BackupsState> {
    const health = this.opts.health;
    if (!health) throw new ApiError('setup.backups.unavailable', 'backups are not running here');
    const before = new Set(listBackups(health.backupDir).map((b) => b.name));
    await health.backupNow();
    const after = this.backups();
    if (!after.backups.some((b) => !before.has(b.name))) {
      throw new ApiError('setup.backups.failed', 'the backup could not be taken (see the notice for why)');
    }
    return after;
  }
}
