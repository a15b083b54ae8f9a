import type { adjustmentCommands } from '../../contract/commands/adjustments.js';
import { findCharges } from '../../ledger/adjustments.js';
import type { CommandHandlers } from '../dispatch.js';
import { actorName, type HandlerDeps } from './deps.js';

export function adjustmentHandlers(deps: HandlerDeps): Pick<CommandHandlers, keyof typeof adjustmentCommands> {
  return {
    'adjust.find': ({ query }, ctx) => {
      deps.auth.requireRole(ctx, 'manager');
      return findCharges(deps.ledger, query);
    },
    'adjust.preview': ({ chargeId }, ctx) => {
      deps.auth.requireRole(ctx, 'manager');
      return deps.adjustments.preview(chargeId);
    },
    'adjust.execute': (input, ctx) => {
      const manager = deps.auth.requireRole(ctx, 'manager');
      return deps.adjustments.execute(input, actorName(manager));
    },
    'adjust.expectRecharge': (input, ctx) => {
      const manager = deps.auth.requireRole(ctx, 'manager');
      return deps.adjustments.expectRecharge(input, actorName(manager));
    },
    // Which charge is the correct amount of which incident: shown beside the charge on every screen.
    'adjust.recharges': () => deps.adjustments.recharges(),
  };
}
