import { ApiError } from '../../contract/api.js';
import type { counterCommands } from '../../contract/commands/counter.js';
import type { BatchStatus } from '../../contract/counterSchemas.js';
import {
  lastSettlementReport,
  openBatch,
  recordSettlement,
  settlementBlockers,
  settlementBlockersSummary,
  settlementInDoubt,
} from '../../ledger/settlements.js';
import { readCounterSettings, updateCounterSettings } from '../counterSettings.js';
import type { CommandHandlers } from '../dispatch.js';
import { printSettlementReport } from '../settlementReceipt.js';
import { recordRecoveredSettlements } from '../settlementRecovery.js';
import { actorName, type HandlerDeps } from './deps.js';

/** What the counter handlers use (tests build them with a fake authorizer). */
export type CounterHandlerDeps = Pick<HandlerDeps, 'ledger' | 'hub' | 'auth' | 'log' | 'requests' | 'terminal'> &
  Partial<Pick<HandlerDeps, 'printing' | 'clock'>>;

/** Blockers listed in `batch.status` (the screens re-read it while charges arrive; a flood leaves tens of thousands). */
export const BATCH_BLOCKERS_LISTED = 200;
/** Blocker traces named in a `batch.blocked` error (the full list comes from `batch.status`). */
const MAX_NAMED_BLOCKERS = 20;

export function counterHandlers(deps: CounterHandlerDeps): Pick<CommandHandlers, keyof typeof counterCommands> {
  const { ledger, hub, log } = deps;
  let settling = false;

  /** A settlement recovered by QT that start-up or a reconnect has not recorded yet settles here too. */
  const recordRecovered = () => recordRecoveredSettlements({ ledger, hub, log });

  function status(): BatchStatus {
    recordRecovered();
    const open = openBatch(ledger);
    const blocking = settlementBlockersSummary(ledger, BATCH_BLOCKERS_LISTED);
    return {
      batch: open.batch,
      terminalId: open.terminalId,
      currency: open.currency,
      totals: open.totals,
      confirmed: open.confirmed,
      pending: open.pending,
      flagged: open.flagged,
      blockers: blocking.blockers,
      blockerCount: blocking.count,
      inDoubtSeq: settlementInDoubt(ledger),
      lastSettlement: lastSettlementReport(ledger),
    };
  }

  return {
    'settings.counter.get': () => readCounterSettings(ledger, log),
    'settings.counter.update': (patch, ctx) => {
      const manager = deps.auth.requireRole(ctx, 'manager');
      const settings = updateCounterSettings(ledger, patch, actorName(manager));
      hub.emit({ name: 'counter.settings', payload: settings });
      return settings;
    },
    'batch.status': () => status(),
    'batch.settle': async (_input, ctx) => {
      const manager = deps.auth.requireRole(ctx, 'manager');
      const actor = actorName(manager);
      if (settling) throw new ApiError('batch.settle_in_progress', 'The batch is being settled already.');
      recordRecovered();
      const doubt = settlementInDoubt(ledger);
      if (doubt) {
        throw new ApiError('batch.settle_in_doubt', `The terminal's answer to settlement ${doubt} is not known yet; it is asked again when the terminal reconnects.`, {
          seq: doubt,
        });
      }
      const blockers = settlementBlockers(ledger);
      if (blockers.length > 0) {
        const traces = blockers.slice(0, MAX_NAMED_BLOCKERS).map((b) => b.charge.trace);
        throw new ApiError('batch.blocked', `The batch cannot be settled: ${blockers.length} charge(s) are unconfirmed or flagged (${traces.join(', ')}).`, {
          count: String(blockers.length),
          traces: traces.join(', '),
          chargeIds: blockers.slice(0, MAX_NAMED_BLOCKERS).map((b) => String(b.charge.id)).join(','),
        });
      }
      if (deps.terminal.state.kind !== 'connected') {
        throw new ApiError('link.unavailable', 'The card terminal is not connected: nothing was sent.');
      }
      settling = true;
      try {
        const result = await deps.requests.execute('SE', {}, actor);
        if (result.state === 'unknown') {
          throw new ApiError('batch.settle_unknown', `The terminal did not answer settlement ${result.seq}; it is asked again when it reconnects.`, {
            seq: result.seq,
          });
        }
        if (result.rc !== '00') {
          throw new ApiError('batch.settle_declined', `The terminal declined the settlement (response code ${result.rc}).`, {
            seq: result.seq,
            rc: result.rc,
          });
        }
        const request = ledger.getHostRequest(result.seq);
        if (!request) throw new ApiError('internal', `The settlement request ${result.seq} vanished from the ledger.`);
        const { report, created } = recordSettlement(ledger, request.id, actor);
        // Not created: a reconnect's recovery recorded (and announced) it in the meantime.
        if (created) hub.emit({ name: 'batch.settled', payload: report });
        log.info('batch.settled', { seq: result.seq, batch: report.batch, matched: report.matched });
        if (deps.printing) {
          await printSettlementReport(deps.printing, ledger, report, actor, (deps.clock ?? (() => new Date()))()).catch((error: unknown) =>
            log.warn('batch.report_not_printed', { message: (error as Error).message }),
          );
        }
        return report;
      } finally {
        settling = false;
      }
    },
  };
}
