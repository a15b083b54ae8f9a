/**
 * Schema v3: incidents and settlements (issue #4, the counter).
 *
 * - `settlements`: one row per batch the terminal settled (SE answered 00): its totals as the
 *   terminal reported them and as the ledger counted them, whether they matched, who settled, and
 *   the host request (SEQ) that did it.
 * - `incidents`: opened when the cashier flags a charge (wrong_amount / over_charge /
 *   duplicate_charge) or when a settlement's totals differ (settlement_mismatch). Only 'open' is
 *   written so far; the columns for the rest of the workflow (status, resolution) are here already.
 * - `charges.settled_batch_id` / `settled_at`: the settlement a charge was settled in (refunds of
 *   settled charges need it). Set together or not at all.
 */
import type { Migration } from '../migrations.js';

const FLAG_CAUSES = "'operator_error','system_fault','network','suspected_fraud','duplicate','other'";
const INCIDENT_KINDS = "'wrong_amount','over_charge','duplicate_charge','settlement_mismatch'";
const INCIDENT_STATUSES = "'open','investigating','resolved','closed'";

const count = (name: string) => `${name} INTEGER NOT NULL CHECK (${name} >= 0)`;

export const V3_SCHEMA = `
CREATE TABLE settlements (
  id                    INTEGER PRIMARY KEY,
  terminal_id           TEXT,
  batch                 TEXT NOT NULL CHECK (length(batch) BETWEEN 1 AND 64),
  next_batch            TEXT,
  currency              TEXT CHECK (currency IS NULL OR (length(currency) = 3 AND currency NOT GLOB '*[^0-9]*')),
  request_id            INTEGER NOT NULL UNIQUE REFERENCES host_requests(id),
  request_seq           TEXT NOT NULL CHECK (length(request_seq) = 6 AND request_seq NOT GLOB '*[^0-9]*'),
  ${count('terminal_sale_count')},
  ${count('terminal_sale_minor')},
  ${count('terminal_void_count')},
  ${count('terminal_void_minor')},
  ${count('terminal_refund_count')},
  ${count('terminal_refund_minor')},
  ${count('ledger_sale_count')},
  ${count('ledger_sale_minor')},
  ${count('ledger_void_count')},
  ${count('ledger_void_minor')},
  ${count('ledger_refund_count')},
  ${count('ledger_refund_minor')},
  matched               INTEGER NOT NULL CHECK (matched IN (0, 1)),
  settled_by            TEXT NOT NULL CHECK (settled_by <> ''),
  settled_at            TEXT NOT NULL
) STRICT;
CREATE INDEX settlements_batch ON settlements(batch);

CREATE TABLE incidents (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN (${INCIDENT_KINDS})),
  status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN (${INCIDENT_STATUSES})),
  cause             TEXT CHECK (cause IS NULL OR cause IN (${FLAG_CAUSES})),
  note              TEXT CHECK (note IS NULL OR length(note) <= 500),
  charge_id         INTEGER REFERENCES charges(id),
  related_charge_id INTEGER REFERENCES charges(id),
  settlement_id     INTEGER REFERENCES settlements(id),
  currency          TEXT CHECK (currency IS NULL OR (length(currency) = 3 AND currency NOT GLOB '*[^0-9]*')),
  charged_minor     INTEGER CHECK (charged_minor IS NULL OR charged_minor >= 0),
  intended_minor    INTEGER CHECK (intended_minor IS NULL OR intended_minor >= 0),
  difference_minor  INTEGER,
  terminal_id       TEXT,
  merchant_id       TEXT,
  batch             TEXT,
  trace             TEXT,
  rrn               TEXT,
  auth_code         TEXT,
  pan_masked        TEXT CHECK (pan_masked IS NULL OR (
                      length(pan_masked) BETWEEN 12 AND 19
                      AND pan_masked NOT GLOB '*[^0-9*]*'
                      AND length(replace(pan_masked, '*', '')) <= 10)),
  details           TEXT CHECK (details IS NULL OR (json_valid(details) AND json_type(details) = 'object')),
  created_by        TEXT NOT NULL CHECK (created_by <> ''),
  created_at        TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  resolved_by       TEXT,
  resolved_at       TEXT,
  resolution        TEXT,
  resolution_note   TEXT,
  CHECK ((resolved_by IS NULL) = (resolved_at IS NULL)),
  CHECK ((charged_minor IS NULL) = (intended_minor IS NULL)),
  CHECK (difference_minor IS NULL OR difference_minor = charged_minor - intended_minor),
  -- A charge's incident names its charge; a settlement mismatch names its settlement.
  CHECK (kind = 'settlement_mismatch' OR (charge_id IS NOT NULL AND charged_minor IS NOT NULL)),
  CHECK (kind <> 'settlement_mismatch' OR settlement_id IS NOT NULL)
) STRICT;
-- At most one unresolved incident per charge.
CREATE UNIQUE INDEX incidents_open_charge ON incidents(charge_id) WHERE charge_id IS NOT NULL AND resolved_at IS NULL;
CREATE INDEX incidents_charge ON incidents(charge_id) WHERE charge_id IS NOT NULL;
CREATE INDEX incidents_status ON incidents(status, id);
CREATE INDEX incidents_settlement ON incidents(settlement_id) WHERE settlement_id IS NOT NULL;

ALTER TABLE charges ADD COLUMN settled_batch_id INTEGER REFERENCES settlements(id);
ALTER TABLE charges ADD COLUMN settled_at TEXT CHECK ((settled_at IS NULL) = (settled_batch_id IS NULL));
-- The open batch: charges not settled yet (a small set however large the ledger), covering the
-- batch totals by status (settled_batch_id is in it so that its WHERE is covered too).
CREATE INDEX charges_unsettled ON charges(batch, status, amount_minor, settled_batch_id) WHERE settled_batch_id IS NULL;
CREATE INDEX charges_settlement ON charges(settled_batch_id) WHERE settled_batch_id IS NOT NULL;
`;

export const V3_INCIDENTS: Migration = {
  version: 3,
  name: 'incidents and settlements',
  up(db) {
    db.exec(V3_SCHEMA);
  },
};
