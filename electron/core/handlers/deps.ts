import type { AppStatus } from '../../contract/schemas.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { SessionAuthorizer } from '../auth/sessions.js';
import type { Accounts } from '../../ledger/accounts.js';
import type { EventHub } from '../events.js';
import type { TerminalManager } from '../terminalManager.js';
import type { RequestRunner } from '../requestRunner.js';
import type { Logger } from '../logger.js';
import type { AdjustmentService } from '../adjustmentService.js';
import type { PrintService } from '../printService.js';
import { actorName } from '../auth/authorizer.js';

/** What every command handler may use. Handlers are grouped by area, one module each. */
export interface HandlerDeps {
  ledger: Ledger;
  terminal: TerminalManager;
  requests: RequestRunner;
  hub: EventHub;
  auth: Authorizer;
  /** The same authorizer as `auth`, with its sign-in side (manager mode); only the auth handlers sign in or out. */
  sessions: SessionAuthorizer;
  /** Staff accounts and PINs. */
  accounts: Accounts;
  /** Receipts, printers and the print queue. */
  printing: PrintService;
  /** The manager's void and refund. */
  adjustments: AdjustmentService;
  log: Logger;
  clock: () => Date;
  version: string;
  dataDir: string;
}

export function localDate(now: Date): string {
  const y = now.getFullYear();
  const m = String(now.getMonth() + 1).padStart(2, '0');
  const d = String(now.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

export function appStatus(deps: HandlerDeps, operator: string): AppStatus {
  return {
    version: deps.version,
    dataDir: deps.dataDir,
    link: deps.terminal.state,
    simulator: deps.terminal.simulator !== null,
    nodeHidProblem: deps.terminal.nodeHidProblem,
    operator,
    auditHead: deps.ledger.auditHead(),
  };
}

export { actorName };
