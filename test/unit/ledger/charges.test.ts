import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Charge, TodayTotals, type ChargeFlag } from '../../../electron/contract/schemas.js';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { ledgerErrorOf, newCharge, tempLedgerFile, testClock } from './helpers.js';

let file: string;
let clock: ReturnType<typeof testClock>;
let ledger: Ledger;

beforeEach(async () => {
  file = tempLedgerFile();
  clock = testClock();
  ledger = await openLedger(file, { clock });
});
afterEach(() => ledger.close());

function auditActions(l: Ledger = ledger): string[] {
  return l.auditRows(1, 10_000).map((r) => r.action);
}

describe('recordCharge', () => {
  test('stores every field, pending, no flags; the API shape validates', () => {
    const input = newCharge({ amountMinor: 128000, merchantName: '小卖部', aid: 'A000000333010101', txClass: 'SALE' });
    clock.set('2026-03-10T02:00:00.000Z');
    const { charge, inserted } = ledger.recordCharge(input, 'terminal:10293847');
    expect(inserted).toBe(true);
    expect(Charge.parse(charge)).toEqual(charge);
    expect(charge).toMatchObject({
      terminalId: input.terminalId,
      batch: input.batch,
      trace: input.trace,
      amountMinor: 128000,
      panMasked: '622848******1234',
      status: 'pending',
      flags: [],
      confirmedBy: null,
      receivedAt: '2026-03-10T02:00:00.000Z',
    });
    expect(ledger.getCharge(charge.id)).toEqual(charge);
  });

  test('dedupe by (terminal, batch, trace): a second delivery returns the stored row and writes no audit row', () => {
    const input = newCharge();
    const first = ledger.recordCharge(input, 'terminal:10293847');
    const rowsBefore = ledger.auditHead()?.seq;
    const again = ledger.recordCharge({ ...input }, 'terminal:10293847');
    expect(again).toEqual({ charge: first.charge, inserted: false });
    expect(ledger.auditHead()?.seq).toBe(rowsBefore);
    expect(ledger.history({})).toHaveLength(1);
    // Same trace on another terminal or batch is another charge.
    expect(ledger.recordCharge({ ...input, terminalId: '10293848' }, 't').inserted).toBe(true);
    expect(ledger.recordCharge({ ...input, batch: '000028' }, 't').inserted).toBe(true);
  });

  test('the charge.recorded audit row names the actor and holds ids, amount, currency and the masked PAN only', () => {
    const { charge } = ledger.recordCharge(newCharge({ merchantName: 'Shop', brand: 'Visa' }), 'terminal:10293847');
    const row = ledger.auditRows(1, 10).find((r) => r.action === 'charge.recorded');
    expect(row).toMatchObject({ actor: 'terminal:10293847', entity: 'charge', entityId: String(charge.id) });
    expect(Object.keys(row!.data as object).sort()).toEqual(
      ['amountMinor', 'batch', 'chargeId', 'currency', 'merchantId', 'panMasked', 'rrn', 'terminalId', 'trace'].sort(),
    );
    expect(row!.data).toMatchObject({ amountMinor: 12800, currency: '156', panMasked: '622848******1234' });
  });

  test.each([
    ['11 digits visible', '6228481*****1234'],
    ['the whole number', '622848' + '123456' + '1234'],
    ['digits in the middle', '622848**12****34'],
  ])('refuses a PAN that is not masked (%s) with charge.pan_unmasked, stores nothing, never echoes it', (_name, pan) => {
    const err = ledgerErrorOf(() => ledger.recordCharge(newCharge({ panMasked: pan }), 'terminal:10293847'));
    expect(err.code).toBe('charge.pan_unmasked');
    expect(err.message).not.toContain(pan);
    expect(JSON.stringify(err.params)).not.toContain(pan.replace(/\*/g, ''));
    expect(ledger.history({})).toHaveLength(0);
    // Only the schema's own rows (created, then one per migration): nothing about the refused charge.
    expect(auditActions().filter((action) => action !== 'ledger.created' && action !== 'ledger.migrated')).toEqual([]);
  });

  test('the database refuses an unmasked PAN too (defence in depth below the ledger code)', () => {
    const raw = new Database(file);
    expect(() =>
      raw
        .prepare(
          `INSERT INTO charges (terminal_id, merchant_id, batch, trace, rrn, auth_code, amount_minor, currency, pan_masked,
            entry_mode, response_code, terminal_time, received_at) VALUES ('t','m','b','x','r','a',1,'156',?,'C','00','20260310100000','now')`,
        )
        .run('62284812345*1234'),
    ).toThrow(/CHECK/);
    raw.close();
  });

  test.each([
    ['a float amount', { amountMinor: 12.5 }, 'amountMinor'],
    ['a negative amount', { amountMinor: -1 }, 'amountMinor'],
    ['a 13-digit amount', { amountMinor: 1_000_000_000_000 }, 'amountMinor'],
    ['a letter currency', { currency: 'CNY' }, 'currency'],
    ['a bad terminal time', { terminalTime: '2026-03-10' }, 'terminalTime'],
    ['an unknown entry mode', { entryMode: 'X' as never }, 'entryMode'],
    ['an empty terminal id', { terminalId: '' }, 'terminalId'],
    ['a PAN with letters', { panMasked: '622848XXXXXX1234' }, 'panMasked'],
  ])('refuses %s with charge.invalid', (_name, over, field) => {
    const err = ledgerErrorOf(() => ledger.recordCharge(newCharge(over), 'terminal:1'));
    expect(err.code).toBe('charge.invalid');
    expect(err.params.field).toBe(field);
  });

  test('an actor is required', () => {
    expect(ledgerErrorOf(() => ledger.recordCharge(newCharge(), '')).code).toBe('actor.invalid');
  });
});

