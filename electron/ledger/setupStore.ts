/**
 * The first-run setup's settings: the shop profile, the terminal choice, the backup folder and
 * "setup completed". Each change is one transaction with one audit row naming who made it (the
 * values go in the audit row too, so the log tells what the shop was set up with).
 */
import type Database from 'better-sqlite3';
import { canonicalJson } from '../domain/canonical.js';
import type { Ledger } from './ledger.js';
import { SQL } from './queries.js';

export const SETUP_KEYS = {
  shop: 'shop.profile',
  terminal: 'terminal.choice',
  backupFolder: 'backups.folder',
  completed: 'setup.completed',
} as const;

export type SetupKey = (typeof SETUP_KEYS)[keyof typeof SETUP_KEYS];

function put(db: Database.Database, key: string, value: unknown): boolean {
  const text = canonicalJson(value);
  if (db.prepare(SQL.settingGet).pluck().get(key) === text) return false;
  db.prepare(SQL.settingSet).run(key, text);
  return true;
}

export class SetupStore {
  constructor(private readonly ledger: Ledger) {}

  get<T>(key: SetupKey, schema: { parse(value: unknown): T }): T | undefined {
    return this.ledger.settings.get(key, schema);
  }

  /**
   * Writes `values` (key → value, undefined = leave) in ONE transaction with ONE audit row
   * `action` on entity `setup`. Nothing changed: nothing is written, no audit row. Returns whether
   * anything changed.
   */
  write(action: string, values: Partial<Record<string, unknown>>, actor: string): boolean {
    return this.ledger.transact((tx) => {
      const changed: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(values)) {
        if (value === undefined) continue;
        if (put(tx.db, key, value)) changed[key] = value;
      }
      if (Object.keys(changed).length === 0) return false;
      tx.audit(actor, action, 'setup', Object.keys(changed).sort().join(','), changed);
      return true;
    });
  }
}
