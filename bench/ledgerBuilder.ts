/**
 * Builds a large, realistic ledger for the bench quickly, through the real ledger code.
 *
 * `countersign demo` sends every charge through the simulated terminal, the link stack and one
 * durable transaction per step: about 2,000 charges/s on this machine, so a million would take most
 * of the bench's 10 minutes. This builder calls the same ledger code the app calls for each charge
 * — `Ledger.recordCharge`, `Ledger.confirmCharge`, `flagChargeWithIncident`, and per day
 * `createHostRequest('SE')` + `resolveHostRequest` + `recordSettlement` — so every row, index,
 * running total and hash-chained audit row is the real one. Three shortcuts, all about building
 * speed, none about the result:
 * - no link stack (its throughput is the `decode` figure);
 * - no duplicate/unusual detectors at intake (they only add flags; the counter's flags are not what
 *   the scale queries read);
 * - one SQLite transaction per ~50,000 charges (the ledger's own transactions nest inside it as
 *   savepoints) with synchronous=OFF, as `countersign demo` also uses (durability 'demo'): a
 *   commit per day would rewrite most index pages into the WAL every day (3× slower at 300,000).
 *
 * The shop: `perDay` charges a day (default 2,500) on one terminal, one batch a day settled at the
 * end of the day (the terminal's totals match), today's batch still open, the newest `pending`
 * charges waiting for the cashier, every `incidentEvery`-th charge flagged with an incident.
 * Deterministic for a seed; times run up to now, so "today" is today.
 */
import { rmSync, statSync } from 'node:fs';
import type { FlagCause } from '../electron/contract/counterSchemas.js';
import { actorName } from '../electron/core/auth/authorizer.js';
import type { NewCharge } from '../electron/domain/charge.js';
import { flagChargeWithIncident } from '../electron/ledger/incidents.js';
import { openLedger, type Ledger } from '../electron/ledger/ledger.js';
import { recordSettlement } from '../electron/ledger/settlements.js';
import { demoAmountMinor } from '../electron/host/commands/demo.js';
import { createRng } from '../native/sim/rng.js';

export interface BuildOptions {
  file: string;
  charges: number;
  /** Charges per business day (default 2,500). */
  perDay?: number;
  /** Every n-th charge is flagged with an incident (default 10; 0 = none). */
  incidentEvery?: number;
  /** The newest charges left pending (default min(500, 2 %)). */
  pending?: number;
  seed?: number;
  /** "Now" (default the system clock): the newest charge is just before it. */
  now?: Date;
  /** Called after each transaction with the charges so far. */
  onProgress?: (charges: number) => void;
  /** Days are grouped into SQLite transactions of at least this many charges (default 50,000). */
  chargesPerTransaction?: number;
}

export interface BuiltLedger {
  file: string;
  charges: number;
  confirmed: number;
  pending: number;
  flagged: number;
  incidents: number;
  settlements: number;
  days: number;
  /** Local dates of the first and the last (today's) charge. */
  firstDate: string;
  lastDate: string;
  seconds: number;
  /** File size after a WAL checkpoint. */
  bytes: number;
}