describe('confirmCharge', () => {
  test('confirms a pending charge: status, who, when, a confirmations row, one audit row', () => {
    const { charge } = ledger.recordCharge(newCharge(), 'terminal:1');
    clock.set('2026-03-10T02:05:00.000Z');
    const confirmed = ledger.confirmCharge(charge.id, 'cashier:lin', { rekeyedMinor: 12800 });
    expect(confirmed).toMatchObject({ status: 'confirmed', confirmedBy: 'cashier:lin', confirmedAt: '2026-03-10T02:05:00.000Z' });
    expect(ledger.getCharge(charge.id)).toEqual(confirmed);
    const audit = ledger.auditRows(1, 10).at(-1)!;
    expect(audit).toMatchObject({ actor: 'cashier:lin', action: 'charge.confirmed', data: { chargeId: charge.id, rekeyedMinor: 12800 } });
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare('SELECT charge_id, actor, rekeyed_minor FROM confirmations').all()).toEqual([
      { charge_id: charge.id, actor: 'cashier:lin', rekeyed_minor: 12800 },
    ]);
    raw.close();
  });

  test('confirming twice is refused (charge.not_pending), and writes nothing', () => {
    const { charge } = ledger.recordCharge(newCharge(), 'terminal:1');
    ledger.confirmCharge(charge.id, 'cashier');
    const head = ledger.auditHead();
    const err = ledgerErrorOf(() => ledger.confirmCharge(charge.id, 'cashier'));
    expect(err.code).toBe('charge.not_pending');
    expect(err.params).toMatchObject({ chargeId: String(charge.id), status: 'confirmed' });
    expect(ledger.auditHead()).toEqual(head);
  });

  test('unknown charge → charge.not_found; flagged → charge.not_pending; re-key mismatch refused', () => {
    expect(ledgerErrorOf(() => ledger.confirmCharge(999, 'cashier')).code).toBe('charge.not_found');
    const a = ledger.recordCharge(newCharge(), 'terminal:1').charge;
    ledger.flagCharge(a.id, 'cashier', 'customer disputes');
    expect(ledgerErrorOf(() => ledger.confirmCharge(a.id, 'cashier')).code).toBe('charge.not_pending');
    const b = ledger.recordCharge(newCharge({ amountMinor: 128000 }), 'terminal:1').charge;
    expect(ledgerErrorOf(() => ledger.confirmCharge(b.id, 'cashier', { rekeyedMinor: 12800 })).code).toBe('charge.rekey_mismatch');
    expect(ledger.getCharge(b.id)?.status).toBe('pending');
  });
});

