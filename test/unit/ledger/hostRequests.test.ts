import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { ledgerErrorOf, newCharge, tempLedgerFile, testClock } from './helpers.js';

let file: string;
let ledger: Ledger;

beforeEach(async () => {
  file = tempLedgerFile();
  ledger = await openLedger(file, { clock: testClock() });
});
afterEach(() => ledger.close());

/** Sets the last used SEQ directly (what 999,997 earlier requests would have left), ledger closed. */
async function setLastSeq(last: number) {
  ledger.close();
  const raw = new Database(file);
  raw.prepare('UPDATE host_seq SET last = ?').run(last);
  raw.close();
  ledger = await openLedger(file, { clock: testClock() });
}

const answered = (seq: string) => ({ state: 'answered' as const, rc: '00', response: { RQ: seq, RC: '00' } });

describe('SEQ allocation', () => {
  test('starts at 000001 and counts up; each request is persisted (pending) with an audit row before it is sent', () => {
    const { charge } = ledger.recordCharge(newCharge(), 'terminal:1');
    const a = ledger.createHostRequest({ type: 'VD', fields: { TR: charge.trace, AM: '000000012800' }, chargeId: charge.id }, 'cashier');
    const b = ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager');
    expect([a.seq, b.seq]).toEqual(['000001', '000002']);
    expect(ledger.getHostRequest('000001')).toMatchObject({
      id: a.id,
      type: 'VD',
      state: 'pending',
      chargeId: charge.id,
      fields: { TR: charge.trace, AM: '000000012800' },
      actor: 'cashier',
    });
    expect(ledger.auditRows(1, 100).filter((r) => r.action === 'request.created').map((r) => [r.actor, r.data])).toEqual([
      ['cashier', { requestId: a.id, seq: '000001', type: 'VD', fields: { AM: '000000012800', TR: charge.trace }, chargeId: charge.id }],
      ['manager', { requestId: b.id, seq: '000002', type: 'SE', fields: {}, chargeId: null }],
    ]);
  });

  test('wraps 999999 → 000001, and the counter survives a restart', async () => {
    await setLastSeq(999_998);
    const a = ledger.createHostRequest({ type: 'SE', fields: {} }, 'm');
    ledger.resolveHostRequest(a.seq, answered(a.seq), 'm');
    const b = ledger.createHostRequest({ type: 'SE', fields: {} }, 'm');
    ledger.resolveHostRequest(b.seq, answered(b.seq), 'm');
    expect([a.seq, b.seq]).toEqual(['999999', '000001']);

    ledger.close();
    ledger = await openLedger(file, { clock: testClock() });
    expect(ledger.createHostRequest({ type: 'SE', fields: {} }, 'm').seq).toBe('000002');
  });

  test('never hands out the SEQ of a request still unresolved (pending or unknown), even after wrapping', async () => {
    const one = ledger.createHostRequest({ type: 'SE', fields: {} }, 'm'); // 000001 stays pending
    const two = ledger.createHostRequest({ type: 'SE', fields: {} }, 'm'); // 000002 → unknown
    ledger.resolveHostRequest(two.seq, { state: 'unknown', reason: 'no answer' }, 'm');
    const three = ledger.createHostRequest({ type: 'SE', fields: {} }, 'm'); // 000003 answered: reusable
    ledger.resolveHostRequest(three.seq, answered(three.seq), 'm');
    expect([one.seq, two.seq, three.seq]).toEqual(['000001', '000002', '000003']);

    await setLastSeq(999_999);
    // The restart turned 000001 (pending) into unknown; both 000001 and 000002 are skipped.
    expect(ledger.createHostRequest({ type: 'SE', fields: {} }, 'm').seq).toBe('000003');
    // The database itself refuses a second open request on one SEQ.
    const raw = new Database(file);
    expect(() =>
      raw
        .prepare("INSERT INTO host_requests (seq, type, fields, state, created_at, actor) VALUES ('000002', 'SE', '{}', 'pending', 'now', 'x')")
        .run(),
    ).toThrow(/UNIQUE/);
    raw.close();
  });

  test('getHostRequest after a wrap: the open request on that SEQ, else the newest', async () => {
    const old = ledger.createHostRequest({ type: 'SE', fields: {} }, 'm');
    ledger.resolveHostRequest(old.seq, answered(old.seq), 'm');
    await setLastSeq(999_999);
    const fresh = ledger.createHostRequest({ type: 'RF', fields: { RF: '331822000318', OD: '20260309', AM: '000000001000' } }, 'm');
    expect(fresh.seq).toBe('000001');
    expect(ledger.getHostRequest('000001')?.id).toBe(fresh.id);
    ledger.resolveHostRequest(fresh.seq, answered(fresh.seq), 'm');
    expect(ledger.getHostRequest('000001')?.id).toBe(fresh.id);
    expect(ledger.getHostRequest('000777')).toBeNull();
  });
});

