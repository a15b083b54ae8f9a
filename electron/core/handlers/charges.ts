import type { CommandHandlers } from '../dispatch.js';
import type { chargeCommands } from '../../contract/commands/charges.js';
import { actorName, localDate, type HandlerDeps } from './deps.js';

export function chargeHandlers(deps: HandlerDeps): Pick<CommandHandlers, keyof typeof chargeCommands> {
  const { ledger, hub } = deps;
  return {
    'charges.queue': () => ledger.pendingQueue(),
    'charges.history': (filter) => ledger.history(filter),
    'charges.today': () => ledger.today(localDate(deps.clock())),
    'charges.confirm': ({ chargeId }, ctx) => {
      const charge = ledger.confirmCharge(chargeId, actorName(deps.auth.operatorFor(ctx)));
      hub.emit({ name: 'charge.changed', payload: charge });
      return charge;
    },
  };
}
