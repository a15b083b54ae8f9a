import { mkdirSync } from 'node:fs';
import type { Ledger } from '../ledger/ledger.js';
import { isCommandName, type ApiEvent } from '../contract/api.js';
import { chargeFromMessage } from './chargeFromMessage.js';
import { createChargeIntake } from './chargeIntake.js';
import { createDispatcher } from './dispatch.js';
import { createEventHub } from './events.js';
import { createLoopYield } from './loopYield.js';
import { appStatus, createHandlers, type HandlerDeps } from './handlers/index.js';
import { actorName } from './auth/authorizer.js';
import { PASSIVE_COMMANDS, createSessionAuthorizer } from './auth/sessions.js';
import { Accounts } from '../ledger/accounts.js';
import type { Logger } from './logger.js';
import { ledgerPath } from './paths.js';
import { RequestRunner } from './requestRunner.js';
import { recordRecoveredSettlements } from './settlementRecovery.js';
import { PrintService } from './printService.js';
import { AdjustmentService } from './adjustmentService.js';
import { adjustmentReceipts } from './adjustmentReceipts.js';
import { IncidentService } from './incidentService.js';
import { ExportService } from './exportService.js';
import type { FileDialogs } from './fileDialogs.js';
import type { SystemPrintAdapter } from '../printing/system.js';
import { TerminalManager, parseBackendChoice, type BackendChoice, type TerminalManagerOptions } from './terminalManager.js';
import type { CoreApi } from './types.js';
import { APP_VERSION } from './version.js';
import { LedgerHealthMonitor, openLedgerRecovering } from './ledgerHealth.js';
import { SetupService, readSavedTerminalChoice } from './setupService.js';
import { DataDirService } from './dataDirService.js';
import type { DataDirChoice } from './dataLocation.js';

export interface StartCoreOptions {
  dataDir: string;
  log: Logger;
  backend?: BackendChoice;
  clock?: () => Date;
  simStatusIntervalMs?: number;
  sessionTuning?: TerminalManagerOptions['sessionTuning'];
  durability?: 'full' | 'demo';
  /** Defaults to <dataDir>/countersign.db. */
  ledgerFile?: string;
  /** Manager mode ends after this long without a command (default: COUNTERSIGN_MANAGER_IDLE_MS, else 60 s). */
  managerIdleMs?: number;
  /** The OS printers (only the Electron shell has them). */
  systemPrinter?: SystemPrintAdapter | null;
  /** The native folder/file choosers (only the Electron shell has them). */
  dialogs?: FileDialogs | null;
  /**
   * Daily backups (ledgerHealth.ts): first check after `firstDelayMs` (default
   * COUNTERSIGN_BACKUP_DELAY_MS, else 5 s), then hourly; `enabled: false` turns them off.
   */
  backups?: { enabled?: boolean; firstDelayMs?: number; checkIntervalMs?: number; keepDaily?: number };
  /** The ledger's start check (see OpenLedgerOptions.startupCheck). */
  startupCheck?: 'auto' | 'full' | 'structural';
  /**
   * How `dataDir` was chosen (dataLocation.ts resolveDataDirFromDisk): location.json, the mirrored
   * backup folder a damaged ledger is restored from. Absent: the caller fixed the folder (no move).
   */
  dataDirChoice?: DataDirChoice;
  /** The desktop shell's restart (after a data move); absent: started again by hand. */
  relaunch?: (() => void) | null;
  /** Fault injection for the data-move tests (DataDirServiceOptions.afterStep). */
  dataMoveAfterStep?: ConstructorParameters<typeof DataDirService>[0]['afterStep'];
}

export interface RunningCore {
  api: CoreApi;
  ledger: Ledger;
  terminal: TerminalManager;
  requests: RequestRunner;
  /** Receipts: the void/refund flow prints through `printing.printReceipt`. */
  printing: PrintService;
  adjustments: AdjustmentService;
  /** The ledger file's health: background check, restore at start, backups, full disk. */
  health: LedgerHealthMonitor;
  close(): Promise<void>;
}

