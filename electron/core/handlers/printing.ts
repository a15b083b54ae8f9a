import type { CommandHandlers } from '../dispatch.js';
import type { printingCommands } from '../../contract/commands/printing.js';
import { actorName, type HandlerDeps } from './deps.js';

/**
 * Printers and receipts. Changing printers is a manager's; a test print, a sale reprint and a
 * retry of a queued receipt are the counter's (they print, they change no money).
 */
export function printingHandlers(deps: HandlerDeps): Pick<CommandHandlers, keyof typeof printingCommands> {
  const { printing, auth } = deps;
  const manager = (ctx: Parameters<typeof auth.requireRole>[0]) => actorName(auth.requireRole(ctx, 'manager'));
  const anyone = (ctx: Parameters<typeof auth.operatorFor>[0]) => actorName(auth.operatorFor(ctx));
  return {
    'printers.list': () => printing.state(),
    'printers.save': ({ printer, makeDefault }, ctx) => printing.savePrinter(printer, makeDefault ?? false, manager(ctx)),
    'printers.remove': ({ printerId }, ctx) => printing.removePrinter(printerId, manager(ctx)),
    'printers.configure': (change, ctx) => printing.configure(change, manager(ctx)),
    'printers.test': ({ printerId }) => printing.testPrinter(printerId),
    'receipts.reprint': ({ chargeId, copy, printerId }, ctx) => printing.reprintSale(chargeId, copy, anyone(ctx), printerId),
    'printJobs.list': ({ states, limit }) => printing.listJobs({ states, limit }),
    'printJobs.retry': ({ jobId, printerId }, ctx) => printing.retry(jobId, anyone(ctx), printerId),
  };
}
