import { mkdirSync } from 'node:fs';
import { openLedger, type Ledger } from '../ledger/ledger.js';
import type { ApiEvent } from '../contract/api.js';
import { chargeFromMessage } from './chargeFromMessage.js';
import { createDispatcher } from './dispatch.js';
import { createEventHub } from './events.js';
import { appStatus, createHandlers, type HandlerDeps } from './handlers/index.js';
import { counterOnlyAuthorizer } from './auth/authorizer.js';
import type { Logger } from './logger.js';
import { ledgerPath } from './paths.js';
import { RequestRunner } from './requestRunner.js';
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
}

export interface RunningCore {
  api: CoreApi;
  ledger: Ledger;
  terminal: TerminalManager;
  requests: RequestRunner;
  close(): Promise<void>;
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

  let requests: RequestRunner;
  const terminal = new TerminalManager({
    choice: options.backend ?? backendFromEnv() ?? 'auto',
    log,
    simStatusIntervalMs: options.simStatusIntervalMs ?? (envStatusMs !== undefined ? Number(envStatusMs) : 5000),
    ...(options.sessionTuning ? { sessionTuning: options.sessionTuning } : {}),
    onLinkState: (state) => hub.emit({ name: 'link.state', payload: state }),
    handlers: {
      onCharge: (message) => {
        const input = chargeFromMessage(message);
        const { charge, inserted } = ledger.recordCharge(input, `terminal:${input.terminalId}`);
        if (inserted) hub.emit({ name: 'charge.changed', payload: charge });
        else log.info('charge.duplicate_delivery', { terminal: input.terminalId, batch: input.batch, trace: input.trace });
      },
      onLinkError: (error) => log.warn('link.rejected', error),
      onConnected: () => {
        void requests.resolveUnknown().catch((error) => log.error('request.resolve_failed', { message: (error as Error).message }));
      },
    },
  });
  requests = new RequestRunner(ledger, terminal, log);

  const deps: HandlerDeps = {
    ledger,
    terminal,
    requests,
    hub,
    auth: counterOnlyAuthorizer,
    log,
    clock,
    version: APP_VERSION,
    dataDir: options.dataDir,
  };
  const dispatch = createDispatcher(createHandlers(deps), log);
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
    async close() {
      await terminal.stop();
      ledger.close();
      log.info('core.stopped');
    },
  };
}

export { appStatus };
