import type { CommandHandlers } from '../dispatch.js';
import { adjustmentHandlers } from './adjustments.js';
import { authHandlers } from './auth.js';
import { chargeHandlers } from './charges.js';
import { counterHandlers } from './counter.js';
import type { HandlerDeps } from './deps.js';
import { incidentHandlers } from './incidents.js';
import { printingHandlers } from './printing.js';
import { setupHandlers } from './setup.js';
import { dataDirHandlers } from './dataDir.js';
import { simHandlers } from './sim.js';
import { systemHandlers } from './system.js';

/** All command handlers, one module per area of the contract. */
export function createHandlers(deps: HandlerDeps): CommandHandlers {
  return {
    ...systemHandlers(deps),
    ...chargeHandlers(deps),
    ...counterHandlers(deps),
    ...simHandlers(deps),
    ...authHandlers(deps),
    ...printingHandlers(deps),
    ...adjustmentHandlers(deps),
    ...incidentHandlers(deps),
    ...setupHandlers(deps),
    ...dataDirHandlers(deps),
  };
}

export type { HandlerDeps } from './deps.js';
export { appStatus, localDate } from './deps.js';
