/**
 * Row shapes as SQLite returns them, and the one place they become API objects.
 */
import type { Charge, ChargeFlag } from '../contract/schemas.js';
import { LedgerError } from './errors.js';
import type { HostRequestRecord, HostRequestState, HostRequestType } from './types.js';

/** The columns every charge query selects, in this order. */
export const CHARGE_COLUMNS =
  'id, terminal_id, merchant_id, batch, trace, rrn, auth_code, amount_minor, currency, pan_masked, ' +
  'entry_mode, brand, terminal_time, received_at, status, flags, confirmed_by, confirmed_at';

export interface ChargeRow {
  id: number;
  terminal_id: string;
  merchant_id: string;
  batch: string;
  trace: string;
  rrn: string;
  auth_code: string;
  amount_minor: number;
  currency: string;
  pan_masked: string;
  entry_mode: Charge['entryMode'];
  brand: string | null;
  terminal_time: string;
  received_at: string;
  status: Charge['status'];
  flags: string;
  confirmed_by: string | null;
  confirmed_at: string | null;
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new LedgerError('db.corrupt', `the ledger holds invalid JSON in ${what}`, { what });
  }
}

export function rowToCharge(r: ChargeRow): Charge {
  return {
    id: r.id,
    terminalId: r.terminal_id,
    merchantId: r.merchant_id,
    batch: r.batch,
    trace: r.trace,
    rrn: r.rrn,
    authCode: r.auth_code,
    amountMinor: r.amount_minor,
    currency: r.currency,
    panMasked: r.pan_masked,
    entryMode: r.entry_mode,
    brand: r.brand,
    terminalTime: r.terminal_time,
    receivedAt: r.received_at,
    status: r.status,
    flags: r.flags === '[]' ? [] : parseJson<ChargeFlag[]>(r.flags, `charge ${r.id} flags`),
    confirmedBy: r.confirmed_by,
    confirmedAt: r.confirmed_at,
  };
}

export const HOST_REQUEST_COLUMNS =
  'id, seq, type, fields, charge_id, state, rc, response, reason, created_at, resolved_at, actor';

export interface HostRequestRow {
  id: number;
  seq: string;
  type: HostRequestType;
  fields: string;
  charge_id: number | null;
  state: HostRequestState;
  rc: string | null;
  response: string | null;
  reason: string | null;
  created_at: string;
  resolved_at: string | null;
  actor: string;
}

export function rowToHostRequest(r: HostRequestRow): HostRequestRecord {
  return {
    id: r.id,
    seq: r.seq,
    type: r.type,
    fields: parseJson<Record<string, string>>(r.fields, `host request ${r.id} fields`),
    chargeId: r.charge_id,
    state: r.state,
    rc: r.rc,
    response: r.response === null ? null : parseJson<Record<string, string>>(r.response, `host request ${r.id} response`),
    reason: r.reason,
    createdAt: r.created_at,
    resolvedAt: r.resolved_at,
    actor: r.actor,
  };
}

/** Selects audit rows in the StoredAuditRow shape. */
export const AUDIT_COLUMNS =
  'seq, at, actor, action, entity, entity_id AS entityId, data, prev_hash AS prevHash, hash';
