/**
 * The export's queries. CSV rows come out of SQLite as plain arrays in the files' column order and
 * go straight to the CSV library; JSON text is built by SQLite's own json_object() (the shape of
 * export-schema.v1.json), so 100,000 incidents never become 100,000 JavaScript objects.
 *
 * Every query reads the incidents of one id range [@lo, @hi] whose creation time is in
 * [@from, @to), in id order; a timeline is read alongside its incidents (same order).
 * Two functions are registered on the export's connection: currency_alpha(numeric code) and
 * mask_contact(name, channel, value) (domain/contactMask.ts): the masking rule lives in one place.
 */
import type Database from 'better-sqlite3';
import { currencyInfo } from '../domain/currency.js';
import { maskedContactLine, type ContactChannel } from '../domain/contactMask.js';

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

/** incidents.csv, one array per incident in INCIDENT_CSV_COLUMNS order. */
export const CSV_INCIDENTS = `
SELECT i.id, i.created_at, i.kind, i.status, i.cause, i.currency, currency_alpha(i.currency),
  i.charged_minor, i.intended_minor, i.difference_minor, i.owed_minor, i.returned_minor, i.suspense_minor, ${OUTSTANDING},
  i.charge_id, i.terminal_id, i.merchant_id, i.batch, i.trace, i.rrn, i.auth_code, i.pan_masked, c.terminal_time,
  trim(coalesce(CASE WHEN i.related_charge_id IS NOT NULL
                THEN (CASE WHEN i.kind = 'duplicate_charge' THEN 'duplicate_of:' ELSE 'recharge:' END) || i.related_charge_id END, '')
       || coalesce((SELECT ' ' || group_concat(l.role || ':' || l.charge_id, ' ' ORDER BY l.linked_at, l.charge_id)
                    FROM incident_charges l WHERE l.incident_id = i.id), '')),
  i.settlement_id, i.proposal, i.proposal_minor, i.rejection_reason, i.resolution, i.resolved_by, i.resolved_at,
  (SELECT group_concat(a.kind || '#' || a.id || ' ' || a.state || ' ' || a.amount_minor || ' rrn=' || coalesce(a.rrn, ''), '; ' ORDER BY a.id)
     FROM adjustments a INDEXED BY adjustments_incident WHERE a.incident_id = i.id),
  CASE WHEN i.contact_channel IS NOT NULL THEN mask_contact(i.contact_name, i.contact_channel, i.contact_value) END,
  i.root_cause, i.prevention_action, i.prevention_note, i.note,
  (SELECT count(*) FROM incident_evidence v WHERE v.incident_id = i.id),
  i.reopened_count, i.created_by, i.updated_at, i.closed_at
FROM incidents i LEFT JOIN charges c ON c.id = i.charge_id
WHERE ${IN_PERIOD} ORDER BY i.id`;

/** incident-events.csv, one array per timeline entry in EVENT_CSV_COLUMNS order. */
export const CSV_EVENTS = `
SELECT e.incident_id, e.id, e.at, e.actor, e.action, e.from_status, e.to_status, e.amount_minor, e.note, e.data
FROM incident_events e INDEXED BY incident_events_incident JOIN incidents i ON i.id = e.incident_id
WHERE e.incident_id BETWEEN @lo AND @hi AND i.created_at >= @from AND i.created_at < @to ORDER BY e.incident_id, e.id`;

const CHARGE_JSON = (role: string) => `json_object('chargeId', c.id, 'role', ${role}, 'terminalId', c.terminal_id, 'merchantId', c.merchant_id,
  'batch', c.batch, 'trace', c.trace, 'rrn', c.rrn, 'authCode', c.auth_code, 'panMasked', c.pan_masked, 'brand', c.brand,
  'entryMode', c.entry_mode, 'amountMinor', c.amount_minor, 'currency', c.currency, 'terminalTime', c.terminal_time,
  'receivedAt', c.received_at, 'status', c.status)`;

/**
 * incidents.json: each incident as JSON text without its timeline (the caller appends
 * `,"timeline":[…]}` from JSON_EVENTS). Keys in the schema's order.
 */
export const JSON_INCIDENTS = `
SELECT i.id, json_object(
  'id', i.id, 'kind', i.kind, 'status', i.status, 'cause', i.cause,
  'createdAt', i.created_at, 'createdBy', i.created_by, 'updatedAt', i.updated_at, 'closedAt', i.closed_at,
  'currency', i.currency, 'currencyCode', currency_alpha(i.currency),
  'amounts', json_object('chargedMinor', i.charged_minor, 'intendedMinor', i.intended_minor, 'differenceMinor', i.difference_minor,
    'owedMinor', i.owed_minor, 'returnedMinor', i.returned_minor, 'suspenseMinor', i.suspense_minor, 'outstandingMinor', ${OUTSTANDING}),
  'transactions', (SELECT json_group_array(json(t.j) ORDER BY t.ord, t.k) FROM (
      SELECT 0 AS ord, 0 AS k, ${CHARGE_JSON("'original'")} AS j FROM charges c WHERE c.id = i.charge_id
      UNION ALL
      SELECT 1, 0, ${CHARGE_JSON("CASE WHEN i.kind = 'duplicate_charge' THEN 'duplicate_of' ELSE 'recharge' END")}
        FROM charges c WHERE c.id = i.related_charge_id AND c.id IS NOT i.charge_id
      UNION ALL
      SELECT 2, l.linked_at || l.charge_id, ${CHARGE_JSON('l.role')}
        FROM incident_charges l JOIN charges c ON c.id = l.charge_id
        WHERE l.incident_id = i.id AND c.id IS NOT i.charge_id AND c.id IS NOT i.related_charge_id) t),
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
    FROM incident_evidence v WHERE v.incident_id = i.id)
)
FROM incidents i WHERE ${IN_PERIOD} ORDER BY i.id`;

/** The timeline entries as JSON text, alongside JSON_INCIDENTS. */
export const JSON_EVENTS = `
SELECT e.incident_id, json_object('id', e.id, 'at', e.at, 'actor', e.actor, 'action', e.action, 'fromStatus', e.from_status,
  'toStatus', e.to_status, 'amountMinor', e.amount_minor, 'note', e.note, 'data', json(e.data))
FROM incident_events e INDEXED BY incident_events_incident JOIN incidents i ON i.id = e.incident_id
WHERE e.incident_id BETWEEN @lo AND @hi AND i.created_at >= @from AND i.created_at < @to ORDER BY e.incident_id, e.id`;
