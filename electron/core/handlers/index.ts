import type { CommandHandlers } from '../dispatch.js';
import { chargeHandlers } from './charges.js';
import type { HandlerDeps } from './deps.js';
import { simHandlers } from './sim.js';
import { systemHandlers } from './system.js';

/** All command handlers, one module per area of the contract. */
export function createHandlers(deps: HandlerDeps): CommandHandlers {
  return {
    ...systemHandlers(deps),
    ...chargeHandlers(deps),
    ...simHandlers(deps),
  };
}

export type { HandlerDeps } from './deps.js';
export { appStatus, localDate } from './deps.js';