describe('flags', () => {
  test('setFlags replaces the flags (audit charge.flags_set); the same flags again write nothing', () => {
    const { charge } = ledger.recordCharge(newCharge(), 'terminal:1');
    const flags: ChargeFlag[] = [
      { kind: 'possible_duplicate', params: { otherTrace: '000317', minutes: 2 } },
      { kind: 'unusual_amount', params: { multiple: 12.5 } },
    ];
    const updated = ledger.setFlags(charge.id, flags, 'detector');
    expect(updated.flags).toEqual(flags);
    expect(updated.status).toBe('pending');
    const row = ledger.auditRows(1, 10).at(-1)!;
    // Fractions are not canonical JSON: the audit copy carries them as text.
    expect(row).toMatchObject({ actor: 'detector', action: 'charge.flags_set' });
    expect(row.data).toEqual({
      chargeId: charge.id,
      flags: [
        { kind: 'possible_duplicate', params: { otherTrace: '000317', minutes: 2 } },
        { kind: 'unusual_amount', params: { multiple: '12.5' } },
      ],
    });
    const head = ledger.auditHead();
    ledger.setFlags(charge.id, flags, 'detector');
    expect(ledger.auditHead()).toEqual(head);
    expect(ledger.setFlags(charge.id, [], 'detector').flags).toEqual([]);
    expect(ledgerErrorOf(() => ledger.setFlags(charge.id, [{ kind: 'nope' } as never], 'detector')).code).toBe('charge.invalid_flags');
  });

  test('flagCharge: pending or confirmed → flagged with the note in the audit row; not twice', () => {
    const a = ledger.recordCharge(newCharge(), 'terminal:1').charge;
    const flagged = ledger.flagCharge(a.id, 'cashier', 'charged 1280 instead of 128');
    expect(flagged.status).toBe('flagged');
    expect(ledger.auditRows(1, 10).at(-1)).toMatchObject({
      action: 'charge.flagged',
      actor: 'cashier',
      data: { chargeId: a.id, from: 'pending', note: 'charged 1280 instead of 128' },
    });
    expect(ledgerErrorOf(() => ledger.flagCharge(a.id, 'cashier', 'again')).code).toBe('charge.not_flaggable');
    const b = ledger.recordCharge(newCharge(), 'terminal:1').charge;
    ledger.confirmCharge(b.id, 'cashier');
    expect(ledger.flagCharge(b.id, 'manager', 'found later').status).toBe('flagged');
  });
});

describe('queries', () => {
  test('pendingQueue: pending only, oldest first, limited', () => {
    const ids = Array.from({ length: 6 }, () => ledger.recordCharge(newCharge(), 'terminal:1').charge.id);
    ledger.confirmCharge(ids[1]!, 'cashier');
    ledger.flagCharge(ids[3]!, 'cashier', 'x');
    expect(ledger.pendingQueue().map((c) => c.id)).toEqual([ids[0], ids[2], ids[4], ids[5]]);
    expect(ledger.pendingQueue(2).map((c) => c.id)).toEqual([ids[0], ids[2]]);
  });

  test('recentConfirmedAmounts: newest confirmed first', () => {
    const amounts = [100, 200, 300, 400];
    const ids = amounts.map((amountMinor) => ledger.recordCharge(newCharge({ amountMinor }), 'terminal:1').charge.id);
    for (const id of ids.slice(0, 3)) ledger.confirmCharge(id, 'cashier');
    expect(ledger.recentConfirmedAmounts()).toEqual([300, 200, 100]);
    expect(ledger.recentConfirmedAmounts(2)).toEqual([300, 200]);
  });

  test('chargesByCardSince: same masked PAN, at or after the time, oldest first', () => {
    clock.set('2026-03-10T02:00:00.000Z');
    const early = ledger.recordCharge(newCharge({ panMasked: '622848******1234' }), 't').charge;
    clock.set('2026-03-10T02:10:00.000Z');
    const a = ledger.recordCharge(newCharge({ panMasked: '622848******1234' }), 't').charge;
    ledger.recordCharge(newCharge({ panMasked: '622848******9999' }), 't');
    ledger.recordCharge(newCharge({ panMasked: '436742******1234' }), 't');
    const b = ledger.recordCharge(newCharge({ panMasked: '622848******1234' }), 't').charge;
    expect(ledger.chargesByCardSince('622848******1234', '2026-03-10T02:05:00Z').map((c) => c.id)).toEqual([a.id, b.id]);
    expect(ledger.chargesByCardSince('622848******1234', '2026-03-10T02:00:00.000Z').map((c) => c.id)).toEqual([early.id, a.id, b.id]);
    // An ISO time without milliseconds compares as a time, not as text.
    expect(ledger.chargesByCardSince('622848******1234', '2026-03-10T02:10:00Z').map((c) => c.id)).toEqual([a.id, b.id]);
  });
});

