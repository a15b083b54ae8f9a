/**
 * Schema v5: voids and refunds (issue #5). One row per void/refund the manager asked for, created in
 * the same transaction as its host request (so its SEQ is durable before a byte is sent) and
 * updated only by the terminal's answer (directly, or replayed by QT after a lost answer).
 */
import type { Migration } from '../migrations.js';

const REASONS = "'wrong_amount','duplicate','customer_request','suspected_fraud','other'";

export const V5_SCHEMA = `
CREATE TABLE adjustments (
  id             INTEGER PRIMARY KEY,
  charge_id      INTEGER NOT NULL REFERENCES charges(id),
  kind           TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
  amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
  currency       TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^0-9]*'),
  reason         TEXT NOT NULL CHECK (reason IN (${REASONS})),
  note           TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 500),
  incident_id    INTEGER REFERENCES incidents(id),
  request_id     INTEGER NOT NULL UNIQUE REFERENCES host_requests(id),
  request_seq    TEXT NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('sent', 'approved', 'declined', 'unknown')),
  rc             TEXT,
  trace          TEXT,
  rrn            TEXT,
  auth_code      TEXT,
  terminal_time  TEXT,
  requested_by   TEXT NOT NULL CHECK (requested_by <> ''),
  requested_at   TEXT NOT NULL,
  resolved_at    TEXT,
  CHECK ((state IN ('sent', 'unknown')) = (resolved_at IS NULL))
) STRICT;
CREATE INDEX adjustments_charge ON adjustments(charge_id, state);
`;

export const v5Adjustments: Migration = {
  version: 5,
  name: 'voids and refunds',
  up(db) {
    db.exec(V5_SCHEMA);
  },
};
