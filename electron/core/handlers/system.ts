import type { CommandHandlers } from '../dispatch.js';
import type { systemCommands } from '../../contract/commands/system.js';
import { actorName, appStatus, type HandlerDeps } from './deps.js';

export function systemHandlers(deps: HandlerDeps): Pick<CommandHandlers, keyof typeof systemCommands> {
  return {
    'status.get': (_input, ctx) => appStatus(deps, actorName(deps.auth.operatorFor(ctx))),
    'audit.verify': () => deps.ledger.verifyAudit(),
  };
}
