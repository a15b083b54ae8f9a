/**
 * Schema v2: staff accounts (owner, managers, cashiers) with their PIN records.
 *
 * A PIN is stored only as a memory-hard KDF output (scrypt) with its own random salt and the KDF's
 * parameters, so the cost can be raised later and old records still verify (and are re-hashed on
 * the next correct PIN). The lock counters live beside it and change in the same transaction as
 * the audit row of the attempt that changed them.
 */
import type { Migration } from '../migrations.js';

export const V2_ACCOUNTS_SCHEMA = `
CREATE TABLE users (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL COLLATE NOCASE UNIQUE CHECK (length(trim(name)) BETWEEN 1 AND 40),
  role            TEXT NOT NULL CHECK (role IN ('cashier','manager','owner')),
  -- scrypt(PIN, salt, N, r, p) → key_len bytes. Never the PIN itself, never sent or logged.
  pin_hash        BLOB NOT NULL CHECK (length(pin_hash) BETWEEN 16 AND 128),
  pin_salt        BLOB NOT NULL CHECK (length(pin_salt) BETWEEN 16 AND 64),
  kdf             TEXT NOT NULL CHECK (kdf IN ('scrypt')),
  kdf_n           INTEGER NOT NULL CHECK (kdf_n >= 2 AND (kdf_n & (kdf_n - 1)) = 0),
  kdf_r           INTEGER NOT NULL CHECK (kdf_r >= 1),
  kdf_p           INTEGER NOT NULL CHECK (kdf_p >= 1),
  created_at      TEXT NOT NULL,
  created_by      INTEGER REFERENCES users(id),
  active          INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  -- Wrong PINs in a row since the last correct one or the last lock.
  failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
  -- Locks since the last correct PIN (each lasts twice the one before).
  lock_count      INTEGER NOT NULL DEFAULT 0 CHECK (lock_count >= 0),
  -- ISO 8601 UTC, or NULL when not locked.
  locked_until    TEXT
) STRICT;
-- One owner per shop.
CREATE UNIQUE INDEX users_one_owner ON users(role) WHERE role = 'owner';
`;

export const v2Accounts: Migration = {
  version: 2,
  name: 'accounts',
  up(db) {
    db.exec(V2_ACCOUNTS_SCHEMA);
  },
};
