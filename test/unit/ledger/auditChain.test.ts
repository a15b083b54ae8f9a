import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  EMPTY_HEAD,
  GENESIS_HASH,
  chainFaultOf,
  hashAuditRow,
  hashStoredAuditRow,
  nextAuditRow,
  verifyChain,
  type AuditHead,
  type StoredAuditRow,
} from '../../../electron/domain/auditChain.js';

function buildChain(n: number): { rows: StoredAuditRow[]; head: AuditHead } {
  const rows: StoredAuditRow[] = [];
  let head: AuditHead = EMPTY_HEAD;
  for (let i = 0; i < n; i++) {
    const row = nextAuditRow(head, {
      at: new Date(Date.UTC(2026, 2, 10, 2, 0, i)).toISOString(),
      actor: i % 2 ? 'cashier' : 'terminal:10293847',
      action: 'charge.recorded',
      entity: 'charge',
      entityId: String(i + 1),
      data: { chargeId: i + 1, amountMinor: 100 * (i + 1), currency: '156' },
    });
    rows.push(row);
    head = { seq: row.seq, hash: row.hash };
  }
  return { rows, head };
}

function faultOf(result: ReturnType<typeof verifyChain>) {
  if (result.ok) return { ok: true as const };
  return { ok: false as const, badSeq: result.badSeq, fault: chainFaultOf(result.reason) };
}

describe('hashAuditRow', () => {
  test('is SHA-256 hex over the canonical JSON of the eight fields', () => {
    const entry = {
      seq: 1,
      at: '2026-03-10T02:00:00.000Z',
      actor: 'cashier',
      action: 'charge.confirmed',
      entity: 'charge',
      entityId: '7',
      data: { chargeId: 7, amountMinor: 12800 },
      prevHash: GENESIS_HASH,
    };
    const canonical =
      '{"action":"charge.confirmed","actor":"cashier","at":"2026-03-10T02:00:00.000Z",' +
      '"data":{"amountMinor":12800,"chargeId":7},"entity":"charge","entityId":"7",' +
      `"prevHash":"${'0'.repeat(64)}","seq":1}`;
    expect(hashAuditRow(entry)).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(hashAuditRow(entry)).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the genesis prev_hash is 64 zeros', () => {
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(buildChain(1).rows[0]?.prevHash).toBe(GENESIS_HASH);
  });
});

