/**
 * One incident as the export writes it (JSON schema electron/contract/export-schema.v1.json), read
 * from the export's own read-only connection, and its flat CSV rows. Money: integer minor units.
 * The customer's contact only ever leaves masked.
 */
import { currencyInfo } from '../domain/currency.js';
import { maskedContactLine } from '../domain/contactMask.js';
import { outstandingMinor } from '../domain/incidentWorkflow.js';
import { CHARGE_COLUMNS, type ChargeRow } from '../ledger/rows.js';
import type { EvidenceRow, IncidentEventRow, IncidentFullRow } from '../ledger/incidentCases.js';
import { EVENT_COLUMNS, EVIDENCE_COLUMNS, INCIDENT_FULL_COLUMNS } from '../ledger/incidentCases.js';

export interface ExportTransaction {
  chargeId: number;
  role: 'original' | 'duplicate_of' | 'recharge' | 'related';
  terminalId: string;
  merchantId: string;
  batch: string;
  trace: string;
  rrn: string;
  authCode: string;
  panMasked: string;
  brand: string | null;
  entryMode: string;
  amountMinor: number;
  currency: string;
  terminalTime: string;
  receivedAt: string;
  status: string;
}

export interface ExportAdjustment {
  id: number;
  chargeId: number;
  kind: string;
  state: string;
  amountMinor: number;
  currency: string;
  reason: string;
  note: string;
  requestSeq: string;
  rc: string | null;
  trace: string | null;
  rrn: string | null;
  authCode: string | null;
  terminalTime: string | null;
  requestedBy: string;
  requestedAt: string;
  resolvedAt: string | null;
}

export interface ExportEvent {
  id: number;
  at: string;
  actor: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  amountMinor: number | null;
  note: string | null;
  data: Record<string, unknown>;
}

export interface ExportEvidence {
  id: number;
  originalName: string;
  ext: string;
  sha256: string;
  sizeBytes: number;
  storedPath: string;
  note: string | null;
  addedBy: string;
  addedAt: string;
}

export interface ExportIncident {
  id: number;
  kind: string;
  status: string;
  cause: string | null;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  closedAt: string | null;
  currency: string | null;
  currencyCode: string | null;
  amounts: {
    chargedMinor: number | null;
    intendedMinor: number | null;
    differenceMinor: number | null;
    owedMinor: number;
    returnedMinor: number;
    suspenseMinor: number;
    outstandingMinor: number;
  };
  transactions: ExportTransaction[];
  settlementId: number | null;
  settlementDetails: Record<string, unknown> | null;
  resolution: {
    proposal: string | null;
    proposalMinor: number | null;
    proposalNote: string | null;
    rejectionReason: string | null;
    resolution: string | null;
    resolvedBy: string | null;
    resolvedAt: string | null;
  };
  adjustments: ExportAdjustment[];
  contactMasked: string | null;
  rootCause: string | null;
  prevention: string | null;
  preventionNote: string | null;
  note: string | null;
  reopenedCount: number;
  evidence: ExportEvidence[];
  timeline: ExportEvent[];
}

export interface AdjustmentRow {
  id: number;
  incident_id: number;
  charge_id: number;
  kind: string;
  amount_minor: number;
  currency: string;
  reason: string;
  note: string;
  request_seq: string;
  state: string;
  rc: string | null;
  trace: string | null;
  rrn: string | null;
  auth_code: string | null;
  terminal_time: string | null;
  requested_by: string;
  requested_at: string;
  resolved_at: string | null;
}

export interface LinkRow {
  incident_id: number;
  charge_id: number;
  role: 'recharge' | 'related';
}

/** The columns of the incident's own charge, joined to each incident row as c_<column>. */
const JOINED_CHARGE = ['id', 'terminal_id', 'merchant_id', 'batch', 'trace', 'rrn', 'auth_code', 'amount_minor', 'currency', 'pan_masked', 'entry_mode', 'brand', 'terminal_time', 'received_at', 'status'] as const;

/** One incident with its own charge (LEFT JOIN; c_id is null without one). */
export type IncidentExportRow = IncidentFullRow & { [K in (typeof JOINED_CHARGE)[number] as `c_${K}`]: ChargeRow[K] | null };

