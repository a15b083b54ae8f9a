import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Accounts, DEFAULT_KDF, hashPin, pinMatches, type VerifyResult } from '../../../electron/ledger/accounts.js';
import { openLedger, type Ledger } from '../../../electron/ledger/ledger.js';
import { ledgerErrorOfAsync, tamperer, tempLedgerFile, testClock } from './helpers.js';

const MIN = 60_000;
const OWNER_PIN = '482915';
const MANAGER_PIN = '735102';
const WRONG_PIN = '999000';

let file: string;
let clock: ReturnType<typeof testClock>;
let ledger: Ledger;
let accounts: Accounts;

beforeEach(async () => {
  file = tempLedgerFile();
  clock = testClock('2026-03-10T02:00:00.000Z', 0);
  ledger = await openLedger(file, { clock, durability: 'demo' });
  accounts = new Accounts(ledger, { clock });
});
afterEach(() => ledger.close());

async function setUp() {
  return accounts.setupOwner({ ownerName: 'Lin Wei', ownerPin: OWNER_PIN, managerName: 'Zhang Min', managerPin: MANAGER_PIN }, 'owner:Lin Wei');
}

function rawUser(id: number) {
  return ledger.query((db) =>
    db.prepare('SELECT pin_hash, pin_salt, kdf, kdf_n, kdf_r, kdf_p, failed_attempts, lock_count, locked_until FROM users WHERE id = ?').get(id),
  ) as { pin_hash: Buffer; pin_salt: Buffer; kdf: string; kdf_n: number; kdf_r: number; kdf_p: number; failed_attempts: number; lock_count: number; locked_until: string | null };
}

const auditTail = (n: number) => ledger.auditRows(1, 10_000).slice(-n);
const allAuditText = () => ledger.query((db) => (db.prepare('SELECT group_concat(actor || action || entity_id || data, char(10)) FROM audit_log').pluck().get() as string) ?? '');

describe('the PIN record', () => {
  test('scrypt N=2^15, r=8, p=1, a 16-byte random salt and a 32-byte key, the parameters kept with it', async () => {
    const { owner, manager } = await setUp();
    const a = rawUser(owner.id);
    const b = rawUser(manager.id);
    expect(a).toMatchObject({ kdf: 'scrypt', kdf_n: 32768, kdf_r: 8, kdf_p: 1 });
    expect(a.pin_salt).toHaveLength(16);
    expect(a.pin_hash).toHaveLength(32);
    expect(a.pin_salt.equals(b.pin_salt)).toBe(false);
    expect(a.pin_hash.includes(Buffer.from(OWNER_PIN))).toBe(false);
    // It really is scrypt of the PIN with that salt.
    expect(await pinMatches(OWNER_PIN, { kdf: 'scrypt', params: { ...DEFAULT_KDF }, salt: a.pin_salt, hash: a.pin_hash })).toBe(true);
    expect(await pinMatches(MANAGER_PIN, { kdf: 'scrypt', params: { ...DEFAULT_KDF }, salt: a.pin_salt, hash: a.pin_hash })).toBe(false);
  });

  test('the same PIN hashed twice gives different salts and keys', async () => {
    const [x, y] = await Promise.all([hashPin('135790'), hashPin('135790')]);
    expect(x.salt.equals(y.salt)).toBe(false);
    expect(x.hash.equals(y.hash)).toBe(false);
  });

  test('a record made with weaker parameters still verifies, and is re-hashed with the current ones on the next correct PIN', async () => {
    const weak = new Accounts(ledger, { clock, kdf: { N: 1024, r: 8, p: 1, keyLen: 32 } });
    await weak.setupOwner({ ownerName: 'Owner', ownerPin: OWNER_PIN, managerName: 'Mgr', managerPin: MANAGER_PIN }, 'owner:Owner');
    const id = accounts.listUsers().find((u) => u.name === 'Mgr')!.id;
    expect(rawUser(id).kdf_n).toBe(1024);
    const oldSalt = rawUser(id).pin_salt;

    const result = await accounts.verifyPin(id, MANAGER_PIN, 'cashier');
    expect(result).toMatchObject({ ok: true, rehashed: true });
    expect(rawUser(id)).toMatchObject({ kdf_n: 32768, kdf_r: 8, kdf_p: 1 });
    expect(rawUser(id).pin_salt.equals(oldSalt)).toBe(false);
    expect(auditTail(1)[0]).toMatchObject({
      action: 'user.pin_rehashed',
      data: { userId: id, name: 'Mgr', from: { N: 1024 }, to: { name: 'scrypt', N: 32768, r: 8, p: 1, keyLen: 32 } },
    });
    expect(await accounts.verifyPin(id, MANAGER_PIN, 'cashier')).toMatchObject({ ok: true, rehashed: false });
  });
});

