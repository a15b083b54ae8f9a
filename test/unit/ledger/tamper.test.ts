import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { AuditVerification } from '../../../electron/contract/schemas.js';
import { chainFaultOf, hashAuditRow, type ChainFault } from '../../../electron/domain/auditChain.js';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { verifyLogFile } from '../../../electron/ledger/verifyLog.js';
import { ledgerErrorOf, newCharge, tamperer, tempLedgerFile, testClock } from './helpers.js';

let file: string;
let ledger: Ledger;
let raw: Database.Database | undefined;

beforeEach(async () => {
  file = tempLedgerFile();
  ledger = await openLedger(file, { clock: testClock(), durability: 'demo' });
});
afterEach(() => {
  raw?.close();
  raw = undefined;
  ledger.close();
});

/** A day at the counter: charges, confirmations, flags, a void request, settings, core events. */
function workload(l: Ledger, n = 12) {
  for (let i = 0; i < n; i++) {
    const { charge } = l.recordCharge(newCharge({ amountMinor: 1000 * (i + 1) }), 'terminal:10293847');
    if (i % 3 === 0) l.confirmCharge(charge.id, 'cashier:lin');
    if (i % 5 === 1) l.setFlags(charge.id, [{ kind: 'possible_duplicate', params: { otherTrace: '000001' } }], 'detector');
    if (i % 7 === 2) l.flagCharge(charge.id, 'cashier:lin', 'wrong amount');
    if (i === 4) {
      const { seq } = l.createHostRequest({ type: 'VD', fields: { TR: charge.trace, AM: '000000005000' }, chargeId: charge.id }, 'manager');
      l.resolveHostRequest(seq, { state: 'answered', rc: '00', response: { RQ: seq, RC: '00' } }, 'system');
    }
  }
  l.settings.set('duplicateWindowMinutes', 10, 'manager');
  l.appendAudit('system', 'terminal.connected', 'terminal', 'link', { device: 'sim' });
}

function expectBroken(result: AuditVerification, badSeq: number, fault: ChainFault) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect({ badSeq: result.badSeq, fault: chainFaultOf(result.reason) }).toEqual({ badSeq, fault });
}

/** Both the running ledger and `countersign verify-log` (read-only, separate connection) must see it. */
function expectDetected(badSeq: number, fault: ChainFault) {
  expectBroken(ledger.verifyAudit(), badSeq, fault);
  expectBroken(verifyLogFile(file), badSeq, fault);
}

