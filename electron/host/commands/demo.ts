import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCore } from '../../core/startCore.js';
import { scrubCardData } from '../../../native/link/panGuard.js';
import { createRng } from '../../../native/sim/rng.js';
import type { Logger } from '../../core/logger.js';
import { flagInt, flagString, parseArgs, UsageError } from '../args.js';

const DEMO_MARKER = 'demo_ledger';

/** Refuses to overwrite anything but an earlier demo ledger: a real till's ledger is never clobbered. */
function prepareTarget(db: string) {
  if (!existsSync(db)) return;
  let isDemo = false;
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      isDemo = Boolean(conn.prepare('SELECT 1 FROM settings WHERE key = ?').get(DEMO_MARKER));
    } finally {
      conn.close();
    }
  } catch {
    isDemo = false;
  }
  if (!isDemo) throw new UsageError(`${db} exists and is not a demo ledger; choose another path`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
}

/** Shop-like amounts: mostly small baskets, a long tail of larger ones, whole yuan now and then. */
export function demoAmountMinor(random: () => number): number {
  const u = Math.max(random(), 1e-9);
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  const yuan = Math.exp(3.9 + 0.9 * normal);
  const minor = Math.round(Math.min(Math.max(yuan, 1), 20_000) * 100);
  return random() < 0.3 ? minor - (minor % 100) : minor;
}

const quietLog: Logger = {
  info() {},
  warn() {},
  error(event, data) {
    process.stderr.write(`${scrubCardData(`${event} ${JSON.stringify(data ?? {})}`)}\n`);
  },
};

/** `countersign demo --db PATH --charges N`: a fresh ledger filled through the real link stack. */
export async function runDemo(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['db', 'charges', 'seed', 'pending'], booleans: [] });
  const db = flagString(args, 'db');
  const count = flagInt(args, 'charges', 1, 5_000_000);
  if (!db || count === undefined) throw new UsageError('demo needs --db PATH and --charges N');
  const seed = flagInt(args, 'seed', 0, 2 ** 31) ?? 20261126;
  const file = path.resolve(db);
  mkdirSync(path.dirname(file), { recursive: true });
  prepareTarget(file);

  const core = await startCore({
    dataDir: path.dirname(file),
    ledgerFile: file,
    log: quietLog,
    backend: 'simulator',
    durability: 'demo',
    simStatusIntervalMs: 0,
  });
  const started = Date.now();
  try {
    const sim = core.terminal.simulator;
    if (!sim) throw new Error('the simulated terminal did not start');
    const rng = createRng(seed);
    const random = rng.next;
    // The newest few stay pending for the cashier, like a shop in the middle of the day.
    const pendingTail = flagInt(args, 'pending', 0, count) ?? Math.min(count, Math.max(1, Math.round(count * 0.02)));
    core.ledger.settings.set(DEMO_MARKER, true, 'demo');
    for (let i = 0; i < count; i++) {
      await sim.createCharge({ amountMinor: demoAmountMinor(random) }).delivered;
      if (count >= 10_000 && i % 10_000 === 0 && i > 0) process.stderr.write(`  ${i} charges…\n`);
    }
    const toConfirm = count - pendingTail;
    let confirmed = 0;
    while (confirmed < toConfirm) {
      const queue = (await core.api.dispatch('charges.queue', {}, { transport: 'inproc', sessionId: 'demo' })) as { id: number }[];
      if (!queue.length) break;
      for (const charge of queue) {
        if (confirmed >= toConfirm) break;
        await core.api.dispatch('charges.confirm', { chargeId: charge.id }, { transport: 'inproc', sessionId: 'demo' });
        confirmed++;
      }
    }
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`demo ledger ${file}: ${count} charges (${confirmed} confirmed, ${count - confirmed} pending) in ${seconds.toFixed(1)} s\n`);
    return 0;
  } finally {
    await core.close();
  }
}