describe('setting up and creating accounts', () => {
  test('first run: owner and first manager in one transaction with one audit row; then refused', async () => {
    expect(accounts.hasUsers()).toBe(false);
    const before = ledger.auditHead()!.seq;
    const { owner, manager } = await setUp();
    expect(ledger.auditHead()!.seq).toBe(before + 1);
    expect(auditTail(1)[0]).toMatchObject({
      actor: 'owner:Lin Wei',
      action: 'auth.setup',
      data: { owner: { userId: owner.id, name: 'Lin Wei' }, manager: { userId: manager.id, name: 'Zhang Min' } },
    });
    expect(accounts.listUsers().map((u) => [u.name, u.role, u.createdBy])).toEqual([
      ['Lin Wei', 'owner', null],
      ['Zhang Min', 'manager', owner.id],
    ]);
    const again = await ledgerErrorOfAsync(() => setUp());
    expect(again.code).toBe('auth.already_set_up');
    expect(accounts.listUsers()).toHaveLength(2);
  });

  test('a refused setup creates nobody (same name twice, a weak PIN)', async () => {
    const same = await ledgerErrorOfAsync(() =>
      accounts.setupOwner({ ownerName: 'Lin', ownerPin: OWNER_PIN, managerName: ' lin ', managerPin: MANAGER_PIN }, 'owner:Lin'),
    );
    expect(same.code).toBe('auth.name_taken');
    const weak = await ledgerErrorOfAsync(() =>
      accounts.setupOwner({ ownerName: 'Lin', ownerPin: OWNER_PIN, managerName: 'Zhang', managerPin: '111111' }, 'owner:Lin'),
    );
    expect(weak.code).toBe('auth.weak_pin');
    expect(weak.params).toMatchObject({ rule: 'all_same', field: 'managerPin' });
    expect(accounts.hasUsers()).toBe(false);
  });

  test('createUser: manager or cashier; names unique whatever the case; weak PINs refused with the rule and never echoed', async () => {
    const { owner } = await setUp();
    const by = { userId: owner.id, actor: 'owner:Lin Wei' };
    const cashier = await accounts.createUser({ name: 'Chen Jie', role: 'cashier', pin: '204816' }, by);
    expect(cashier).toMatchObject({ name: 'Chen Jie', role: 'cashier', locked: false, lockedUntil: null, createdBy: owner.id });
    expect(auditTail(1)[0]).toMatchObject({ actor: 'owner:Lin Wei', action: 'user.created', data: { userId: cashier.id, name: 'Chen Jie', role: 'cashier' } });

    const taken = await ledgerErrorOfAsync(() => accounts.createUser({ name: 'CHEN JIE', role: 'manager', pin: '204817' }, by));
    expect(taken.code).toBe('auth.name_taken');
    expect(taken.params.name).toBe('Chen Jie');

    for (const [pin, rule] of [
      ['12345', 'too_short'],
      ['123456', 'sequence'],
      ['987654', 'sequence'],
      ['777777', 'all_same'],
      ['12345a', 'not_digits'],
    ] as const) {
      const err = await ledgerErrorOfAsync(() => accounts.createUser({ name: `New ${rule}`, role: 'manager', pin }, by));
      expect(err.code).toBe('auth.weak_pin');
      expect(err.params.rule).toBe(rule);
      expect(err.message + JSON.stringify(err.params)).not.toContain(pin);
    }
    expect(accounts.listUsers()).toHaveLength(3);
  });

  test('listUsers carries no secret: exactly the public fields', async () => {
    await setUp();
    for (const user of accounts.listUsers()) {
      expect(Object.keys(user).sort()).toEqual(['createdAt', 'createdBy', 'id', 'locked', 'lockedUntil', 'name', 'role']);
    }
  });
});

