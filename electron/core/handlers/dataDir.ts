import type { CommandHandlers } from '../dispatch.js';
import type { dataDirCommands } from '../../contract/commands/dataDir.js';
import { actorName, type HandlerDeps } from './deps.js';

/** The data folder: anyone may see where it is; moving it (and the restart after) needs a manager. */
export function dataDirHandlers(deps: HandlerDeps): Pick<CommandHandlers, keyof typeof dataDirCommands> {
  const manager = (ctx: Parameters<HandlerDeps['auth']['requireRole']>[0]) => actorName(deps.auth.requireRole(ctx, 'manager'));
  return {
    'datadir.get': () => deps.dataDirs.state(),
    'datadir.move': ({ folder, useExisting }, ctx) => deps.dataDirs.move(folder, useExisting, manager(ctx)),
    'datadir.restart': (_input, ctx) => {
      manager(ctx);
      deps.dataDirs.restart();
      return { restarting: true as const };
    },
  };
}
