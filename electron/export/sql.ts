/**
 * The export's queries. CSV rows come out of SQLite packed into one string each (export/csvSql.ts:
 * written as they are when no cell needs escaping, else by the CSV library); JSON text is built by
 * SQLite's own json_object() (the shape of export-schema.v1.json), so 100,000 incidents never
 * become 100,000 JavaScript objects or 4 million cells.
 *
 * Every query reads the incidents of one id range [@lo, @hi] whose creation time is in
 * [@from, @to), in id order.
 * Two functions are registered on the export's connection: currency_alpha(numeric code) and
 * mask_contact(name, channel, value) (domain/contactMask.ts): the masking rule lives in one place.
 */
import type Database from 'better-sqlite3';
import { currencyInfo } from '../domain/currency.js';
import { maskedContactLine, type ContactChannel } from '../domain/contactMask.js';
import { packedCellsSql, type CsvCellSpec } from './csvSql.js';

const OUTSTANDING =
  "CASE WHEN i.status <> 'closed' AND i.owed_minor > i.returned_minor + i.suspense_minor THEN i.owed_minor - i.returned_minor - i.suspense_minor ELSE 0 END";
const IN_PERIOD = 'i.id BETWEEN @lo AND @hi AND i.created_at >= @from AND i.created_at < @to';

export function registerExportFunctions(db: Database.Database): void {
  db.function('currency_alpha', { deterministic: true }, (code: unknown) => (typeof code === 'string' ? (currencyInfo(code)?.alpha ?? null) : null));
  db.function('mask_contact', { deterministic: true }, (name: unknown, channel: unknown, value: unknown) =>
    typeof channel === 'string' && typeof value === 'string'
      ? maskedContactLine({ name: typeof name === 'string' ? name : null, channel: channel as ContactChannel, value })
      : null,
  );
}

/** Incidents in the period: how many, and their id range. */
export const ID_RANGE = 'SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM incidents INDEXED BY incidents_created WHERE created_at >= ? AND created_at < ?';

const int = (sql: string): CsvCellSpec => ({ sql, type: 'integer' });
const text = (sql: string): CsvCellSpec => ({ sql, type: 'text' });

/**
 * incidents.csv's cells in INCIDENT_CSV_COLUMNS order (SQL over incidents i and its charge c) with
 * the type each always has: INTEGER/TEXT columns of STRICT tables (charges.terminal_time has TEXT
 * affinity), integer arithmetic and count(), text functions.
 */
export const INCIDENT_CSV_CELLS: readonly CsvCellSpec[] = [
  int('i.id'), text('i.created_at'), text('i.kind'), text('i.status'), text('i.cause'), text('i.currency'), text('currency_alpha(i.currency)'),
  int('i.charged_minor'), int('i.intended_minor'), int('i.difference_minor'), int('i.owed_minor'), int('i.returned_minor'), int('i.suspense_minor'), int(OUTSTANDING),
  int('i.charge_id'), text('i.terminal_id'), text('i.merchant_id'), text('i.batch'), text('i.trace'), text('i.rrn'), text('i.auth_code'), text('i.pan_masked'),
  text('c.terminal_time'),
  text(`trim(coalesce(CASE WHEN i.related_charge_id IS NOT NULL
                THEN (CASE WHEN i.kind = 'duplicate_charge' THEN 'duplicate_of:' ELSE 'recharge:' END) || i.related_charge_id END, '')
       || coalesce((SELECT ' ' || group_concat(l.role || ':' || l.charge_id, ' ' ORDER BY l.linked_at, l.charge_id)
                    FROM incident_charges l WHERE l.incident_id = i.id), ''))`),
  int('i.settlement_id'), text('i.proposal'), int('i.proposal_minor'), text('i.rejection_reason'), text('i.resolution'), text('i.resolved_by'), text('i.resolved_at'),
  text(`(SELECT group_concat(a.kind || '#' || a.id || ' ' || a.state || ' ' || a.amount_minor || ' rrn=' || coalesce(a.rrn, ''), '; ' ORDER BY a.id)
     FROM adjustments a INDEXED BY adjustments_incident WHERE a.incident_id = i.id)`),
  text('CASE WHEN i.contact_channel IS NOT NULL THEN mask_contact(i.contact_name, i.contact_channel, i.contact_value) END'),
  text('i.root_cause'), text('i.prevention_action'), text('i.prevention_note'), text('i.note'),
  int('(SELECT count(*) FROM incident_evidence v WHERE v.incident_id = i.id)'),
  int('i.reopened_count'), text('i.created_by'), text('i.updated_at'), text('i.closed_at'),
];
const INCIDENT_FROM = 'FROM incidents i LEFT JOIN charges c ON c.id = i.charge_id';
const INCIDENT_ROWS = `${INCIDENT_FROM} WHERE ${IN_PERIOD} ORDER BY i.id`;

