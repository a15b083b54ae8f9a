import type { AppStatus, LedgerHealth } from '../../contract/schemas.js';
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
import type { IncidentService } from '../incidentService.js';
import type { ExportService } from '../exportService.js';
import type { FileDialogs } from '../fileDialogs.js';
import type { SetupService } from '../setupService.js';
import type { DataDirService } from '../dataDirService.js';
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
  /** The incident log: workflow steps, evidence. */
  incidents: IncidentService;
  /** The incident export (one at a time, in the background). */
  exports: ExportService;
  /** First-run setup: shop profile, terminal choice and test, backup folder. */
  setup: SetupService;
  /** The data folder: where it is, why, and "Move data to…". */
  dataDirs: DataDirService;
  /** The desktop shell's native folder/file choosers; null in the browser host. */
  dialogs: FileDialogs | null;
  log: Logger;
  clock: () => Date;
  version: string;
  dataDir: string;
  /** The ledger file's health (integrity check, restore, backups, disk full); optional in tests. */
  health?: { snapshot(): LedgerHealth };
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
    ...(deps.health ? { ledger: deps.health.snapshot() } : {}),
  };
}

export { actorName };
