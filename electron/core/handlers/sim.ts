import { ApiError } from '../../contract/api.js';
import type { CommandHandlers } from '../dispatch.js';
import type { simCommands } from '../../contract/commands/sim.js';
import type { TerminalManager } from '../terminalManager.js';
import { parseScript, runScript } from '../../../native/sim/terminal.js';
import { actorName, appStatus, type HandlerDeps } from './deps.js';

function requireSimulator(terminal: TerminalManager) {
  const sim = terminal.simulator;
  if (!sim) throw new ApiError('sim.disabled', 'The simulated terminal is off: a real terminal is in use.');
  return sim;
}

export function simHandlers(deps: HandlerDeps): Pick<CommandHandlers, keyof typeof simCommands> {
  const { terminal, ledger, hub } = deps;
  return {
    'sim.charge': (input) => {
      const trace = requireSimulator(terminal).charge({
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
    'sim.executed': () => {
      const counts = { VD: 0, RF: 0, SE: 0, QT: 0 };
      for (const e of requireSimulator(terminal).executed) counts[e.type]++;
      return counts;
    },
    'sim.setEnabled': async ({ enabled }, ctx) => {
      // Switching the simulator on disconnects a real terminal: a manager's decision, not a cashier's.
      const actor = actorName(deps.auth.requireRole(ctx, 'manager'));
      await terminal.start(enabled ? 'simulator' : 'node-hid');
      ledger.appendAudit(actor, enabled ? 'terminal.simulator_on' : 'terminal.simulator_off', 'terminal', 'link', {});
      const status = appStatus(deps, actor);
      hub.emit({ name: 'status.changed', payload: status });
      return status;
    },
  };
}