/** incident-events.csv's cells in EVENT_CSV_COLUMNS order (incident_events e, STRICT). */
export const EVENT_CSV_CELLS: readonly CsvCellSpec[] = [
  int('e.incident_id'), int('e.id'), text('e.at'), text('e.actor'), text('e.action'), text('e.from_status'), text('e.to_status'), int('e.amount_minor'), text('e.note'), text('e.data'),
];
const EVENT_ROWS = `FROM incident_events e INDEXED BY incident_events_incident JOIN incidents i ON i.id = e.incident_id
WHERE e.incident_id BETWEEN @lo AND @hi AND i.created_at >= @from AND i.created_at < @to ORDER BY e.incident_id, e.id`;

const cellsOf = (cells: readonly CsvCellSpec[]) => cells.map((c) => c.sql).join(', ');

/** incidents.csv as cells, one array per incident (what csv-stringify is given). */
export const CSV_INCIDENTS = `SELECT ${cellsOf(INCIDENT_CSV_CELLS)} ${INCIDENT_ROWS}`;
/** One incident's cells (a record the library writes). */
export const CSV_INCIDENT_BY_ID = `SELECT ${cellsOf(INCIDENT_CSV_CELLS)} ${INCIDENT_FROM} WHERE i.id = ?`;
/** incidents.csv packed: [incident id, packed cells] per incident (export/csvSql.ts). */
export const CSV_INCIDENTS_PACKED = `SELECT i.id, ${packedCellsSql(INCIDENT_CSV_CELLS)} ${INCIDENT_ROWS}`;

/** incident-events.csv as cells, one array per timeline entry. */
export const CSV_EVENTS = `SELECT ${cellsOf(EVENT_CSV_CELLS)} ${EVENT_ROWS}`;
/** One timeline entry's cells. */
export const CSV_EVENT_BY_ID = `SELECT ${cellsOf(EVENT_CSV_CELLS)} FROM incident_events e WHERE e.id = ?`;
/** incident-events.csv packed: [incident id, event id, packed cells] per timeline entry. */
export const CSV_EVENTS_PACKED = `SELECT e.incident_id, e.id, ${packedCellsSql(EVENT_CSV_CELLS)} ${EVENT_ROWS}`;

const CHARGE_JSON = (role: string, c = 'c') => `json_object('chargeId', ${c}.id, 'role', ${role}, 'terminalId', ${c}.terminal_id, 'merchantId', ${c}.merchant_id,
  'batch', ${c}.batch, 'trace', ${c}.trace, 'rrn', ${c}.rrn, 'authCode', ${c}.auth_code, 'panMasked', ${c}.pan_masked, 'brand', ${c}.brand,
  'entryMode', ${c}.entry_mode, 'amountMinor', ${c}.amount_minor, 'currency', ${c}.currency, 'terminalTime', ${c}.terminal_time,
  'receivedAt', ${c}.received_at, 'status', ${c}.status)`;

const RELATED_ROLE = "CASE WHEN i.kind = 'duplicate_charge' THEN 'duplicate_of' ELSE 'recharge' END";

/** Every charge of an incident, in order: its own, the related one, the linked ones (by when they were linked). */
const ALL_TRANSACTIONS = `(SELECT json_group_array(json(t.j) ORDER BY t.ord, t.k) FROM (
      SELECT 0 AS ord, 0 AS k, ${CHARGE_JSON("'original'")} AS j FROM charges c WHERE c.id = i.charge_id
      UNION ALL
      SELECT 1, 0, ${CHARGE_JSON(RELATED_ROLE)}
        FROM charges c WHERE c.id = i.related_charge_id AND c.id IS NOT i.charge_id
      UNION ALL
      SELECT 2, l.linked_at || l.charge_id, ${CHARGE_JSON('l.role')}
        FROM incident_charges l JOIN charges c ON c.id = l.charge_id
        WHERE l.incident_id = i.id AND c.id IS NOT i.charge_id AND c.id IS NOT i.related_charge_id) t)`;

/**
 * The same array for the usual incident without linked charges, from the incident's own charge
 * (c0) and related charge (c1) joined to it: no per-incident compound subquery, sort and re-parse.
 */
