/**
 * Schema v7: the incident workflow (issue #6), from a wrong swipe to the money back.
 *
 * - `incidents` is rebuilt (SQLite cannot change a CHECK in place) with the workflow's statuses and
 *   kinds, the money figures (owed / returned / held in suspense), the resolution on the table, the
 *   customer's contact (only what is needed), root cause and prevention. Rows written by v3 keep
 *   their data; their status is migrated: open → open, investigating → verifying,
 *   resolved → executed, closed → closed (each change is written as a `migrated` timeline event).
 *   `adjustments.incident_id` and `recharges.incident_id` keep pointing at the same incidents: the
 *   rebuild runs with the foreign keys deferred, and re-inserting every incident re-attaches its
 *   voids/refunds/re-charges before the commit checks them.
 * - `incident_events`: the timeline, one row per step, note, contact attempt, evidence or link,
 *   each written in the same transaction as its audit row.
 * - `incident_evidence`: files copied into `<dataDir>/evidence/<incident>/<sha256>.<ext>`.
 * - `incident_charges`: further charges of an incident (the correct re-charge, a related charge).
 */
import type { Migration } from '../migrations.js';

const KINDS = "'wrong_amount','over_charge','duplicate_charge','settlement_mismatch','transfer_error','other'";
const CHARGE_KINDS = "'wrong_amount','over_charge','duplicate_charge'";
const STATUSES =
  "'open','verifying','contacting_customer','resolution_proposed','manager_review','approved','rejected','executed','held_in_suspense','customer_notified','closed'";
const CAUSES = "'operator_error','system_fault','network','suspected_fraud','duplicate','other'";
const RESOLUTIONS = "'void','refund','partial_refund','recharge','compensation'";
const PREVENTIONS = "'training','maintenance','settings_change','none','other'";
const CONTACT_CHANNELS = "'phone','email','wechat','other'";
const EVENT_ACTIONS =
  "'opened','migrated','start_verification','contact_customer','propose_resolution','submit_for_review','approve','reject','execute'," +
  "'mark_unreachable','pay_out','notify_customer','close','reopen','note','contact_attempt','contact_set','evidence_added','charge_linked','facts_updated'";
const EVIDENCE_EXTS = "'jpg','jpeg','png','gif','webp','heic','pdf','txt','csv','json','eml'";

const money = (name: string) => `${name} INTEGER NOT NULL DEFAULT 0 CHECK (${name} >= 0)`;

export const V7_INCIDENTS_TABLE = `
CREATE TABLE incidents (
  id                INTEGER PRIMARY KEY,
  kind              TEXT NOT NULL CHECK (kind IN (${KINDS})),
  status            TEXT NOT NULL DEFAULT 'open' CHECK (status IN (${STATUSES})),
  cause             TEXT CHECK (cause IS NULL OR cause IN (${CAUSES})),
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
  ${money('owed_minor')},
  ${money('returned_minor')},
  ${money('suspense_minor')},
  proposal          TEXT CHECK (proposal IS NULL OR proposal IN (${RESOLUTIONS})),
  proposal_minor    INTEGER CHECK (proposal_minor IS NULL OR proposal_minor >= 0),
  proposal_note     TEXT CHECK (proposal_note IS NULL OR length(proposal_note) <= 500),
  rejection_reason  TEXT CHECK (rejection_reason IS NULL OR length(rejection_reason) <= 500),
  contact_name      TEXT CHECK (contact_name IS NULL OR length(contact_name) <= 100),
  contact_channel   TEXT CHECK (contact_channel IS NULL OR contact_channel IN (${CONTACT_CHANNELS})),
  contact_value     TEXT CHECK (contact_value IS NULL OR length(contact_value) <= 200),
  root_cause        TEXT CHECK (root_cause IS NULL OR length(root_cause) <= 1000),
  prevention_action TEXT CHECK (prevention_action IS NULL OR prevention_action IN (${PREVENTIONS})),
  prevention_note   TEXT CHECK (prevention_note IS NULL OR length(prevention_note) <= 500),
  closed_at         TEXT,
  reopened_count    INTEGER NOT NULL DEFAULT 0 CHECK (reopened_count >= 0),
  CHECK ((resolved_by IS NULL) = (resolved_at IS NULL)),
  CHECK ((charged_minor IS NULL) = (intended_minor IS NULL)),
  CHECK (difference_minor IS NULL OR difference_minor = charged_minor - intended_minor),
  -- A charge's incident names its charge; a settlement mismatch names its settlement.
  CHECK (kind NOT IN (${CHARGE_KINDS}) OR (charge_id IS NOT NULL AND charged_minor IS NOT NULL)),
  CHECK (kind <> 'settlement_mismatch' OR settlement_id IS NOT NULL),
  -- Money is held in suspense exactly while the incident is.
  CHECK ((status = 'held_in_suspense') = (suspense_minor > 0)),
  CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
  CHECK ((contact_channel IS NULL) = (contact_value IS NULL))
) STRICT;
-- At most one unresolved incident per charge.
CREATE UNIQUE INDEX incidents_open_charge ON incidents(charge_id) WHERE charge_id IS NOT NULL AND resolved_at IS NULL;
CREATE INDEX incidents_charge ON incidents(charge_id) WHERE charge_id IS NOT NULL;
CREATE INDEX incidents_status ON incidents(status, id);
CREATE INDEX incidents_settlement ON incidents(settlement_id) WHERE settlement_id IS NOT NULL;
-- The list by kind, and the export / dashboard by creation date.
CREATE INDEX incidents_kind ON incidents(kind, id);
CREATE INDEX incidents_created ON incidents(created_at, id);
`;