describe('verifyChain', () => {
  test('an intact chain verifies; an empty log with the empty head too', () => {
    const { rows, head } = buildChain(20);
    expect(verifyChain(rows, head)).toEqual({ ok: true, rows: 20, head: head.hash });
    expect(verifyChain([], EMPTY_HEAD)).toEqual({ ok: true, rows: 0, head: null });
  });

  test('an edited row: hash_mismatch at that row', () => {
    const { rows, head } = buildChain(10);
    rows[4] = { ...rows[4]!, actor: 'mallory' };
    expect(faultOf(verifyChain(rows, head))).toEqual({ ok: false, badSeq: 5, fault: 'hash_mismatch' });
  });

  test('data rewritten to the same value in another form (whitespace, key order) is still an edit', () => {
    const { rows, head } = buildChain(10);
    rows[2] = { ...rows[2]!, data: rows[2]!.data.replace(':', ': ') };
    expect(faultOf(verifyChain(rows, head))).toEqual({ ok: false, badSeq: 3, fault: 'hash_mismatch' });
    const again = buildChain(10);
    const parsed = JSON.parse(again.rows[5]!.data) as Record<string, unknown>;
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(parsed).reverse()));
    expect(reordered).not.toBe(again.rows[5]!.data);
    again.rows[5] = { ...again.rows[5]!, data: reordered };
    expect(faultOf(verifyChain(again.rows, again.head))).toEqual({ ok: false, badSeq: 6, fault: 'hash_mismatch' });
  });

  test('stored rows hash exactly as hashAuditRow defines (canonical data embedded)', () => {
    const { rows } = buildChain(5);
    for (const r of rows) {
      expect(hashAuditRow({ ...r, data: JSON.parse(r.data) as never })).toBe(r.hash);
      expect(hashStoredAuditRow(r)).toBe(r.hash);
    }
  });

  test('a deleted middle row: seq_gap at its seq', () => {
    const { rows, head } = buildChain(10);
    rows.splice(6, 1);
    const result = verifyChain(rows, head);
    expect(faultOf(result)).toEqual({ ok: false, badSeq: 7, fault: 'seq_gap' });
    expect(result.rows).toBe(6);
  });

  test('a deleted middle row with the later ones renumbered: caught at the first renumbered row', () => {
    const { rows, head } = buildChain(10);
    rows.splice(6, 1);
    const renumbered = rows.map((r, i) => ({ ...r, seq: i + 1 }));
    expect(faultOf(verifyChain(renumbered, { seq: 9, hash: renumbered[8]!.hash }))).toEqual({
      ok: false,
      badSeq: 7,
      fault: 'prev_hash_mismatch',
    });
  });

  test('the last row deleted: head_mismatch at its seq', () => {
    const { rows, head } = buildChain(10);
    rows.pop();
    expect(faultOf(verifyChain(rows, head))).toEqual({ ok: false, badSeq: 10, fault: 'head_mismatch' });
  });

  test('a well-formed row appended without the head: head_mismatch at the new seq', () => {
    const { rows, head } = buildChain(10);
    rows.push(nextAuditRow(head, { at: 'x', actor: 'mallory', action: 'charge.recorded', entity: 'charge', entityId: '99', data: {} }));
    expect(faultOf(verifyChain(rows, head))).toEqual({ ok: false, badSeq: 11, fault: 'head_mismatch' });
  });

  test('two rows swapped: prev_hash_mismatch at the first', () => {
    const { rows, head } = buildChain(10);
    const a = rows[2]!;
    const b = rows[7]!;
    rows[2] = { ...b, seq: 3 };
    rows[7] = { ...a, seq: 8 };
    expect(faultOf(verifyChain(rows, head))).toEqual({ ok: false, badSeq: 3, fault: 'prev_hash_mismatch' });
  });

  test('a row before the start, a missing head, a rewritten last row', () => {
    const { rows, head } = buildChain(5);
    expect(faultOf(verifyChain([{ ...rows[0]!, seq: 0 }, ...rows], head))).toEqual({ ok: false, badSeq: 0, fault: 'seq_order' });
    expect(faultOf(verifyChain(rows, null))).toEqual({ ok: false, badSeq: 5, fault: 'head_missing' });
    expect(faultOf(verifyChain(rows, { seq: 5, hash: 'f'.repeat(64) }))).toEqual({ ok: false, badSeq: 5, fault: 'head_mismatch' });
  });

  test('streams: takes any iterable, e.g. a generator', () => {
    const { rows, head } = buildChain(50);
    function* gen() {
      yield* rows;
    }
    expect(verifyChain(gen(), head).ok).toBe(true);
  });

  const columns = ['seq', 'at', 'actor', 'action', 'entity', 'entityId', 'data', 'prevHash', 'hash'] as const;

  test('property: any single change to any column of any row is caught at that row', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.nat(),
        fc.constantFrom(...columns),
        fc.string({ minLength: 1, maxLength: 8 }),
        (n, pick, column, junk) => {
          const { rows, head } = buildChain(n);
          const i = pick % n;
          const row = { ...rows[i]! };
          switch (column) {
            case 'seq':
              row.seq = row.seq + n + 1; // moved past the end
              break;
            case 'data':
              row.data = `{"junk":${JSON.stringify(junk)}}`;
              break;
            default:
              row[column] = `${row[column]}${junk}`;
          }
          const tampered = [...rows];
          tampered[i] = row;
          tampered.sort((x, y) => x.seq - y.seq); // as SQLite returns them
          const result = verifyChain(tampered, head);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.badSeq).toBe(i + 1);
        },
      ),
      { numRuns: 400 },
    );
  });
});
