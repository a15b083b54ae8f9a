/**
 * The audit log as a hash chain. Pure: no SQLite, no clock; the ledger stores what this computes.
 *
 * Each row's hash is SHA-256 (lowercase hex) over the canonical JSON of
 * `{seq, at, actor, action, entity, entityId, data, prevHash}`, where `data` is the JSON value (so its
 * canonical text is embedded) and `prevHash` is the previous row's hash, or 64 zeros for seq 1.
 * A separate head record (last seq + hash), written together with every append, makes a deleted or
 * foreign tail visible.
 *
 * What the chain proves: nobody changed, removed, inserted or reordered rows without also rewriting
 * every later row and the head. Being unkeyed, it cannot stop someone who recomputes all of that.
 */
import { hash } from 'node:crypto';
import type { AuditVerification } from '../contract/schemas.js';
import { CanonicalJsonError, canonicalJson, type JsonValue } from './canonical.js';

export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of one audit row. */
export interface AuditEntry {
  seq: number;
  /** ISO 8601 UTC. */
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  data: JsonValue;
  prevHash: string;
}

/** A row as stored: `data` is the canonical JSON text, plus the row's own hash. */
export interface StoredAuditRow extends Omit<AuditEntry, 'data'> {
  data: string;
  hash: string;
}

/** The head record: seq and hash of the last row; `{seq: 0, hash: GENESIS_HASH}` for an empty log. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export const EMPTY_HEAD: AuditHead = Object.freeze({ seq: 0, hash: GENESIS_HASH });

export function hashAuditRow(row: AuditEntry): string {
  return sha256Hex(entryText(row, canonicalJson(row.data)));
}

/**
 * `canonicalJson({seq, at, actor, action, entity, entityId, data, prevHash})` written out directly,
 * with `dataText` (the canonical text of data) embedded: the keys in their sorted order are
 * action, actor, at, data, entity, entityId, prevHash, seq. Equal to the canonical form whenever
 * `dataText` is canonical, which is how every stored row is written (see nextAuditRow).
 */
function entryText(row: Omit<AuditEntry, 'data'>, dataText: string): string {
  if (!Number.isSafeInteger(row.seq)) throw new CanonicalJsonError('$.seq', 'only safe integers are allowed');
  return (
    `{"action":${JSON.stringify(row.action)},"actor":${JSON.stringify(row.actor)},"at":${JSON.stringify(row.at)},` +
    `"data":${dataText},"entity":${JSON.stringify(row.entity)},"entityId":${JSON.stringify(row.entityId)},` +
    `"prevHash":${JSON.stringify(row.prevHash)},"seq":${row.seq}}`
  );
}

function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/**
 * The hash a stored row should have: over its stored data text as is. Byte-for-byte the same input
 * as hashAuditRow for every row the ledger wrote (its data text is canonical), and any change to
 * the text, even one that parses to the same value, changes it. No JSON parsing: fast to verify.
 */
export function hashStoredAuditRow(row: Omit<StoredAuditRow, 'hash'>): string {
  return sha256Hex(entryText(row, row.data));
}

/** What one append adds: everything but the chain position, which comes from the head. */
export interface AuditAppend {
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  /** Any canonical-JSON-able value (integers only); throws CanonicalJsonError otherwise. */
  data: unknown;
}

/** The next row after `head`, ready to store (data already in canonical text). */
export function nextAuditRow(head: AuditHead, append: AuditAppend): StoredAuditRow {
  const row = {
    seq: head.seq + 1,
    at: append.at,
    actor: append.actor,
    action: append.action,
    entity: append.entity,
    entityId: append.entityId,
    data: canonicalJson(append.data),
    prevHash: head.hash,
  };
  return { ...row, hash: hashStoredAuditRow(row) };
}

/**
 * Why a chain failed; the `reason` of a failed AuditVerification starts with one of these, then
 * `: ` and an explanation.
 * - `hash_mismatch`: the row's contents (or its stored hash) were edited;
 * - `seq_gap`: rows are missing before this seq (deleted);
 * - `seq_order`: a row with a seq that cannot come here (inserted before the start / out of order);
 * - `prev_hash_mismatch`: the row does not follow the one before it (deleted, inserted, reordered);
 * - `head_mismatch`: the log's end disagrees with the head record (tail deleted, or rows appended
 *   without the ledger, or the last row rewritten);
 * - `head_missing`: the head record itself is gone.
 */