describe('today', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = originalTz;
  });

  function exactTotals(date: string, l: Ledger): TodayTotals {
    // What the running totals must equal: the charges themselves, with the local date computed in JS.
    const all = l.history({ limit: 1000 });
    const zero = () => ({ count: 0, amountMinor: 0 });
    const t: TodayTotals = {
      date,
      charges: zero(),
      pending: zero(),
      confirmed: zero(),
      flagged: zero(),
      voided: zero(),
      refunded: zero(),
      currency: null,
    };
    const currencies = new Set<string>();
    for (const c of all) {
      const d = new Date(c.receivedAt);
      const local = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      if (local !== date) continue;
      currencies.add(c.currency);
      t.charges.count++;
      t.charges.amountMinor += c.amountMinor;
      const row = c.status === 'partially_refunded' ? 'refunded' : c.status;
      t[row].count++;
      t[row].amountMinor += c.amountMinor;
    }
    t.currency = currencies.size === 1 ? [...currencies][0]! : null;
    return t;
  }

  test.each(['Asia/Shanghai', 'Europe/Berlin', 'Asia/Kathmandu', 'America/St_Johns', 'UTC'])(
    'local-day totals by status match the charges themselves (%s, across a DST change)',
    async (tz) => {
      process.env.TZ = tz;
      // Every 37 minutes for 3 days around the 2026-03-29 EU DST change (and a US one on 03-08 is outside).
      clock.set('2026-03-27T20:00:00.000Z');
      const ids: number[] = [];
      for (let i = 0; i < 120; i++) {
        clock.set(new Date(Date.parse('2026-03-27T20:00:00.000Z') + i * 37 * 60_000));
        ids.push(ledger.recordCharge(newCharge({ amountMinor: 100 + i }), 'terminal:1').charge.id);
      }
      ids.forEach((id, i) => {
        if (i % 3 === 0) ledger.confirmCharge(id, 'cashier');
        else if (i % 7 === 0) ledger.flagCharge(id, 'cashier', 'x');
      });
      for (const date of ['2026-03-28', '2026-03-29', '2026-03-30']) {
        const totals = ledger.today(date);
        expect(TodayTotals.parse(totals)).toEqual(totals);
        expect(totals).toEqual(exactTotals(date, ledger));
      }
      expect(ledger.today('2026-03-29').charges.count).toBeGreaterThan(0);
    },
  );

  test('a local midnight off the quarter hour (Monrovia, 1960: UTC−0:44:30) is counted from the charges themselves', () => {
    process.env.TZ = 'Africa/Monrovia';
    // 1960-06-02 local runs from 00:44:30 UTC on the 2nd to 00:44:30 UTC on the 3rd; the first and
    // last charges share a quarter-hour bucket with one inside the day.
    const times = ['1960-06-02T00:44:29.000Z', '1960-06-02T00:44:30.000Z', '1960-06-02T12:00:00.000Z', '1960-06-03T00:44:30.000Z'];
    times.forEach((at, i) => {
      clock.set(at);
      ledger.recordCharge(newCharge({ amountMinor: 10 ** i }), 'terminal:1');
    });
    expect(ledger.today('1960-06-02').charges).toEqual({ count: 2, amountMinor: 110 });
    expect(ledger.today('1960-06-02')).toEqual(exactTotals('1960-06-02', ledger));
  });

  test('an empty day; mixed currencies give currency null; an invalid date is refused', () => {
    expect(ledger.today('2026-03-10')).toEqual({
      date: '2026-03-10',
      charges: { count: 0, amountMinor: 0 },
      pending: { count: 0, amountMinor: 0 },
      confirmed: { count: 0, amountMinor: 0 },
      flagged: { count: 0, amountMinor: 0 },
      voided: { count: 0, amountMinor: 0 },
      refunded: { count: 0, amountMinor: 0 },
      currency: null,
    });
    process.env.TZ = 'UTC';
    ledger.recordCharge(newCharge({ currency: '156' }), 't');
    expect(ledger.today('2026-03-10').currency).toBe('156');
    ledger.recordCharge(newCharge({ currency: '344' }), 't');
    expect(ledger.today('2026-03-10').currency).toBeNull();
    expect(ledgerErrorOf(() => ledger.today('2026-02-30')).code).toBe('argument.invalid');
  });
});

