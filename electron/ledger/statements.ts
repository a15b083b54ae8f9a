import type Database from 'better-sqlite3';

/** Prepared statements, prepared once per connection and SQL text (the repositories' cache). */
const prepared = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function cachedStatement<P extends unknown[] = unknown[], R = unknown>(db: Database.Database, sql: string): Database.Statement<P, R> {
  let cache = prepared.get(db);
  if (!cache) {
    cache = new Map();
    prepared.set(db, cache);
  }
  let s = cache.get(sql);
  if (!s) {
    s = db.prepare(sql);
    cache.set(sql, s);
  }
  return s as unknown as Database.Statement<P, R>;
}