describe('audit chain', () => {
  test('verifies after many operations, in the ledger and with verify-log; every change appended exactly one row', () => {
    workload(ledger, 40);
    const head = ledger.auditHead()!;
    expect(ledger.verifyAudit()).toEqual({ ok: true, rows: head.seq, head: head.hash });
    expect(verifyLogFile(file)).toEqual({ ok: true, rows: head.seq, head: head.hash });
    const rows = ledger.auditRows(1, 10_000);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.every((r) => r.actor.length > 0)).toBe(true);
    // 1 creation + 40 charges + confirmations + flags + request (2) + settings + core event
    const count = (action: string) => rows.filter((r) => r.action === action).length;
    expect(count('charge.recorded')).toBe(40);
    expect(count('charge.confirmed')).toBe(14);
    expect(count('request.created') + count('request.answered')).toBe(2);
  });

  describe('tampering through a second connection is detected, at the right seq', () => {
    beforeEach(() => {
      workload(ledger);
      raw = tamperer(file);
    });

    test('a column of a middle row edited', () => {
      // The row that recorded the 5,000 charge (its seq depends on how many migrations came first).
      const seq = raw!
        .prepare(`SELECT seq FROM audit_log WHERE action = 'charge.recorded' AND data LIKE '%"amountMinor":5000,%'`)
        .pluck()
        .get() as number;
      expect(seq).toBeGreaterThan(1);
      raw!.prepare(`UPDATE audit_log SET data = replace(data, '"amountMinor":5000', '"amountMinor":500') WHERE seq = ?`).run(seq);
      const changed = raw!.prepare('SELECT data FROM audit_log WHERE seq = ?').pluck().get(seq) as string;
      expect(changed).toContain('"amountMinor":500,');
      expectDetected(seq, 'hash_mismatch');
    });

    test('a middle row deleted', () => {
      raw!.prepare('DELETE FROM audit_log WHERE seq = 7').run();
      expectDetected(7, 'seq_gap');
    });

    test('the LAST row deleted (the head remembers it)', () => {
      const last = ledger.auditHead()!.seq;
      raw!.prepare('DELETE FROM audit_log WHERE seq = ?').run(last);
      expectDetected(last, 'head_mismatch');
    });

    test('the last row deleted and the head wound back too: still caught if a row goes missing before it', () => {
      const last = ledger.auditHead()!.seq;
      raw!.prepare('DELETE FROM audit_log WHERE seq IN (5, ?)').run(last);
      const prev = raw!.prepare('SELECT hash FROM audit_log WHERE seq = ?').pluck().get(last - 1);
      raw!.prepare('UPDATE audit_head SET seq = ?, hash = ?').run(last - 1, prev);
      expectDetected(5, 'seq_gap');
    });

    test('a forged row inserted at the end (correctly chained and hashed, but unknown to the head)', () => {
      const head = ledger.auditHead()!;
      const entry = {
        seq: head.seq + 1,
        at: '2026-03-10T03:00:00.000Z',
        actor: 'cashier:lin',
        action: 'charge.confirmed',
        entity: 'charge',
        entityId: '3',
        data: { chargeId: 3 },
        prevHash: head.hash,
      };
      raw!
        .prepare('INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?)')
        .run(entry.seq, entry.at, entry.actor, entry.action, entry.entity, entry.entityId, '{"chargeId":3}', entry.prevHash, hashAuditRow(entry));
      expectDetected(head.seq + 1, 'head_mismatch');
      // And the ledger refuses to write after a row it did not write, rather than hide it.
      expect(ledgerErrorOf(() => ledger.appendAudit('system', 'x.y', 'x', '1', {})).code).toBe('audit.conflict');
    });

    test('a forged row inserted in the gap left by a deleted one', () => {
      const victim = raw!.prepare('SELECT * FROM audit_log WHERE seq = 6').get() as Record<string, unknown>;
      raw!.prepare('DELETE FROM audit_log WHERE seq = 6').run();
      raw!
        .prepare('INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, data, prev_hash, hash) VALUES (6,?,?,?,?,?,?,?,?)')
        .run(victim.at, 'mallory', victim.action, victim.entity, victim.entity_id, victim.data, victim.prev_hash, victim.hash);
      expectDetected(6, 'hash_mismatch');
    });

    test("two rows' contents swapped (reordered)", () => {
      const cols = 'at, actor, action, entity, entity_id, data, prev_hash, hash';
      const a = raw!.prepare(`SELECT ${cols} FROM audit_log WHERE seq = 4`).raw().get() as unknown[];
      const b = raw!.prepare(`SELECT ${cols} FROM audit_log WHERE seq = 9`).raw().get() as unknown[];
      const set = raw!.prepare(
        'UPDATE audit_log SET at=?, actor=?, action=?, entity=?, entity_id=?, data=?, prev_hash=?, hash=? WHERE seq = ?',
      );
      raw!.transaction(() => {
        set.run(...b, 4);
        set.run(...a, 9);
      })();
      expectDetected(4, 'prev_hash_mismatch');
    });

    test('the head record deleted', () => {
      raw!.prepare('DELETE FROM audit_head').run();
      expectDetected(ledger.auditRows(1, 10_000).length, 'head_missing');
    });
  });

  describe('properties', () => {
    type Op =
      | { kind: 'charge'; amount: number; pan: number }
      | { kind: 'redeliver'; pick: number }
      | { kind: 'confirm'; pick: number }
      | { kind: 'flag'; pick: number }
      | { kind: 'setFlags'; pick: number }
      | { kind: 'request'; answer: boolean }
      | { kind: 'setting'; value: number }
      | { kind: 'event' };

    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('charge' as const), amount: fc.integer({ min: 0, max: 999_999_999_999 }), pan: fc.nat(3) }),
      fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('confirm' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('flag' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('setFlags' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('request' as const), answer: fc.boolean() }),
      fc.record({ kind: fc.constant('setting' as const), value: fc.integer() }),
      fc.constant({ kind: 'event' as const }),
    );
    const PANS = ['622848******1234', '436742******0001', '622202******5678', '625807******9999'];

    /** Applies ops; a refused op (e.g. confirming a confirmed charge) must write nothing. Returns the expected row count. */
    function apply(l: Ledger, ops: Op[]): number {
      const charges: { id: number; trace: string }[] = [];
      let rows = l.auditHead()?.seq ?? 0;
      for (const o of ops) {
        const before = l.auditHead()?.seq ?? 0;
        try {
          switch (o.kind) {
            case 'charge': {
              const { charge } = l.recordCharge(newCharge({ amountMinor: o.amount, panMasked: PANS[o.pan]! }), 'terminal:1');
              charges.push({ id: charge.id, trace: charge.trace });
              break;
            }
            case 'redeliver':
              if (charges.length) l.recordCharge(newCharge({ trace: charges[o.pick % charges.length]!.trace }), 'terminal:1');
              break;
            case 'confirm':
              if (charges.length) l.confirmCharge(charges[o.pick % charges.length]!.id, 'cashier');
              break;
            case 'flag':
              if (charges.length) l.flagCharge(charges[o.pick % charges.length]!.id, 'cashier', 'note');
              break;
            case 'setFlags':
              if (charges.length) l.setFlags(charges[o.pick % charges.length]!.id, [{ kind: 'digit_slip', params: { factor: 10, ratio: 9.5 } }], 'detector');
              break;
            case 'request': {
              const { seq } = l.createHostRequest({ type: 'SE', fields: {} }, 'manager');
              l.resolveHostRequest(seq, o.answer ? { state: 'answered', rc: '00', response: { RQ: seq, RC: '00' } } : { state: 'unknown', reason: 'timeout' }, 'system');
              break;
            }
            case 'setting':
              l.settings.set('k', o.value, 'manager');
              break;
            case 'event':
              l.appendAudit('system', 'terminal.connected', 'terminal', 'link', {});
              break;
          }
        } catch (e) {
          expect((e as { code?: string }).code).toMatch(/^charge\.(not_pending|not_flaggable)$/);
          expect(l.auditHead()?.seq ?? 0).toBe(before);
        }
        rows = l.auditHead()?.seq ?? 0;
      }
      return rows;
    }

    test('random sequences of operations keep the chain valid', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
          const f = tempLedgerFile();
          const l = await openLedger(f, { clock: testClock(), durability: 'demo' });
          try {
            const rows = apply(l, ops);
            expect(l.verifyAudit()).toEqual({ ok: true, rows, head: l.auditHead()?.hash ?? null });
          } finally {
            l.close();
          }
          expect(verifyLogFile(f).ok).toBe(true);
        }),
        { numRuns: 40 },
      );
    });

    const columns = ['at', 'actor', 'action', 'entity', 'entity_id', 'data', 'prev_hash', 'hash'] as const;

    test('any single random edit of any stored audit value breaks the chain at that row', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(op, { minLength: 1, maxLength: 25 }),
          fc.nat(),
          fc.constantFrom(...columns),
          fc.string({ minLength: 1, maxLength: 6 }),
          async (ops, pick, column, junk) => {
            const f = tempLedgerFile();
            const l = await openLedger(f, { clock: testClock(), durability: 'demo' });
            try {
              const rows = apply(l, ops);
              const seq = 1 + (pick % rows);
              const t = tamperer(f);
              try {
                const value =
                  column === 'data'
                    ? JSON.stringify({ junk }) // valid canonical JSON, different content
                    : `${t.prepare(`SELECT ${column} FROM audit_log WHERE seq = ?`).pluck().get(seq) as string}${junk}`;
                t.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = ?`).run(value, seq);
              } finally {
                t.close();
              }
              const result = l.verifyAudit();
              expect(result.ok).toBe(false);
              if (!result.ok) expect(result.badSeq).toBe(seq);
            } finally {
              l.close();
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  });
});