describe('restart', () => {
  test('close + reopen keeps charges, confirmations, flags, requests, settings and the audit chain', async () => {
    const a = ledger.recordCharge(newCharge({ amountMinor: 500 }), 'terminal:1').charge;
    const b = ledger.recordCharge(newCharge({ amountMinor: 700 }), 'terminal:1').charge;
    ledger.confirmCharge(a.id, 'cashier');
    ledger.setFlags(b.id, [{ kind: 'digit_slip', params: { factor: 10 } }], 'detector');
    const req = ledger.createHostRequest({ type: 'VD', fields: { TR: b.trace, AM: '000000000700' }, chargeId: b.id }, 'cashier');
    ledger.resolveHostRequest(req.seq, { state: 'answered', rc: '00', response: { RQ: req.seq, RC: '00', TR: '000900' } }, 'cashier');
    ledger.settings.set('duplicateWindowMinutes', 10, 'manager');
    const history = ledger.history({});
    const head = ledger.auditHead();
    const today = ledger.today('2026-03-10');
    ledger.close();

    ledger = await openLedger(file, { clock });
    expect(ledger.history({})).toEqual(history);
    expect(ledger.auditHead()).toEqual(head);
    expect(ledger.verifyAudit()).toEqual({ ok: true, rows: head!.seq, head: head!.hash });
    expect(ledger.getHostRequest(req.seq)).toMatchObject({ state: 'answered', rc: '00', response: { TR: '000900' } });
    expect(ledger.settings.get('duplicateWindowMinutes')).toBe(10);
    expect(ledger.today('2026-03-10')).toEqual(today);
    expect(ledger.recordCharge(newCharge({ trace: a.trace }), 'terminal:1').inserted).toBe(false);
  });
});

describe('settings', () => {
  test('typed get/set with an audit row; unchanged writes nothing; floats refused; schema validation', () => {
    expect(ledger.settings.get('missing')).toBeUndefined();
    ledger.settings.set('flags', { windowMinutes: 10, ceilingMinor: null }, 'manager');
    expect(ledger.settings.get<{ windowMinutes: number }>('flags')?.windowMinutes).toBe(10);
    expect(ledger.auditRows(1, 10).at(-1)).toMatchObject({
      actor: 'manager',
      action: 'settings.changed',
      entityId: 'flags',
      data: { key: 'flags', value: { ceilingMinor: null, windowMinutes: 10 } },
    });
    const head = ledger.auditHead();
    ledger.settings.set('flags', { ceilingMinor: null, windowMinutes: 10 }, 'manager');
    expect(ledger.auditHead()).toEqual(head);
    expect(ledgerErrorOf(() => ledger.settings.set('ratio', 1.5, 'manager')).code).toBe('settings.invalid');
    const schema = { parse: (v: unknown) => (typeof v === 'number' ? v : (() => { throw new Error('not a number'); })()) };
    expect(ledgerErrorOf(() => ledger.settings.get('flags', schema)).code).toBe('settings.invalid');
  });
});

describe('after close', () => {
  test('every call fails with db.closed', () => {
    ledger.close();
    expect(ledgerErrorOf(() => ledger.pendingQueue()).code).toBe('db.closed');
    expect(ledgerErrorOf(() => ledger.recordCharge(newCharge(), 't')).code).toBe('db.closed');
    expect(ledgerErrorOf(() => ledger.verifyAudit()).code).toBe('db.closed');
    ledger.close(); // idempotent
  });
});
