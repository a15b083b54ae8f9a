/**
 * Schema v6: "charge the correct amount" (补刷, issue #5). After a wrong amount was voided, the
 * manager asks the cashier to key the intended amount; the expectation waits here until the next
 * matching charge arrives, which is then linked to the incident (`incidents.related_charge_id`).
 * At most one expectation per incident waits at a time; a charge is the correct amount of at most
 * one incident.
 */
import type { Migration } from '../migrations.js';

export const V6_SCHEMA = `
CREATE TABLE recharges (
  id                INTEGER PRIMARY KEY,
  incident_id       INTEGER NOT NULL REFERENCES incidents(id),
  -- The wrong charge that was voided (or refunded).
  voided_charge_id  INTEGER NOT NULL REFERENCES charges(id),
  amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
  currency          TEXT NOT NULL CHECK (length(currency) = 3 AND currency NOT GLOB '*[^0-9]*'),
  -- The card expected (the wrong charge's), masked; NULL = any card.
  pan_masked        TEXT CHECK (pan_masked IS NULL OR (
                      length(pan_masked) BETWEEN 12 AND 19
                      AND pan_masked NOT GLOB '*[^0-9*]*'
                      AND length(replace(pan_masked, '*', '')) <= 10)),
  state             TEXT NOT NULL CHECK (state IN ('waiting', 'linked', 'replaced')),
  -- The correct-amount charge, once it arrived.
  charge_id         INTEGER UNIQUE REFERENCES charges(id),
  expected_by       TEXT NOT NULL CHECK (expected_by <> ''),
  expected_at       TEXT NOT NULL,
  linked_at         TEXT,
  CHECK ((state = 'linked') = (charge_id IS NOT NULL)),
  CHECK ((charge_id IS NULL) = (linked_at IS NULL))
) STRICT;
CREATE UNIQUE INDEX recharges_waiting_incident ON recharges(incident_id) WHERE state = 'waiting';
CREATE INDEX recharges_waiting_amount ON recharges(amount_minor) WHERE state = 'waiting';
CREATE INDEX recharges_incident ON recharges(incident_id);
`;

export const v6Recharges: Migration = {
  version: 6,
  name: 'correct-amount charges',
  up(db) {
    db.exec(V6_SCHEMA);
  },
};
