/**
 * The ledger file's health as the core runs: opening it (and restoring the newest good backup when
 * it is damaged), the full integrity check in the background when the start only did a structural
 * one, the daily backup, and a full disk. What the user must know reaches the screens as `notice`
 * events (replayed to every screen that connects later, for what stays true: a restore, damage)
 * and as `status.ledger`.
 */
import path from 'node:path';
import type { ApiEvent } from '../contract/api.js';
import type { LedgerHealth as LedgerHealthView } from '../contract/schemas.js';
import {
  DAY_MS,
  KEEP_DAILY,
  backupDirFor,
  backupTimestamp,
  cleanTemporaryBackups,
  listBackups,
  recordRestore,
  restoreBackup,
  writeDailyBackup,
} from '../ledger/backups.js';
import { ledgerMarkers, quickCheckInBackground } from '../ledger/integrity.js';
import { LedgerError, openLedger, type Ledger, type OpenLedgerOptions } from '../ledger/ledger.js';
import { writeFileSync } from 'node:fs';
import type { Logger } from './logger.js';

type Notice = Extract<ApiEvent, { name: 'notice' }>;

export interface LedgerRecovery {
  at: Date;
  check: string;
  setAside: string | null;
  backupFile: string | null;
  backupTakenAt: Date | null;
  seqAdvancedTo: number;
}

/**
 * Opens the ledger; a damaged file (db.corrupt) is set aside as `<file>.corrupt-<timestamp>` and the
 * newest backup that verifies takes its place (none: a new, empty ledger starts). Any other failure
 * (too new, locked, unreadable folder) is thrown as it is: those are not fixed by a backup.
 */
export async function openLedgerRecovering(
  file: string,
  options: OpenLedgerOptions & { log: Logger; backupDirs?: readonly string[] },
): Promise<{ ledger: Ledger; recovery: LedgerRecovery | null }> {
  const { log, backupDirs, ...open } = options;
  try {
    return { ledger: await openLedger(file, open), recovery: null };
  } catch (error) {
    if (!(error instanceof LedgerError) || error.code !== 'db.corrupt') throw error;
    const now = (open.clock ?? (() => new Date()))();
    log.error('ledger.corrupt', { check: error.params.check ?? '', message: error.message });
    const result = restoreBackup(file, { suffix: `.corrupt-${backupTimestamp(now)}`, dirs: backupDirs ?? [] });
    for (const r of result.rejected) log.warn('backup.rejected', { backup: path.basename(r.file), reason: r.reason });
    const ledger = await openLedger(file, open);
    const seqAdvancedTo = recordRestore(ledger, {
      reason: `damaged at start (${error.params.check ?? 'corrupt'})`,
      setAside: result.setAside,
      backupFile: result.backupFile,
      backupTakenAt: result.backupTakenAt,
      rejected: result.rejected.length,
    });
    const recovery: LedgerRecovery = {
      at: now,
      check: error.params.check ?? '',
      setAside: result.setAside,
      backupFile: result.backupFile,
      backupTakenAt: result.backupTakenAt,
      seqAdvancedTo,
    };
    log.error('ledger.restored', {
      setAside: result.setAside,
      backup: result.backupFile,
      backupTakenAt: result.backupTakenAt?.toISOString() ?? null,
      seqAdvancedTo,
    });
    return { ledger, recovery };
  }
}

export interface LedgerHealthOptions {
  ledger: Ledger;
  file: string;
  clock: () => Date;
  log: Logger;
  emit: (event: ApiEvent) => void;
  recovery: LedgerRecovery | null;
  /** First daily-backup check after start (default 5000 ms; the start itself is not slowed). */
  firstBackupDelayMs?: number;
  /** Then every this long (default 1 h): a backup is taken when the newest is a day old. */
  backupCheckIntervalMs?: number;
  keepDaily?: number;
  /** false: no daily backups (tests that do not want them). */
  backups?: boolean;
}

/** How often the same "disk full" notice may be repeated. */
const DISK_NOTICE_EVERY_MS = 60_000;

export class LedgerHealthMonitor {
  private check: LedgerHealthView['check'];
  private diskFull = false;
  private diskNoticeAt = 0;
  private lastBackupAt: Date | null;
  private backupTimer: ReturnType<typeof setTimeout> | undefined;
  private backupInterval: ReturnType<typeof setInterval> | undefined;
  private backingUp: Promise<void> | null = null;
  private checking: Promise<void> | null = null;
  private closed = false;
  private readonly stopChecking = new AbortController();
  private readonly sticky: Notice[] = [];
  private dir: string;

  constructor(private readonly options: LedgerHealthOptions) {
    this.dir = backupDirFor(options.file);
    this.check = options.ledger.diagnostics().startupCheck === 'full' ? 'full' : 'running';
    this.lastBackupAt = listBackups(this.dir)[0]?.takenAt ?? null;
    const r = options.recovery;
    if (r) {
      this.sticky.push({
        name: 'notice',
        payload: r.backupFile
          ? {
              level: 'error',
              code: 'ledger.restored',
              params: {
                setAside: r.setAside ? path.basename(r.setAside) : '',
                backup: path.basename(r.backupFile),
                backupTakenAt: r.backupTakenAt?.toISOString() ?? '',
              },
            }
          : { level: 'error', code: 'ledger.restore_none', params: { setAside: r.setAside ? path.basename(r.setAside) : '' } },
      });
    }
  }

