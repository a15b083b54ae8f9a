import type { CommandHandlers } from '../dispatch.js';
import type { setupCommands } from '../../contract/commands/setup.js';
import { actorName, type HandlerDeps } from './deps.js';

/** First-run setup and its settings; whatever changes configuration needs a manager (or the owner). */
export function setupHandlers(deps: HandlerDeps): Pick<CommandHandlers, keyof typeof setupCommands> {
  const manager = (ctx: Parameters<HandlerDeps['auth']['requireRole']>[0]) => actorName(deps.auth.requireRole(ctx, 'manager'));
  return {
    'setup.get': () => deps.setup.state(),
    'setup.saveShop': ({ shop }, ctx) => deps.setup.saveShop(shop, manager(ctx)),
    'setup.terminals': () => deps.setup.terminals(),
    'setup.chooseTerminal': ({ choice }, ctx) => deps.setup.chooseTerminal(choice, manager(ctx)),
    'setup.testConnection': (_input, ctx) => deps.setup.testConnection(actorName(deps.auth.operatorFor(ctx))),
    'setup.setBackupFolder': ({ folder }, ctx) => deps.setup.setBackupFolder(folder, manager(ctx)),
    'setup.complete': (_input, ctx) => deps.setup.complete(manager(ctx)),
    'backups.list': () => deps.setup.backups(),
    'backups.take': (_input, ctx) => {
      manager(ctx);
      return deps.setup.takeBackup();
    },
  };
}
