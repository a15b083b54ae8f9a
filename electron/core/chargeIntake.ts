/**
 * What happens when the terminal reports a charge (CH): it is stored once, the detectors look at it
 * (possible duplicate swipe, unusual amount) and their flags are stored with it, and the screens
 * are told — one `charge.changed` carrying the flags.
 */
import type Database from 'better-sqlite3';
import type { ApiEvent } from '../contract/api.js';
import type { Charge, ChargeFlag } from '../contract/schemas.js';
import type { CounterSettings } from '../contract/counterSchemas.js';
import type { NewCharge } from '../domain/charge.js';
import { possibleDuplicate, unusualAmount, type ChargeFacts } from '../domain/flags.js';
import type { Ledger } from '../ledger/ledger.js';
import { COUNTER_SETTINGS_KEY, flagSettingsOf, readCounterSettings } from './counterSettings.js';
import type { Logger } from './logger.js';

/** How many recent confirmed charges the median is taken over. */
export const MEDIAN_SAMPLE = 200;
/** The detectors' actor in the audit log. */
export const DETECTOR_ACTOR = 'system:detectors';

export interface ChargeIntakeDeps {
  ledger: Ledger;
  hub: { emit(event: ApiEvent): void };
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

function facts(c: Charge): ChargeFacts {
  return {
    id: c.id,
    amountMinor: c.amountMinor,
    panMasked: c.panMasked,
    trace: c.trace,
    receivedAtMs: Date.parse(c.receivedAt),
    status: c.status,
  };
}

const settingsStatements = new WeakMap<Database.Database, Database.Statement<[string], string>>();
function settingsTextStatement(db: Database.Database): Database.Statement<[string], string> {
  let stmt = settingsStatements.get(db);
  if (!stmt) {
    stmt = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck();
    settingsStatements.set(db, stmt);
  }
  return stmt;
}

/** The detectors' flags for a charge just stored (pure rules over what the ledger holds). */
export function intakeFlags(ledger: Ledger, charge: Charge, settings: CounterSettings): ChargeFlag[] {
  const rules = flagSettingsOf(settings);
  const flags: ChargeFlag[] = [];
  const since = new Date(Date.parse(charge.receivedAt) - rules.duplicateWindowMinutes * 60_000).toISOString();
  const sameCard = ledger.chargesByCardSince(charge.panMasked, since).map(facts);
  const duplicate = possibleDuplicate(facts(charge), sameCard, rules);
  if (duplicate) flags.push(duplicate);
  const unusual = unusualAmount(facts(charge), ledger.recentConfirmedAmounts(MEDIAN_SAMPLE), rules);
  if (unusual) flags.push(unusual);
  return flags;
}

/**
 * Returns the intake: stores a reported charge, flags it, pushes it. A repeat delivery of a stored
 * charge (same terminal, batch, trace) changes nothing and pushes nothing. A failure of the
 * detectors never loses the charge: it is stored and shown unflagged, and the failure is logged.
 */
export function createChargeIntake(deps: ChargeIntakeDeps): (input: NewCharge) => Charge {
  const { ledger, hub, log } = deps;
  // The settings are read for every charge: parsed and validated again only when their stored text
  // changed (a flood of 1,000 charges a second must not re-validate the same settings each time).
  let settingsText: string | undefined | null = null;
  let settings: CounterSettings | null = null;
  const currentSettings = (): CounterSettings => {
    const text = ledger.query((db) => settingsTextStatement(db).get(COUNTER_SETTINGS_KEY));
    if (settings === null || text !== settingsText) {
      settings = readCounterSettings(ledger, log);
      settingsText = text;
    }
    return settings;
  };
  return (input) => {
    // One transaction: a charge is never committed (and ACKed to the terminal) without its flags.
    // The detectors run in a savepoint: if they fail, only their part rolls back and the charge
    // is still stored, shown unflagged, and the failure logged.
    const { charge: stored, inserted } = ledger.transact(() => {
      const recorded = ledger.recordCharge(input, `terminal:${input.terminalId}`);
      if (!recorded.inserted) return recorded;
      try {
        const flags = intakeFlags(ledger, recorded.charge, currentSettings());
        if (flags.length > 0) return { charge: ledger.setFlags(recorded.charge.id, flags, DETECTOR_ACTOR), inserted: true };
      } catch (error) {
        log.error('charge.flags_failed', { chargeId: recorded.charge.id, message: (error as Error).message });
      }
      return recorded;
    });
    if (!inserted) {
      log.info('charge.duplicate_delivery', { terminal: input.terminalId, batch: input.batch, trace: input.trace });
      return stored;
    }
    hub.emit({ name: 'charge.changed', payload: stored });
    return stored;
  };
}
