import { ApiError } from '../../contract/api.js';
import type { CommandHandlers } from '../dispatch.js';
import type { chargeCommands } from '../../contract/commands/charges.js';
import type { Charge } from '../../contract/schemas.js';
import { rekeyFlags } from '../../domain/flags.js';
import { flagChargeWithIncident } from '../../ledger/incidents.js';
import { pendingAfter, pendingIds } from '../../ledger/pendingQueue.js';
import { readCounterSettings } from '../counterSettings.js';
import { actorName, localDate, type HandlerDeps } from './deps.js';

/** What the charge handlers use (tests build them with a fake authorizer). */
export type ChargeHandlerDeps = Pick<HandlerDeps, 'ledger' | 'hub' | 'auth' | 'clock' | 'log'>;

/** A page of the queue after a given charge (the first page is the ledger's default, 500). */
const QUEUE_PAGE = 500;

/** Flags that come from comparing the charge with the till's total the cashier typed. */
const REKEY_KINDS: ReadonlySet<string> = new Set(['rekey_mismatch', 'digit_slip']);

function requireCharge(deps: ChargeHandlerDeps, chargeId: number): Charge {
  const charge = deps.ledger.getCharge(chargeId);
  if (!charge) throw new ApiError('charge.not_found', `No charge ${chargeId}.`, { chargeId: String(chargeId) });
  return charge;
}

function requirePending(charge: Charge): void {
  if (charge.status !== 'pending') {
    throw new ApiError('charge.not_pending', `Charge ${charge.id} is ${charge.status}, not pending.`, {
      chargeId: String(charge.id),
      status: charge.status,
    });
  }
}

export function chargeHandlers(deps: ChargeHandlerDeps): Pick<CommandHandlers, keyof typeof chargeCommands> {
  const { ledger, hub } = deps;
  return {
    'charges.queue': ({ afterId }) => (afterId === undefined ? ledger.pendingQueue() : pendingAfter(ledger, afterId, QUEUE_PAGE)),
    'charges.pendingIds': () => pendingIds(ledger),
    'charges.history': (filter) => ledger.history(filter),
    'charges.today': () => ledger.today(localDate(deps.clock())),
    'charges.confirm': ({ chargeId, rekeyedMinor }, ctx) => {
      const current = requireCharge(deps, chargeId);
      let operator = deps.auth.operatorFor(ctx);
      if (current.status === 'pending' && current.flags.some((f) => f.kind === 'rekey_mismatch')) {
        // The till and the terminal disagree: only a manager may let it through.
        operator = deps.auth.requireRole(ctx, 'manager');
      } else if (rekeyedMinor === undefined && operator.role === 'cashier' && readCounterSettings(ledger, deps.log).blindRekey) {
        throw new ApiError('charge.rekey_required', "Blind re-key is on: type the till's total before confirming.", {
          chargeId: String(chargeId),
        });
      }
      const charge = ledger.confirmCharge(chargeId, actorName(operator), rekeyedMinor === undefined ? {} : { rekeyedMinor });
      hub.emit({ name: 'charge.changed', payload: charge });
      return charge;
    },
    'charges.rekey': ({ chargeId, rekeyedMinor }, ctx) => {
      const current = requireCharge(deps, chargeId);
      requirePending(current);
      const mismatch = rekeyFlags(current.amountMinor, rekeyedMinor);
      if (mismatch.length === 0) return { match: true, charge: current };
      // The detectors' flags stay; the comparison's flags are those of this re-key.
      const flags = [...current.flags.filter((f) => !REKEY_KINDS.has(f.kind)), ...mismatch];
      const charge = ledger.setFlags(chargeId, flags, actorName(deps.auth.operatorFor(ctx)));
      hub.emit({ name: 'charge.changed', payload: charge });
      return { match: false, charge };
    },
    'charges.flag': ({ chargeId, intendedMinor, cause, note }, ctx) => {
      const result = flagChargeWithIncident(ledger, { chargeId, intendedMinor, cause, note: note ?? null }, actorName(deps.auth.operatorFor(ctx)));
      hub.emit({ name: 'charge.changed', payload: result.charge });
      return result;
    },
  };
}