export const EXPORT_SQL = {
  /** The period's incidents in id order, each with its own charge. */
  incidents: `SELECT ${INCIDENT_FULL_COLUMNS.split(', ').map((c) => `i.${c}`).join(', ')}, ${JOINED_CHARGE.map((c) => `c.${c} AS c_${c}`).join(', ')}
    FROM incidents i LEFT JOIN charges c ON c.id = i.charge_id
    WHERE i.id BETWEEN @lo AND @hi AND i.created_at >= @from AND i.created_at < @to ORDER BY i.id`,
  /** The children of the incidents in the id range, in incident order (merged with the incidents as they are read). */
  events: `SELECT ${EVENT_COLUMNS} FROM incident_events WHERE incident_id BETWEEN ? AND ? ORDER BY incident_id, id`,
  evidence: `SELECT ${EVIDENCE_COLUMNS} FROM incident_evidence WHERE incident_id BETWEEN ? AND ? ORDER BY incident_id, id`,
  links: 'SELECT incident_id, charge_id, role FROM incident_charges WHERE incident_id BETWEEN ? AND ? ORDER BY incident_id, linked_at, charge_id',
  adjustments: `SELECT id, incident_id, charge_id, kind, amount_minor, currency, reason, note, request_seq, state, rc, trace, rrn, auth_code, terminal_time,
      requested_by, requested_at, resolved_at
    FROM adjustments INDEXED BY adjustments_incident WHERE incident_id BETWEEN ? AND ? ORDER BY incident_id, id`,
  charge: `SELECT ${CHARGE_COLUMNS} FROM charges WHERE id = ?`,
} as const;

/**
 * A cursor over rows ordered by incident id, read alongside the incidents: `take(id)` returns the
 * rows of incident `id` (skipping those of incidents left out of the period).
 */
export class ChildCursor<T extends { incident_id: number }> {
  private next: IteratorResult<T>;
  constructor(readonly iterator: IterableIterator<T>) {
    this.next = iterator.next();
  }
  take(incidentId: number): T[] {
    const out: T[] = [];
    while (!this.next.done && this.next.value.incident_id <= incidentId) {
      if (this.next.value.incident_id === incidentId) out.push(this.next.value);
      this.next = this.iterator.next();
    }
    return out;
  }
  close(): void {
    this.iterator.return?.();
  }
}

export interface IncidentChildren {
  events: IncidentEventRow[];
  evidence: EvidenceRow[];
  links: LinkRow[];
  adjustments: AdjustmentRow[];
}

function toTransaction(r: ChargeRow, role: ExportTransaction['role']): ExportTransaction {
  return {
    chargeId: r.id,
    role,
    terminalId: r.terminal_id,
    merchantId: r.merchant_id,
    batch: r.batch,
    trace: r.trace,
    rrn: r.rrn,
    authCode: r.auth_code,
    panMasked: r.pan_masked,
    brand: r.brand,
    entryMode: r.entry_mode,
    amountMinor: r.amount_minor,
    currency: r.currency,
    terminalTime: r.terminal_time,
    receivedAt: r.received_at,
    status: r.status,
  };
}

function joinedCharge(r: IncidentExportRow): ExportTransaction | null {
  if (r.c_id === null) return null;
  return {
    chargeId: r.c_id,
    role: 'original',
    terminalId: r.c_terminal_id!,
    merchantId: r.c_merchant_id!,
    batch: r.c_batch!,
    trace: r.c_trace!,
    rrn: r.c_rrn!,
    authCode: r.c_auth_code!,
    panMasked: r.c_pan_masked!,
    brand: r.c_brand,
    entryMode: r.c_entry_mode!,
    amountMinor: r.c_amount_minor!,
    currency: r.c_currency!,
    terminalTime: r.c_terminal_time!,
    receivedAt: r.c_received_at!,
    status: r.c_status!,
  };
}