export const V7_SCHEMA = `
CREATE TABLE incident_events (
  id          INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  at          TEXT NOT NULL,
  actor       TEXT NOT NULL CHECK (actor <> ''),
  action      TEXT NOT NULL CHECK (action IN (${EVENT_ACTIONS})),
  from_status TEXT CHECK (from_status IS NULL OR from_status IN (${STATUSES},'investigating','resolved')),
  to_status   TEXT CHECK (to_status IS NULL OR to_status IN (${STATUSES})),
  amount_minor INTEGER CHECK (amount_minor IS NULL OR amount_minor >= 0),
  note        TEXT CHECK (note IS NULL OR length(note) <= 1000),
  data        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data) AND json_type(data) = 'object')
) STRICT;
CREATE INDEX incident_events_incident ON incident_events(incident_id, id);

CREATE TABLE incident_evidence (
  id            INTEGER PRIMARY KEY,
  incident_id   INTEGER NOT NULL REFERENCES incidents(id),
  sha256        TEXT NOT NULL CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
  size_bytes    INTEGER NOT NULL CHECK (size_bytes >= 0),
  original_name TEXT NOT NULL CHECK (length(original_name) BETWEEN 1 AND 255),
  ext           TEXT NOT NULL CHECK (ext IN (${EVIDENCE_EXTS})),
  stored_path   TEXT NOT NULL CHECK (stored_path = 'evidence/' || incident_id || '/' || sha256 || '.' || ext),
  note          TEXT CHECK (note IS NULL OR length(note) <= 500),
  added_by      TEXT NOT NULL CHECK (added_by <> ''),
  added_at      TEXT NOT NULL,
  UNIQUE (incident_id, sha256)
) STRICT;

-- The voids/refunds of an incident (its detail, the export).
CREATE INDEX adjustments_incident ON adjustments(incident_id, id);

CREATE TABLE incident_charges (
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  charge_id   INTEGER NOT NULL REFERENCES charges(id),
  role        TEXT NOT NULL CHECK (role IN ('recharge', 'related')),
  linked_by   TEXT NOT NULL CHECK (linked_by <> ''),
  linked_at   TEXT NOT NULL,
  PRIMARY KEY (incident_id, charge_id)
) STRICT, WITHOUT ROWID;
`;

/** The v3 columns, copied as they are. */
const V3_COLUMNS =
  'id, kind, cause, note, charge_id, related_charge_id, settlement_id, currency, charged_minor, intended_minor, difference_minor, ' +
  'terminal_id, merchant_id, batch, trace, rrn, auth_code, pan_masked, details, created_by, created_at, updated_at, ' +
  'resolved_by, resolved_at, resolution, resolution_note';

const STATUS_MAP = `CASE status WHEN 'investigating' THEN 'verifying' WHEN 'resolved' THEN 'executed' ELSE status END`;

export const v7IncidentWorkflow: Migration = {
  version: 7,
  name: 'incident workflow',
  up(db) {
    // Inside the migration's transaction: the voids/refunds that name an incident are orphaned for
    // a moment (DROP), and re-attached when their incident is inserted again; checked at commit.
    db.pragma('defer_foreign_keys = ON');
    db.exec(`
      CREATE TEMP TABLE incidents_v3 AS SELECT ${V3_COLUMNS}, status FROM main.incidents;
      DROP TABLE main.incidents;
      ${V7_INCIDENTS_TABLE}
      ${V7_SCHEMA}
      INSERT INTO main.incidents (${V3_COLUMNS}, status, owed_minor, closed_at)
        SELECT ${V3_COLUMNS}, ${STATUS_MAP},
               CASE WHEN difference_minor > 0 THEN difference_minor ELSE 0 END,
               CASE WHEN status = 'closed' THEN coalesce(resolved_at, updated_at) END
        FROM temp.incidents_v3 ORDER BY id;
      INSERT INTO main.incident_events (incident_id, at, actor, action, to_status, amount_minor, note, data)
        SELECT id, created_at, created_by, 'opened', 'open', charged_minor, note, json_object('schema', 3)
        FROM temp.incidents_v3 ORDER BY id;
      INSERT INTO main.incident_events (incident_id, at, actor, action, from_status, to_status, data)
        SELECT id, updated_at, 'system', 'migrated', status, ${STATUS_MAP}, json_object('schema', 7)
        FROM temp.incidents_v3 WHERE status IN ('investigating', 'resolved') ORDER BY id;
      DROP TABLE temp.incidents_v3;
    `);
  },
};