describe('verifyPin', () => {
  test('a correct PIN: ok, audited as auth.pin_ok with the account, in exactly one row', async () => {
    const { manager } = await setUp();
    const before = ledger.auditHead()!.seq;
    const result = await accounts.verifyPin(manager.id, MANAGER_PIN, 'cashier');
    expect(result).toMatchObject({ ok: true, user: { id: manager.id, name: 'Zhang Min', role: 'manager' } });
    expect(ledger.auditHead()!.seq).toBe(before + 1);
    expect(auditTail(1)[0]).toMatchObject({
      actor: 'cashier',
      action: 'auth.pin_ok',
      entity: 'user',
      entityId: String(manager.id),
      data: { userId: manager.id, name: 'Zhang Min', role: 'manager' },
    });
  });

  test('five wrong PINs lock for 5 minutes; the sixth try, even the right PIN, is refused; every attempt audited without the PIN', async () => {
    const { manager } = await setUp();
    const results: VerifyResult[] = [];
    for (let i = 0; i < 5; i++) results.push(await accounts.verifyPin(manager.id, WRONG_PIN, 'cashier'));
    expect(results.slice(0, 4).map((r) => (r.ok === false && r.reason === 'wrong_pin' ? r.attemptsLeft : null))).toEqual([4, 3, 2, 1]);
    const until = new Date(Date.parse('2026-03-10T02:00:00.000Z') + 5 * MIN).toISOString();
    expect(results[4]).toMatchObject({ ok: false, reason: 'locked', until, justLocked: true });
    expect(rawUser(manager.id)).toMatchObject({ failed_attempts: 0, lock_count: 1, locked_until: until });
    expect(accounts.getUser(manager.id)).toMatchObject({ locked: true, lockedUntil: until });

    const sixth = await accounts.verifyPin(manager.id, MANAGER_PIN, 'cashier');
    expect(sixth).toMatchObject({ ok: false, reason: 'locked', until, justLocked: false });
    expect(rawUser(manager.id)).toMatchObject({ failed_attempts: 0, lock_count: 1, locked_until: until });

    const rows = auditTail(6);
    expect(rows.map((r) => r.action)).toEqual(['auth.pin_wrong', 'auth.pin_wrong', 'auth.pin_wrong', 'auth.pin_wrong', 'auth.pin_wrong', 'auth.locked']);
    expect(rows.map((r) => (r.data as { attemptsLeft?: number }).attemptsLeft)).toEqual([4, 3, 2, 1, 0, undefined]);
    expect(rows[4]!.data).toMatchObject({ userId: manager.id, name: 'Zhang Min', failedAttempts: 5, lockCount: 1, lockedUntil: until });
    expect(rows[5]!.data).toMatchObject({ userId: manager.id, lockedUntil: until });
    const text = allAuditText();
    for (const pin of [WRONG_PIN, MANAGER_PIN, OWNER_PIN]) expect(text).not.toContain(pin);
    const raw = rawUser(manager.id);
    expect(text).not.toContain(raw.pin_hash.toString('hex'));
    expect(text).not.toContain(raw.pin_salt.toString('hex'));
    expect(text).not.toContain(raw.pin_salt.toString('base64'));
    expect(ledger.verifyAudit().ok).toBe(true);
  });

  test('the lock ends on time; the next lock lasts 10 minutes, then 20; a correct PIN starts the schedule over', async () => {
    const { manager } = await setUp();
    const lockOnce = async () => {
      let last: VerifyResult | null = null;
      for (let i = 0; i < 5; i++) last = await accounts.verifyPin(manager.id, WRONG_PIN, 'cashier');
      expect(last).toMatchObject({ ok: false, reason: 'locked', justLocked: true });
      return Date.parse((last as { until: string }).until) - clock().getTime();
    };
    expect(await lockOnce()).toBe(5 * MIN);
    clock.set(new Date(clock().getTime() + 5 * MIN - 1000));
    expect(await accounts.verifyPin(manager.id, MANAGER_PIN, 'cashier')).toMatchObject({ reason: 'locked' });
    clock.set(new Date(clock().getTime() + 1000));
    expect(await lockOnce()).toBe(10 * MIN);
    clock.set(new Date(clock().getTime() + 10 * MIN));
    expect(await lockOnce()).toBe(20 * MIN);
    clock.set(new Date(clock().getTime() + 20 * MIN));

    // Wrong ones are counted again from zero after a lock ends…
    expect(await accounts.verifyPin(manager.id, WRONG_PIN, 'cashier')).toMatchObject({ reason: 'wrong_pin', attemptsLeft: 4 });
    // …and a correct PIN clears both the count and the lock history.
    expect(await accounts.verifyPin(manager.id, MANAGER_PIN, 'cashier')).toMatchObject({ ok: true });
    expect(rawUser(manager.id)).toMatchObject({ failed_attempts: 0, lock_count: 0, locked_until: null });
    expect(await lockOnce()).toBe(5 * MIN);
  });

  test('wrong PINs on one account do not touch another', async () => {
    const { owner, manager } = await setUp();
    for (let i = 0; i < 5; i++) await accounts.verifyPin(manager.id, WRONG_PIN, 'cashier');
    expect(await accounts.verifyPin(owner.id, OWNER_PIN, 'cashier')).toMatchObject({ ok: true });
  });

  test('attempts racing each other are counted one by one: exactly five wrong ones, the rest refused as locked', async () => {
    const { manager } = await setUp();
    const results = await Promise.all(Array.from({ length: 8 }, () => accounts.verifyPin(manager.id, WRONG_PIN, 'cashier')));
    const reasons = results.map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons.filter((r) => r === 'wrong_pin')).toHaveLength(4);
    expect(reasons.filter((r) => r === 'locked')).toHaveLength(4);
    const actions = auditTail(8).map((r) => r.action);
    expect(actions.filter((a) => a === 'auth.pin_wrong')).toHaveLength(5);
    expect(actions.filter((a) => a === 'auth.locked')).toHaveLength(3);
    expect(results.filter((r) => !r.ok && r.reason === 'locked' && r.justLocked)).toHaveLength(1);
    expect(rawUser(manager.id)).toMatchObject({ lock_count: 1 });
    expect(await accounts.verifyPin(manager.id, MANAGER_PIN, 'cashier')).toMatchObject({ ok: false, reason: 'locked' });
  });

  test('an unknown account is refused and the attempt audited', async () => {
    await setUp();
    expect(await accounts.verifyPin(999, MANAGER_PIN, 'cashier')).toEqual({ ok: false, reason: 'unknown_user' });
    expect(auditTail(1)[0]).toMatchObject({ action: 'auth.unknown_user', entityId: '999', data: { userId: 999 } });
  });

  test('the counters and the audit row commit together: when the audit row cannot be written, the attempt changes nothing', async () => {
    const { manager } = await setUp();
    const head = ledger.auditHead()!;
    const raw = tamperer(file);
    // A row the ledger did not write sits where the next one goes: the append fails (audit.conflict).
    raw.prepare(`INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, data, prev_hash, hash) VALUES (?, 'x', 'x', 'x', 'x', 'x', '{}', 'x', 'x')`).run(head.seq + 1);
    raw.close();
    const err = await ledgerErrorOfAsync(() => accounts.verifyPin(manager.id, WRONG_PIN, 'cashier'));
    expect(err.code).toBe('audit.conflict');
    expect(rawUser(manager.id)).toMatchObject({ failed_attempts: 0, lock_count: 0, locked_until: null });
  });
});
