import { recordSettlement, unrecordedSettlements } from '../ledger/settlements.js';
import type { Ledger } from '../ledger/ledger.js';
import type { EventHub } from './events.js';
import type { Logger } from './logger.js';

/**
 * Records every settlement the terminal approved that is not recorded yet: an SE whose answer was
 * lost (a timeout, an unplug, a crash mid-settle) and later recovered by QT, or answered just
 * before a crash that came before its settlement was written. Each is one transaction; the screens
 * hear of it after it commits. Never throws: a failure is logged and retried on the next call.
 */
export function recordRecoveredSettlements(deps: { ledger: Ledger; hub: EventHub; log: Logger }): number {
  const { ledger, hub, log } = deps;
  let recorded = 0;
  let pending;
  try {
    pending = unrecordedSettlements(ledger);
  } catch (error) {
    log.error('batch.recovery_failed', { message: (error as Error).message });
    return 0;
  }
  for (const settlement of pending) {
    try {
      const { report, created } = recordSettlement(ledger, settlement.requestId, settlement.actor);
      if (!created) continue;
      recorded++;
      log.info('batch.settled_recovered', { seq: settlement.seq, batch: report.batch, matched: report.matched });
      hub.emit({ name: 'batch.settled', payload: report });
    } catch (error) {
      log.error('batch.record_failed', { seq: settlement.seq, message: (error as Error).message });
    }
  }
  return recorded;
}
