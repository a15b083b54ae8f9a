import { ApiError } from '../contract/api.js';
import type { AppStatus } from '../contract/schemas.js';
import type { Ledger } from '../ledger/ledger.js';
import type { CommandHandlers } from './dispatch.js';
import type { EventHub } from './events.js';
import type { TerminalManager } from './terminalManager.js';
import { parseScript, runScript } from '../../native/sim/terminal.js';
import type { CallContext } from './types.js';

export interface HandlerDeps {
  ledger: Ledger;
  terminal: TerminalManager;
  hub: EventHub;
  clock: () => Date;
  version: string;
  dataDir: string;
  /** Who is at the counter for this transport session (accounts arrive with manager mode). */
  operatorFor(ctx: CallContext): string;
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

function requireSimulator(terminal: TerminalManager) {
  const sim = terminal.simulator;
  if (!sim) throw new ApiError('sim.disabled', 'The simulated terminal is off: a real terminal is in use.');
  return sim;
}

export function createHandlers(deps: HandlerDeps): CommandHandlers {
  const { ledger, terminal, hub } = deps;
  return {
    'status.get': (_input, ctx) => appStatus(deps, deps.operatorFor(ctx)),
    'charges.queue': () => ledger.pendingQueue(),
    'charges.history': (filter) => ledger.history(filter),
    'charges.today': () => ledger.today(localDate(deps.clock())),
    'charges.confirm': ({ chargeId }, ctx) => {
      const charge = ledger.confirmCharge(chargeId, deps.operatorFor(ctx));
      hub.emit({ name: 'charge.changed', payload: charge });
      return charge;
    },
    'sim.charge': async (input) => {
      const sim = requireSimulator(terminal);
      const trace = await sim.charge({
        ...(input.amountMinor !== undefined ? { amountMinor: input.amountMinor } : {}),
        ...(input.panMasked !== undefined ? { pan: input.panMasked } : {}),
        ...(input.entryMode !== undefined ? { entryMode: input.entryMode } : {}),
      });
      return { trace };
    },
    'sim.fault': (fault) => {
      requireSimulator(terminal).inject(fault);
      return { ok: true as const };
    },
    'sim.script': async ({ script }) => {
      let steps;
      try {
        steps = parseScript(script);
      } catch (error) {
        throw new ApiError('sim.bad_script', (error as Error).message);
      }
      const result = await runScript(requireSimulator(terminal), steps);
      return { steps: result.steps, charges: result.charges.length };
    },
    'sim.setEnabled': async ({ enabled }, ctx) => {
      await terminal.start(enabled ? 'simulator' : 'node-hid');
      ledger.appendAudit(deps.operatorFor(ctx), enabled ? 'terminal.simulator_on' : 'terminal.simulator_off', 'terminal', 'link', {});
      const status = appStatus(deps, deps.operatorFor(ctx));
      hub.emit({ name: 'status.changed', payload: status });
      return status;
    },
    'audit.verify': () => ledger.verifyAudit(),
  };
}