const TRANSACTIONS = `CASE WHEN EXISTS (SELECT 1 FROM incident_charges l WHERE l.incident_id = i.id) THEN ${ALL_TRANSACTIONS}
    WHEN c0.id IS NULL AND c1.id IS NULL THEN json_array()
    WHEN c1.id IS NULL THEN json_array(${CHARGE_JSON("'original'", 'c0')})
    WHEN c0.id IS NULL THEN json_array(${CHARGE_JSON(RELATED_ROLE, 'c1')})
    ELSE json_array(${CHARGE_JSON("'original'", 'c0')}, ${CHARGE_JSON(RELATED_ROLE, 'c1')}) END`;

/** One timeline entry as JSON (incident_events e). */
const EVENT_JSON = `json_object('id', e.id, 'at', e.at, 'actor', e.actor, 'action', e.action, 'fromStatus', e.from_status,
  'toStatus', e.to_status, 'amountMinor', e.amount_minor, 'note', e.note, 'data', json(e.data))`;

/** incidents.json: each incident as JSON text, its full timeline last. Keys in the schema's order. */
export const JSON_INCIDENTS = `
SELECT i.id, json_object(
  'id', i.id, 'kind', i.kind, 'status', i.status, 'cause', i.cause,
  'createdAt', i.created_at, 'createdBy', i.created_by, 'updatedAt', i.updated_at, 'closedAt', i.closed_at,
  'currency', i.currency, 'currencyCode', currency_alpha(i.currency),
  'amounts', json_object('chargedMinor', i.charged_minor, 'intendedMinor', i.intended_minor, 'differenceMinor', i.difference_minor,
    'owedMinor', i.owed_minor, 'returnedMinor', i.returned_minor, 'suspenseMinor', i.suspense_minor, 'outstandingMinor', ${OUTSTANDING}),
  'transactions', ${TRANSACTIONS},
  'settlementId', i.settlement_id,
  'settlementDetails', json(i.details),
  'resolution', json_object('proposal', i.proposal, 'proposalMinor', i.proposal_minor, 'proposalNote', i.proposal_note,
    'rejectionReason', i.rejection_reason, 'resolution', i.resolution, 'resolvedBy', i.resolved_by, 'resolvedAt', i.resolved_at),
  'adjustments', (SELECT json_group_array(json_object('id', a.id, 'chargeId', a.charge_id, 'kind', a.kind, 'state', a.state,
      'amountMinor', a.amount_minor, 'currency', a.currency, 'reason', a.reason, 'note', a.note, 'requestSeq', a.request_seq, 'rc', a.rc,
      'trace', a.trace, 'rrn', a.rrn, 'authCode', a.auth_code, 'terminalTime', a.terminal_time, 'requestedBy', a.requested_by,
      'requestedAt', a.requested_at, 'resolvedAt', a.resolved_at) ORDER BY a.id)
    FROM adjustments a INDEXED BY adjustments_incident WHERE a.incident_id = i.id),
  'contactMasked', CASE WHEN i.contact_channel IS NOT NULL THEN mask_contact(i.contact_name, i.contact_channel, i.contact_value) END,
  'rootCause', i.root_cause, 'prevention', i.prevention_action, 'preventionNote', i.prevention_note, 'note', i.note,
  'reopenedCount', i.reopened_count,
  'evidence', (SELECT json_group_array(json_object('id', v.id, 'originalName', v.original_name, 'ext', v.ext, 'sha256', v.sha256,
      'sizeBytes', v.size_bytes, 'storedPath', v.stored_path, 'note', v.note, 'addedBy', v.added_by, 'addedAt', v.added_at) ORDER BY v.id)
    FROM incident_evidence v WHERE v.incident_id = i.id),
  'timeline', (SELECT json_group_array(${EVENT_JSON} ORDER BY e.id) FROM incident_events e INDEXED BY incident_events_incident WHERE e.incident_id = i.id)
)
FROM incidents i
  LEFT JOIN charges c0 ON c0.id = i.charge_id
  LEFT JOIN charges c1 ON c1.id = i.related_charge_id AND c1.id IS NOT i.charge_id
WHERE ${IN_PERIOD} ORDER BY i.id`;

/** How many timeline entries the period's incidents have. */
export const EVENT_COUNT = `SELECT count(*) FROM incident_events e INDEXED BY incident_events_incident JOIN incidents i ON i.id = e.incident_id
WHERE e.incident_id BETWEEN @lo AND @hi AND i.created_at >= @from AND i.created_at < @to`;