function parseData(text: string): Record<string, unknown> {
  if (text === '{}') return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function toExportEvent(e: IncidentEventRow): ExportEvent {
  return {
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    fromStatus: e.from_status,
    toStatus: e.to_status,
    amountMinor: e.amount_minor,
    note: e.note,
    data: parseData(e.data),
  };
}

export function buildExportIncident(r: IncidentExportRow, children: IncidentChildren, chargeById: (id: number) => ChargeRow | undefined): ExportIncident {
  const transactions: ExportTransaction[] = [];
  const original = joinedCharge(r);
  if (original) transactions.push(original);
  const add = (id: number | null, role: ExportTransaction['role']) => {
    if (id === null || transactions.some((t) => t.chargeId === id)) return;
    const row = chargeById(id);
    if (row) transactions.push(toTransaction(row, role));
  };
  add(r.related_charge_id, r.kind === 'duplicate_charge' ? 'duplicate_of' : 'recharge');
  for (const l of children.links) add(l.charge_id, l.role);
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    cause: r.cause,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
    currency: r.currency,
    currencyCode: currencyInfo(r.currency)?.alpha ?? null,
    amounts: {
      chargedMinor: r.charged_minor,
      intendedMinor: r.intended_minor,
      differenceMinor: r.difference_minor,
      owedMinor: r.owed_minor,
      returnedMinor: r.returned_minor,
      suspenseMinor: r.suspense_minor,
      outstandingMinor: outstandingMinor({ status: r.status, owedMinor: r.owed_minor, returnedMinor: r.returned_minor, suspenseMinor: r.suspense_minor }),
    },
    transactions,
    settlementId: r.settlement_id,
    settlementDetails: r.details === null ? null : parseData(r.details),
    resolution: {
      proposal: r.proposal,
      proposalMinor: r.proposal_minor,
      proposalNote: r.proposal_note,
      rejectionReason: r.rejection_reason,
      resolution: r.resolution,
      resolvedBy: r.resolved_by,
      resolvedAt: r.resolved_at,
    },
    adjustments: children.adjustments.map((a) => ({
      id: a.id,
      chargeId: a.charge_id,
      kind: a.kind,
      state: a.state,
      amountMinor: a.amount_minor,
      currency: a.currency,
      reason: a.reason,
      note: a.note,
      requestSeq: a.request_seq,
      rc: a.rc,
      trace: a.trace,
      rrn: a.rrn,
      authCode: a.auth_code,
      terminalTime: a.terminal_time,
      requestedBy: a.requested_by,
      requestedAt: a.requested_at,
      resolvedAt: a.resolved_at,
    })),
    contactMasked: r.contact_channel && r.contact_value !== null ? maskedContactLine({ name: r.contact_name, channel: r.contact_channel, value: r.contact_value }) : null,
    rootCause: r.root_cause,
    prevention: r.prevention_action,
    preventionNote: r.prevention_note,
    note: r.note,
    reopenedCount: r.reopened_count,
    evidence: children.evidence.map((e) => ({
      id: e.id,
      originalName: e.original_name,
      ext: e.ext,
      sha256: e.sha256,
      sizeBytes: e.size_bytes,
      storedPath: e.stored_path,
      note: e.note,
      addedBy: e.added_by,
      addedAt: e.added_at,
    })),
    timeline: children.events.map(toExportEvent),
  };
}

/** incidents.csv: one row per incident (filled by export/sql.ts CSV_INCIDENTS, in this order). */
export const INCIDENT_CSV_COLUMNS = [
  'incident_id',
  'created_at',
  'kind',
  'status',
  'cause',
  'currency',
  'currency_code',
  'charged_minor',
  'intended_minor',
  'difference_minor',
  'owed_minor',
  'returned_minor',
  'suspense_minor',
  'outstanding_minor',
  'charge_id',
  'terminal_id',
  'merchant_id',
  'batch',
  'trace',
  'rrn',
  'auth_code',
  'pan_masked',
  'terminal_time',
  'related_charge_ids',
  'settlement_id',
  'proposal',
  'proposal_minor',
  'rejection_reason',
  'resolution',
  'resolved_by',
  'resolved_at',
  'adjustments',
  'contact_masked',
  'root_cause',
  'prevention',
  'prevention_note',
  'note',
  'evidence_count',
  'reopened_count',
  'created_by',
  'updated_at',
  'closed_at',
] as const;

export type CsvCell = string | number | null;

/** incident-events.csv: one row per timeline entry (export/sql.ts CSV_EVENTS). */
export const EVENT_CSV_COLUMNS = ['incident_id', 'event_id', 'at', 'actor', 'action', 'from_status', 'to_status', 'amount_minor', 'note', 'data'] as const;
