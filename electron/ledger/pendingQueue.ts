/**
 * The counter's queue read in bounded pieces: the charges waiting after a given one (a page), and
 * the ids of every waiting charge (numbers only), so a screen can count and place its position in
 * a queue of tens of thousands without holding their rows.
 */
import type Database from 'better-sqlite3';
import type { Charge } from '../contract/schemas.js';
import type { Ledger } from './ledger.js';
import { CHARGE_COLUMNS, rowToCharge, type ChargeRow } from './rows.js';

export const PENDING_AFTER_SQL = `SELECT ${CHARGE_COLUMNS} FROM charges WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?`;
export const PENDING_IDS_SQL = "SELECT id FROM charges WHERE status = 'pending' ORDER BY id";

const statements = new WeakMap<Database.Database, { after: Database.Statement<[number, number], ChargeRow>; ids: Database.Statement<[], number> }>();

function prepared(db: Database.Database) {
  let s = statements.get(db);
  if (!s) {
    s = { after: db.prepare<[number, number], ChargeRow>(PENDING_AFTER_SQL), ids: db.prepare<[], number>(PENDING_IDS_SQL).pluck() };
    statements.set(db, s);
  }
  return s;
}

/** Waiting charges with an id above `afterId`, oldest first, at most `limit`. */
export function pendingAfter(ledger: Pick<Ledger, 'query'>, afterId: number, limit: number): Charge[] {
  return ledger.query((db) => prepared(db).after.all(afterId, limit).map(rowToCharge));
}

/** The ids of every waiting charge, oldest first. */
export function pendingIds(ledger: Pick<Ledger, 'query'>): number[] {
  return ledger.query((db) => prepared(db).ids.all());
}