describe('resolving', () => {
  test('answered: rc, response, resolved_at; audit request.answered; then it is no longer unresolved', () => {
    const { seq, id } = ledger.createHostRequest({ type: 'SE', fields: {} }, 'manager');
    expect(ledger.unresolvedHostRequests().map((r) => r.seq)).toEqual([seq]);
    const r = ledger.resolveHostRequest(seq, { state: 'answered', rc: '00', response: { RQ: seq, RC: '00', BT: '000028' } }, 'system');
    expect(r).toMatchObject({ id, state: 'answered', rc: '00', response: { RQ: seq, RC: '00', BT: '000028' } });
    expect(r.resolvedAt).not.toBeNull();
    expect(ledger.auditRows(1, 100).at(-1)).toMatchObject({ actor: 'system', action: 'request.answered', data: { seq, rc: '00' } });
    expect(ledger.unresolvedHostRequests()).toEqual([]);
    const err = ledgerErrorOf(() => ledger.resolveHostRequest(seq, answered(seq), 'system'));
    expect(err.code).toBe('request.already_resolved');
  });

  test('unknown: stays unresolved (to be asked with QT), can then be answered; unknown again records the newer reason', () => {
    const { seq } = ledger.createHostRequest({ type: 'VD', fields: { TR: '000318', AM: '000000128000' } }, 'cashier');
    ledger.resolveHostRequest(seq, { state: 'unknown', reason: 'response timeout' }, 'system');
    expect(ledger.unresolvedHostRequests()).toMatchObject([{ seq, state: 'unknown', reason: 'response timeout' }]);
    ledger.resolveHostRequest(seq, { state: 'unknown', reason: 'query unanswered' }, 'system');
    expect(ledger.getHostRequest(seq)?.reason).toBe('query unanswered');
    ledger.resolveHostRequest(seq, answered(seq), 'system');
    expect(ledger.unresolvedHostRequests()).toEqual([]);
    expect(ledger.auditRows(1, 100).slice(-3).map((r) => r.action)).toEqual(['request.unknown', 'request.unknown', 'request.answered']);
  });

  test('a request left pending by a crash is unknown after reopening (with an audit row by system)', async () => {
    const { seq } = ledger.createHostRequest({ type: 'VD', fields: { TR: '000318', AM: '000000128000' } }, 'cashier');
    ledger.close(); // as if the process died while waiting for the answer
    ledger = await openLedger(file, { clock: testClock() });
    expect(ledger.unresolvedHostRequests()).toMatchObject([{ seq, state: 'unknown' }]);
    expect(ledger.diagnostics().interruptedRequests).toEqual([seq]);
    expect(ledger.auditRows(1, 100).at(-1)).toMatchObject({ actor: 'system', action: 'request.unknown', data: { seq, reason: 'interrupted' } });
    expect(ledger.verifyAudit().ok).toBe(true);
  });

  test('refusals: unknown SEQ, bad SEQ, bad type, bad fields, unknown charge', () => {
    expect(ledgerErrorOf(() => ledger.resolveHostRequest('000042', answered('000042'), 'm')).code).toBe('request.not_found');
    expect(ledgerErrorOf(() => ledger.getHostRequest('42')).code).toBe('request.invalid');
    expect(ledgerErrorOf(() => ledger.createHostRequest({ type: 'XX' as never, fields: {} }, 'm')).code).toBe('request.invalid');
    expect(ledgerErrorOf(() => ledger.createHostRequest({ type: 'VD', fields: { tr: '1' } }, 'm')).code).toBe('request.invalid');
    expect(ledgerErrorOf(() => ledger.createHostRequest({ type: 'VD', fields: { TR: 1 as never } }, 'm')).code).toBe('request.invalid');
    expect(ledgerErrorOf(() => ledger.createHostRequest({ type: 'VD', fields: {}, chargeId: 77 }, 'm')).code).toBe('charge.not_found');
    // Nothing was allocated by the refused calls.
    expect(ledger.createHostRequest({ type: 'SE', fields: {} }, 'm').seq).toBe('000001');
  });
});