export const TERMINAL_ID = '10293847';
const MERCHANT_ID = '898310058120001';
const CASHIER = actorName({ userId: null, name: 'cashier', role: 'cashier' });
const TERMINAL_ACTOR = `terminal:${TERMINAL_ID}`;
const SETTLER = 'manager:bench';
const CAUSES: readonly FlagCause[] = ['operator_error', 'duplicate', 'operator_error', 'system_fault', 'network', 'suspected_fraud', 'other'];
/** Card ranges: UnionPay debit/credit, Visa, Mastercard, Amex (15 digits). */
const CARDS: ReadonlyArray<{ bin: string; stars: number; brand: string }> = [
  { bin: '622848', stars: 6, brand: 'UnionPay Debit' },
  { bin: '622848', stars: 6, brand: 'UnionPay Debit' },
  { bin: '625807', stars: 6, brand: 'UnionPay Credit' },
  { bin: '411111', stars: 6, brand: 'VISA CREDIT' },
  { bin: '555555', stars: 6, brand: 'Mastercard' },
  { bin: '378282', stars: 5, brand: 'AMEX' },
];
const ENTRY: readonly NewCharge['entryMode'][] = ['C', 'C', 'T', 'T', 'T', 'S', 'M', 'F'];

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function localDateOf(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`;
}

function terminalTime(d: Date): string {
  return `${pad(d.getFullYear(), 4)}${pad(d.getMonth() + 1, 2)}${pad(d.getDate(), 2)}${pad(d.getHours(), 2)}${pad(d.getMinutes(), 2)}${pad(d.getSeconds(), 2)}`;
}

/** Local midnight `daysBack` days before `now`'s date (DST-safe: built from the calendar date). */
function midnightDaysBack(now: Date, daysBack: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysBack, 0, 0, 0, 0);
}

export async function buildLedger(options: BuildOptions): Promise<BuiltLedger> {
  const started = performance.now();
  const n = options.charges;
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError('charges must be a positive integer');
  const perDay = options.perDay ?? 2500;
  if (perDay > 9999) throw new RangeError('perDay must fit a settlement count (at most 9999)');
  const incidentEvery = options.incidentEvery ?? 10;
  const pendingTail = options.pending ?? Math.min(500, Math.max(1, Math.round(n * 0.02)));
  const now = options.now ?? new Date();
  const days = Math.ceil(n / perDay);
  const rng = createRng(options.seed ?? 20261126);

  for (const suffix of ['', '-wal', '-shm']) rmSync(options.file + suffix, { force: true });
  let clockMs = midnightDaysBack(now, days - 1).getTime();
  const ledger = await openLedger(options.file, { durability: 'demo', clock: () => new Date(clockMs) });
  const stats = { confirmed: 0, pending: 0, flagged: 0, incidents: 0, settlements: 0 };
  let index = 0;
  let rrn = 331800000000;

  /** One business day: its charges (confirmed, flagged or left pending), then its settlement. */
  const buildDay = (day: number): void => {
    const midnight = midnightDaysBack(now, days - 1 - day);
    const isToday = day === days - 1;
    const count = isToday ? n - perDay * (days - 1) : perDay;
    // Past days: 07:00–22:00. Today: from midnight up to a second before now.
    const open = isToday ? midnight.getTime() : midnight.getTime() + 7 * 3600_000;
    const close = isToday ? Math.max(open + count, now.getTime() - 1000) : midnight.getTime() + 22 * 3600_000;
    const step = (close - open) / count;
    const batch = pad(day + 1, 6);
    let saleMinor = 0;
    for (let i = 0; i < count; i++, index++) {
      clockMs = Math.floor(open + i * step + rng.next() * step * 0.9);
      const at = new Date(clockMs);
      const card = rng.pick(CARDS);
      const entryMode = rng.pick(ENTRY);
      const amountMinor = demoAmountMinor(rng.next);
      saleMinor += amountMinor;
      const { charge } = ledger.recordCharge(
        {
          terminalId: TERMINAL_ID,
          merchantId: MERCHANT_ID,
          batch,
          trace: pad(i + 1, 6),
          rrn: String(++rrn),
          authCode: `${'ABCDEFGHJK'[rng.int(0, 9)]}${rng.digits(5)}`,
          amountMinor,
          currency: '156',
          panMasked: `${card.bin}${'*'.repeat(card.stars)}${rng.digits(4)}`,
          entryMode,
          brand: card.brand,
          aid: entryMode === 'C' || entryMode === 'T' ? 'A000000333010101' : null,
          txClass: null,
          merchantName: null,
          responseCode: '00',
          terminalTime: terminalTime(at),
        },
        TERMINAL_ACTOR,
      );
      if (incidentEvery > 0 && index % incidentEvery === incidentEvery - 1) {
        const cause = CAUSES[Math.floor(index / incidentEvery) % CAUSES.length]!;
        // A 10× slip keyed as the tenth, or a second swipe (nothing was owed).
        const intendedMinor = cause === 'duplicate' ? 0 : Math.max(1, Math.round(amountMinor / 10));
        flagChargeWithIncident(ledger, { chargeId: charge.id, intendedMinor, cause, note: null }, CASHIER);
        stats.flagged++;
        stats.incidents++;
      } else if (index >= n - pendingTail) {
        stats.pending++;
      } else {
        ledger.confirmCharge(charge.id, CASHIER);
        stats.confirmed++;
      }
    }
    if (isToday) return;
    // The manager settles at closing time; the terminal's totals are the day's sales.
    clockMs = midnight.getTime() + 22 * 3600_000 + 60_000;
    const { seq, id } = ledger.createHostRequest({ type: 'SE', fields: {} }, SETTLER);
    const response = { RQ: seq, RC: '00', BT: batch, NB: pad(day + 2, 6), SC: pad(count, 4), SA: pad(saleMinor, 12), VC: '0000', VA: pad(0, 12), FC: '0000', FA: pad(0, 12) };
    ledger.resolveHostRequest(seq, { state: 'answered', rc: '00', response }, TERMINAL_ACTOR);
    const { report } = recordSettlement(ledger, id, SETTLER);
    if (!report.matched) throw new Error(`the bench's settlement of batch ${batch} did not match`);
    stats.settlements++;
  };

  try {
    ledger.settings.set('demo_ledger', true, 'bench');
    const daysPerTransaction = Math.max(1, Math.ceil((options.chargesPerTransaction ?? 50_000) / perDay));
    for (let first = 0; first < days; first += daysPerTransaction) {
      ledger.transact(() => {
        for (let day = first; day < Math.min(days, first + daysPerTransaction); day++) buildDay(day);
      });
      options.onProgress?.(index);
    }
    checkpoint(ledger);
  } finally {
    ledger.close();
  }
  return {
    file: options.file,
    charges: n,
    ...stats,
    days,
    firstDate: localDateOf(midnightDaysBack(now, days - 1)),
    lastDate: localDateOf(now),
    seconds: (performance.now() - started) / 1000,
    bytes: statSync(options.file).size,
  };
}

/** Folds the WAL into the main file so that its size is the ledger's size. */
function checkpoint(ledger: Ledger): void {
  ledger.query((db) => db.pragma('wal_checkpoint(TRUNCATE)'));
}