export type ChainFault =
  | 'hash_mismatch'
  | 'seq_gap'
  | 'seq_order'
  | 'prev_hash_mismatch'
  | 'head_mismatch'
  | 'head_missing';

/** The fault code at the start of a failed verification's reason. */
export function chainFaultOf(reason: string): ChainFault | null {
  const code = reason.split(':', 1)[0] ?? '';
  const faults: readonly string[] = [
    'hash_mismatch',
    'seq_gap',
    'seq_order',
    'prev_hash_mismatch',
    'head_mismatch',
    'head_missing',
  ];
  return faults.includes(code) ? (code as ChainFault) : null;
}

/**
 * Verifies rows given in ascending seq order against the head record (`null` = no head record).
 * Stops at the first fault: `badSeq` is the first seq that is wrong or missing, and `rows` counts
 * the rows that verified before it. Streams: `rows` may be a lazy iterator over a million rows.
 *
 * Per row, in this order: seq continuity, link to the previous row, then the row's own hash. So a
 * column edited in place reports `hash_mismatch` at that row; a deleted row `seq_gap` at its seq;
 * rows swapped or moved `prev_hash_mismatch` at the first displaced one.
 */
export function verifyChain(rows: Iterable<StoredAuditRow>, head: AuditHead | null): AuditVerification {
  const verifier = new ChainVerifier();
  for (const row of rows) {
    const fault = verifier.push(row);
    if (fault) return fault;
  }
  return verifier.finish(head);
}

/**
 * `verifyChain` one row at a time, for callers that read the rows in slices (e.g. verifying a
 * backup without holding the event loop): `push` each row in ascending seq order — a failed
 * verification means stop there — then `finish` with the head record.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private verified = 0;

  /** Rows verified so far. */
  get rows(): number {
    return this.verified;
  }

  private fail(badSeq: number, fault: ChainFault, why: string): AuditVerification {
    return { ok: false, rows: this.verified, badSeq, reason: `${fault}: ${why}` };
  }

  /** Checks one row; returns the failed verification at the first fault, else null. */
  push(row: StoredAuditRow): AuditVerification | null {
    const expectedSeq = this.expectedSeq;
    if (row.seq > expectedSeq) {
      const missing = row.seq - 1 === expectedSeq ? `row ${expectedSeq} is` : `rows ${expectedSeq}..${row.seq - 1} are`;
      return this.fail(expectedSeq, 'seq_gap', `${missing} missing (deleted)`);
    }
    if (row.seq < expectedSeq) {
      return this.fail(row.seq, 'seq_order', `found seq ${row.seq} where seq ${expectedSeq} was expected (inserted or reordered)`);
    }
    if (row.prevHash !== this.prevHash) {
      const previous = row.seq === 1 ? 'the genesis value' : `the hash of row ${row.seq - 1}`;
      return this.fail(
        row.seq,
        'prev_hash_mismatch',
        `row ${row.seq} does not follow ${previous} (rows deleted, inserted or reordered, or the row before it rewritten)`,
      );
    }
    if (hashStoredAuditRow(row) !== row.hash) {
      return this.fail(row.seq, 'hash_mismatch', `row ${row.seq} was edited: its contents do not match its hash`);
    }
    this.prevHash = row.hash;
    this.expectedSeq = row.seq + 1;
    this.verified++;
    return null;
  }

  /** The end of the log against the head record (`null` = no head record). */
  finish(head: AuditHead | null): AuditVerification {
    const lastSeq = this.expectedSeq - 1;
    const prevHash = this.prevHash;
    if (head === null) {
      return this.fail(lastSeq, 'head_missing', 'the audit head record is missing (deleted)');
    }
    if (head.seq > lastSeq) {
      const gone = head.seq === lastSeq + 1 ? `row ${head.seq} was` : `rows ${lastSeq + 1}..${head.seq} were`;
      return this.fail(lastSeq + 1, 'head_mismatch', `the log ends at seq ${lastSeq} but the head records seq ${head.seq}: ${gone} deleted`);
    }
    if (head.seq < lastSeq) {
      return this.fail(
        head.seq + 1,
        'head_mismatch',
        `the head records seq ${head.seq} but the log goes on to seq ${lastSeq}: rows were appended without the ledger`,
      );
    }
    if (head.hash !== prevHash) {
      return this.fail(lastSeq, 'head_mismatch', `the hash of the last row ${lastSeq} differs from the head's (last row rewritten)`);
    }
    return { ok: true, rows: this.verified, head: lastSeq === 0 ? null : prevHash };
  }
}