  /** Starts the background check (when the start did not check in full) and the daily backups. */
  start(): void {
    cleanTemporaryBackups(this.dir);
    if (this.check === 'running') this.checking = this.runBackgroundCheck();
    if (this.options.backups === false) return;
    const first = this.options.firstBackupDelayMs ?? 5000;
    this.backupTimer = setTimeout(() => void this.backupIfDue(), first);
    this.backupTimer.unref?.();
    this.backupInterval = setInterval(() => void this.backupIfDue(), this.options.backupCheckIntervalMs ?? 3_600_000);
    this.backupInterval.unref?.();
  }

  snapshot(): LedgerHealthView {
    const r = this.options.recovery;
    return {
      check: this.check,
      recovery: r
        ? {
            at: r.at.toISOString(),
            setAside: r.setAside ? path.basename(r.setAside) : null,
            backupFile: r.backupFile ? path.basename(r.backupFile) : null,
            backupTakenAt: r.backupTakenAt?.toISOString() ?? null,
          }
        : null,
      lastBackupAt: this.lastBackupAt?.toISOString() ?? null,
      diskFull: this.diskFull,
    };
  }

  /** Notices that stay true, for a screen that connects now. */
  stickyNotices(): readonly Notice[] {
    return this.sticky;
  }

  /** A write failed: a full disk is told to every screen (again at most once a minute). */
  writeFailed(error: unknown): void {
    if ((error as { code?: unknown })?.code !== 'db.disk_full') return;
    const now = Date.now();
    const first = !this.diskFull;
    this.diskFull = true;
    if (first || now - this.diskNoticeAt >= DISK_NOTICE_EVERY_MS) {
      this.diskNoticeAt = now;
      this.options.log.error('db.disk_full', {});
      this.notice({ level: 'error', code: 'db.disk_full', params: {} });
    }
  }

  /** A write succeeded: after a full disk, say that recording works again. */
  writeSucceeded(): void {
    if (!this.diskFull) return;
    this.diskFull = false;
    this.options.log.info('db.disk_ok', {});
    this.notice({ level: 'info', code: 'db.disk_ok', params: {} });
  }

  /** Where backups are written. */
  get backupDir(): string {
    return this.dir;
  }

  /** Backups go to `dir` from now on (the setup checked it is writable); null: the default folder. */
  setBackupDir(dir: string | null): void {
    this.dir = dir ?? backupDirFor(this.options.file);
    this.lastBackupAt = listBackups(this.dir)[0]?.takenAt ?? this.lastBackupAt;
  }

  /** Takes the daily backup now if the newest is a day old (or there is none). */
  backupIfDue(): Promise<void> {
    if (this.closed || this.backingUp) return this.backingUp ?? Promise.resolve();
    const now = this.options.clock();
    const newest = listBackups(this.dir)[0];
    if (newest && now.getTime() - newest.takenAt.getTime() < DAY_MS) return Promise.resolve();
    return this.backupNow();
  }

  backupNow(): Promise<void> {
    if (this.backingUp) return this.backingUp;
    const now = this.options.clock();
    const started = Date.now();
    this.backingUp = writeDailyBackup(this.options.ledger, this.dir, now, this.options.keepDaily ?? KEEP_DAILY)
      .then(
        (file) => {
          this.lastBackupAt = now;
          this.options.log.info('backup.written', { file: path.basename(file), ms: Date.now() - started });
        },
        (error: unknown) => {
          if (this.closed) return; // the ledger closed under it: not a failure to report
          const code = (error as { code?: string }).code ?? 'backup.failed';
          this.options.log.error('backup.failed', { code, message: (error as Error).message });
          this.writeFailed(error);
          this.notice({ level: 'warning', code: 'backup.failed', params: { reason: code } });
        },
      )
      .finally(() => {
        this.backingUp = null;
      });
    return this.backingUp;
  }

  /** Resolves when the background check (if any) is done. */
  whenChecked(): Promise<void> {
    return this.checking ?? Promise.resolve();
  }

  private async runBackgroundCheck(): Promise<void> {
    const result = await quickCheckInBackground(this.options.file, { signal: this.stopChecking.signal });
    if (this.closed) return;
    if (result.state === 'ok') {
      this.check = 'ok';
      this.options.log.info('ledger.check_ok', { ms: result.ms });
      return;
    }
    if (result.state === 'failed') {
      this.check = 'failed';
      this.options.log.warn('ledger.check_failed', { reason: result.reason });
      return;
    }
    this.check = 'damaged';
    this.options.log.error('ledger.damaged', { problems: result.problems.slice(0, 5) });
    // The next start checks in full and restores the newest good backup.
    try {
      writeFileSync(ledgerMarkers(this.options.file).needsCheck, JSON.stringify({ at: this.options.clock().toISOString(), problems: result.problems.slice(0, 5) }));
    } catch (error) {
      this.options.log.error('ledger.mark_failed', { message: (error as Error).message });
    }
    const notice: Notice = { name: 'notice', payload: { level: 'error', code: 'ledger.damaged', params: {} } };
    this.sticky.push(notice);
    this.options.emit(notice);
  }

  private notice(payload: Notice['payload']): void {
    this.options.emit({ name: 'notice', payload });
  }

  /** Stops the timers; waits (briefly) for a backup in progress. */
  async close(): Promise<void> {
    clearTimeout(this.backupTimer);
    clearInterval(this.backupInterval);
    const pending = this.backingUp;
    this.closed = true;
    this.stopChecking.abort();
    if (pending) await Promise.race([pending, new Promise((r) => setTimeout(r, 2000).unref?.())]);
  }
}