function managerIdleFromEnv(): number | undefined {
  const v = Number(process.env.COUNTERSIGN_MANAGER_IDLE_MS);
  return Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

function backendFromEnv(): BackendChoice | undefined {
  return parseBackendChoice(process.env.COUNTERSIGN_BACKEND) ?? undefined;
}

/**
 * The whole app minus its windows: ledger, terminal link, commands and events. The Electron shell,
 * the browser host, the CLI and the tests all run this same core.
 */
export async function startCore(options: StartCoreOptions): Promise<RunningCore> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const clock = options.clock ?? (() => new Date());
  const log = options.log;
  const ledgerFile = options.ledgerFile ?? ledgerPath(options.dataDir);
  const dataDirChoice: DataDirChoice = options.dataDirChoice ?? {
    dataDir: options.dataDir,
    source: 'flag',
    locationFile: null,
    osDefault: null,
    backupFolder: null,
    locationProblem: null,
  };
  // A damaged ledger file is set aside and the newest good backup restored (ledgerHealth.ts).
  const { ledger, recovery } = await openLedgerRecovering(ledgerFile, {
    clock,
    durability: options.durability ?? 'full',
    ...(options.startupCheck ? { startupCheck: options.startupCheck } : {}),
    log,
    // The chosen backup folder is a setting inside the ledger being restored: its mirror is searched too.
    backupDirs: dataDirChoice.backupFolder ? [dataDirChoice.backupFolder] : [],
  });
  const hub = createEventHub();
  const envBackupDelay = Number(process.env.COUNTERSIGN_BACKUP_DELAY_MS);
  const health = new LedgerHealthMonitor({
    ledger,
    file: ledgerFile,
    clock,
    log,
    emit: (event) => hub.emit(event),
    recovery,
    backups: options.backups?.enabled ?? true,
    firstBackupDelayMs: options.backups?.firstDelayMs ?? (Number.isSafeInteger(envBackupDelay) && envBackupDelay >= 0 ? envBackupDelay : 5000),
    ...(options.backups?.checkIntervalMs !== undefined ? { backupCheckIntervalMs: options.backups.checkIntervalMs } : {}),
    ...(options.backups?.keepDaily !== undefined ? { keepDaily: options.backups.keepDaily } : {}),
  });
  const envStatusMs = process.env.COUNTERSIGN_SIM_STATUS_MS;
  const intake = createChargeIntake({ ledger, hub, log });
  const yieldToLoop = createLoopYield();

  let requests: RequestRunner;
  const terminal = new TerminalManager({
    // A start flag or the environment wins over what the setup saved (the e2e and the bench pin it).
    choice: options.backend ?? backendFromEnv() ?? readSavedTerminalChoice(ledger) ?? 'auto',
    log,
    simStatusIntervalMs: options.simStatusIntervalMs ?? (envStatusMs !== undefined ? Number(envStatusMs) : 5000),
    ...(options.sessionTuning ? { sessionTuning: options.sessionTuning } : {}),
    onLinkState: (state) => hub.emit({ name: 'link.state', payload: state }),
    handlers: {
      onCharge: async (message) => {
        await yieldToLoop(); // a flood must not starve the pushes, the commands and the timers
        let charge;
        try {
          charge = intake(chargeFromMessage(message));
        } catch (error) {
          health.writeFailed(error); // a full disk is told to the screens; the terminal sends the charge again
          throw error;
        }
        health.writeSucceeded();
        // A charge of the correct amount a manager is waiting for (补刷) is linked to its incident.
        adjustments.noteCharge(charge);
      },
      onStatus: () => {
        // The terminal talks again: ask it about answers that were lost while it was silent.
        if (requests.hasUnknown()) resolveLost();
      },
      onLinkError: (error) => log.warn('link.rejected', error),
      onConnected: () => resolveLost(),
    },
  });
  requests = new RequestRunner(ledger, terminal, log);
  // Lost answers (a crash mid-request included: the ledger turned those 'unknown' at open) are asked
  // about with QT; a settlement the terminal made meanwhile is recorded then, not at the next status.
  const resolveLost = () => {
    void requests
      .resolveUnknown()
      .then(() => recordRecoveredSettlements({ ledger, hub, log }))
      .catch((error) => log.error('request.resolve_failed', { message: (error as Error).message }));
  };

  const accounts = new Accounts(ledger, { clock });
  const sessions = createSessionAuthorizer({
    clock,
    idleMs: options.managerIdleMs ?? managerIdleFromEnv(),
    onEnd: (_sessionId, user, reason) => {
      try {
        ledger.appendAudit(actorName({ ...user }), 'auth.signed_out', 'user', String(user.userId), { ...user, reason });
      } catch (error) {
        log.error('auth.audit_failed', { message: (error as Error).message });
      }
      log.info('auth.signed_out', { userId: user.userId, reason });
      if (reason !== 'replaced') hub.emit({ name: 'auth.changed', payload: { reason: reason === 'idle' ? 'expired' : 'signed_out' } });
    },
  });
  // Idle sign-ins end on time even when their screen sends nothing more.
  const sweeper = setInterval(() => sessions.sweep(), 1000);
  sweeper.unref();

  const printing = new PrintService({
    ledger,
    log,
    clock,
    dataDir: options.dataDir,
    systemPrinter: options.systemPrinter ?? null,
    onJobChanged: (job) => hub.emit({ name: 'printJob.changed', payload: job }),
  });

  const adjustments = new AdjustmentService(ledger, requests, hub, log, adjustmentReceipts(printing));

  const incidents = new IncidentService(ledger, hub, log, adjustments, options.dataDir);
  const exports = new ExportService(ledger, hub, log, clock);
  const dataDirs = new DataDirService({
    ledger,
    choice: dataDirChoice,
    log,
    clock,
    emit: (event) => hub.emit(event),
    relaunch: options.relaunch ?? null,
    ...(options.dataMoveAfterStep ? { afterStep: options.dataMoveAfterStep } : {}),
  });
  const setup = new SetupService({
    ledger,
    terminal,
    printing,
    health,
    ledgerFile,
    dataDir: options.dataDir,
    clock,
    log,
    onBackupFolderChanged: (folder) => dataDirs.mirrorBackupFolder(folder),
  });
  setup.applySavedBackupFolder();
  dataDirs.mirrorBackupFolder(setup.savedBackupFolder());

  const deps: HandlerDeps = {
    ledger,
    terminal,
    requests,
    hub,
    auth: sessions,
    sessions,
    accounts,
    printing,
    adjustments,
    incidents,
    exports,
    setup,
    dataDirs,
    dialogs: options.dialogs ?? null,
    log,
    clock,
    version: APP_VERSION,
    dataDir: options.dataDir,
    health,
  };
  const dispatchCommand = createDispatcher(createHandlers(deps), log);
  // Every command from a signed-in session (except what screens fetch by themselves) keeps it alive.
  const dispatch: CoreApi['dispatch'] = (name, input, ctx) => {
    if (isCommandName(name) && !PASSIVE_COMMANDS.has(name)) sessions.touch(ctx);
    return dispatchCommand(name, input, ctx).catch((error: unknown) => {
      health.writeFailed(error);
      throw error;
    });
  };
  recordRecoveredSettlements({ ledger, hub, log }); // answered before the last run stopped, not yet recorded
  await terminal.start();
  health.start();
  log.info('core.started', { dataDir: options.dataDir, link: terminal.state.kind, check: ledger.diagnostics().startupCheck });

  return {
    api: {
      dispatch,
      subscribe: (listener: (event: ApiEvent) => void) => {
        const off = hub.subscribe(listener);
        // What stays true (a restore at start, a damaged file) reaches screens that connect later too.
        for (const notice of health.stickyNotices()) {
          try {
            listener(notice);
          } catch {
            /* a closed screen */
          }
        }
        return off;
      },
    },
    ledger,
    terminal,
    requests,
    printing,
    adjustments,
    health,
    async close() {
      clearInterval(sweeper);
      await health.close();
      await exports.idle();
      await terminal.stop();
      ledger.close();
      log.info('core.stopped');
    },
  };
}

export { appStatus };
