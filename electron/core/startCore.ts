import { mkdirSync } from 'node:fs';
import { openLedger, type Ledger } from '../ledger/ledger.js';
import { isCommandName, type ApiEvent } from '../contract/api.js';
import { chargeFromMessage } from './chargeFromMessage.js';
import { createChargeIntake } from './chargeIntake.js';
import { createDispatcher } from './dispatch.js';
import { createEventHub } from './events.js';
import { appStatus, createHandlers, type HandlerDeps } from './handlers/index.js';
import { actorName } from './auth/authorizer.js';
import { PASSIVE_COMMANDS, createSessionAuthorizer } from './auth/sessions.js';
import { Accounts } from '../ledger/accounts.js';
import type { Logger } from './logger.js';
import { ledgerPath } from './paths.js';
import { RequestRunner } from './requestRunner.js';
import { PrintService } from './printService.js';
import { AdjustmentService } from './adjustmentService.js';
import { adjustmentReceipts } from './adjustmentReceipts.js';
import type { SystemPrintAdapter } from '../printing/system.js';
import { TerminalManager, type BackendChoice, type TerminalManagerOptions } from './terminalManager.js';
import type { CoreApi } from './types.js';
import { APP_VERSION } from './version.js';

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
}

export interface RunningCore {
  api: CoreApi;
  ledger: Ledger;
  terminal: TerminalManager;
  requests: RequestRunner;
  /** Receipts: the void/refund flow prints through `printing.printReceipt`. */
  printing: PrintService;
  adjustments: AdjustmentService;
  close(): Promise<void>;
}

function managerIdleFromEnv(): number | undefined {
  const v = Number(process.env.COUNTERSIGN_MANAGER_IDLE_MS);
  return Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

function backendFromEnv(): BackendChoice | undefined {
  const v = process.env.COUNTERSIGN_BACKEND;
  return v === 'auto' || v === 'simulator' || v === 'node-hid' ? v : undefined;
}

/**
 * The whole app minus its windows: ledger, terminal link, commands and events. The Electron shell,
 * the browser host, the CLI and the tests all run this same core.
 */
export async function startCore(options: StartCoreOptions): Promise<RunningCore> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const clock = options.clock ?? (() => new Date());
  const log = options.log;
  const ledger = await openLedger(options.ledgerFile ?? ledgerPath(options.dataDir), { clock, durability: options.durability ?? 'full' });
  const hub = createEventHub();
  const envStatusMs = process.env.COUNTERSIGN_SIM_STATUS_MS;
  const intake = createChargeIntake({ ledger, hub, log });

  let requests: RequestRunner;
  const terminal = new TerminalManager({
    choice: options.backend ?? backendFromEnv() ?? 'auto',
    log,
    simStatusIntervalMs: options.simStatusIntervalMs ?? (envStatusMs !== undefined ? Number(envStatusMs) : 5000),
    ...(options.sessionTuning ? { sessionTuning: options.sessionTuning } : {}),
    onLinkState: (state) => hub.emit({ name: 'link.state', payload: state }),
    handlers: {
      onCharge: (message) => {
        intake(chargeFromMessage(message));
      },
      onLinkError: (error) => log.warn('link.rejected', error),
      onConnected: () => {
        void requests.resolveUnknown().catch((error) => log.error('request.resolve_failed', { message: (error as Error).message }));
      },
    },
  });
  requests = new RequestRunner(ledger, terminal, log);

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
    log,
    clock,
    version: APP_VERSION,
    dataDir: options.dataDir,
  };
  const dispatchCommand = createDispatcher(createHandlers(deps), log);
  // Every command from a signed-in session (except what screens fetch by themselves) keeps it alive.
  const dispatch: CoreApi['dispatch'] = (name, input, ctx) => {
    if (isCommandName(name) && !PASSIVE_COMMANDS.has(name)) sessions.touch(ctx);
    return dispatchCommand(name, input, ctx);
  };
  await terminal.start();
  log.info('core.started', { dataDir: options.dataDir, link: terminal.state.kind });

  return {
    api: {
      dispatch,
      subscribe: (listener: (event: ApiEvent) => void) => hub.subscribe(listener),
    },
    ledger,
    terminal,
    requests,
    printing,
    adjustments,
    async close() {
      clearInterval(sweeper);
      await terminal.stop();
      ledger.close();
      log.info('core.stopped');
    },
  };
}

export { appStatus };
