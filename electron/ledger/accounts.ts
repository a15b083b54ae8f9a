/**
 * Staff accounts: the owner, managers and cashiers, their PINs and the PIN lockout.
 *
 * Built on the ledger's public seam (`transact` / `query`): every change is one IMMEDIATE
 * transaction with exactly one audit row. PINs are hashed with scrypt (memory-hard) outside the
 * transaction, so a slow KDF never holds the write lock; the attempt's outcome, the counters and
 * its audit row are then written together. Neither a PIN, nor its hash, nor its salt ever leaves
 * this module: not in audit data, not in errors, not in what it returns.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type Database from 'better-sqlite3';
import {
  afterAttempt,
  attemptsLeft,
  isLocked,
  normalizeName,
  pinProblem,
  type LockState,
} from '../domain/pinPolicy.js';
import { LedgerError } from './errors.js';
import type { LedgerTx } from './ledger.js';

export type Role = 'cashier' | 'manager' | 'owner';
export const ROLES: readonly Role[] = ['owner', 'manager', 'cashier'];

export interface KdfParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
  /** Bytes of derived key. */
  keyLen: number;
}

/** scrypt N=2^15, r=8, p=1 → 32 bytes, 16-byte salt (about 32 MiB and some tens of ms a hash). */
export const DEFAULT_KDF: Readonly<KdfParams> = Object.freeze({ N: 2 ** 15, r: 8, p: 1, keyLen: 32 });
export const SALT_BYTES = 16;

/** A stored PIN: the KDF's output with everything needed to compute it again. */
export interface PinRecord {
  kdf: 'scrypt';
  params: KdfParams;
  salt: Buffer;
  hash: Buffer;
}

function scryptAsync(pin: string, salt: Buffer, params: KdfParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r * params.p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(pin.normalize('NFKC'), salt, params.keyLen, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPin(pin: string, params: KdfParams = DEFAULT_KDF): Promise<PinRecord> {
  const salt = randomBytes(SALT_BYTES);
  return { kdf: 'scrypt', params: { ...params }, salt, hash: await scryptAsync(pin, salt, params) };
}

/** Constant-time comparison of the PIN's derived key with the stored one. */
export async function pinMatches(pin: string, record: PinRecord): Promise<boolean> {
  const key = await scryptAsync(pin, record.salt, record.params);
  return key.length === record.hash.length && timingSafeEqual(key, record.hash);
}

/** Whether a record was made with weaker (or just different) parameters than `current`. */
export function needsRehash(record: PinRecord, current: KdfParams): boolean {
  const p = record.params;
  return record.kdf !== 'scrypt' || p.N < current.N || p.r < current.r || p.p < current.p || record.hash.length < current.keyLen;
}

/** What anyone may see about an account (no secrets). */
export interface UserSummary {
  id: number;
  name: string;
  role: Role;
  locked: boolean;
  /** ISO 8601 UTC while locked, else null. */
  lockedUntil: string | null;
  createdAt: string;
  createdBy: number | null;
}

export type VerifyResult =
  | { ok: true; user: UserSummary; rehashed: boolean }
  | { ok: false; reason: 'wrong_pin'; user: UserSummary; attemptsLeft: number }
  /** Refused without checking the PIN, or the wrong PIN that just locked it (`justLocked`). */
  | { ok: false; reason: 'locked'; user: UserSummary; until: string; justLocked: boolean }
  | { ok: false; reason: 'unknown_user' };

interface UserRow {
  id: number;
  name: string;
  role: Role;
  pin_hash: Buffer;
  pin_salt: Buffer;
  kdf: 'scrypt';
  kdf_n: number;
  kdf_r: number;
  kdf_p: number;
  created_at: string;
  created_by: number | null;
  active: number;
  failed_attempts: number;
  lock_count: number;
  locked_until: string | null;
}

/** The part of the ledger this repository uses. */
export interface AccountsLedger {
  transact<T>(fn: (tx: LedgerTx) => T): T;
  query<T>(fn: (db: Database.Database) => T): T;
}

export interface AccountsOptions {
  /** For "is it locked now" outside a transaction (inside one, the transaction's time is used). */
  clock?: () => Date;
  /** KDF parameters for new and re-hashed PINs. */
  kdf?: KdfParams;
}

export interface NewUser {
  name: string;
  role: 'manager' | 'cashier';
  pin: string;
}

export interface OwnerSetup {
  ownerName: string;
  ownerPin: string;
  managerName: string;
  managerPin: string;
}

const ROLE_RANK: Record<Role, number> = { owner: 0, manager: 1, cashier: 2 };

function lockState(row: UserRow): LockState {
  return { failedAttempts: row.failed_attempts, lockCount: row.lock_count, lockedUntilMs: row.locked_until === null ? null : Date.parse(row.locked_until) };
}

function recordOf(row: UserRow): PinRecord {
  return { kdf: row.kdf, params: { N: row.kdf_n, r: row.kdf_r, p: row.kdf_p, keyLen: row.pin_hash.length }, salt: row.pin_salt, hash: row.pin_hash };
}

function summaryOf(row: UserRow, nowMs: number): UserSummary {
  const locked = isLocked(lockState(row), nowMs);
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    locked,
    lockedUntil: locked ? row.locked_until : null,
    createdAt: row.created_at,
    createdBy: row.created_by,
  };
}

function checkedName(raw: string, field: string): string {
  const name = typeof raw === 'string' ? normalizeName(raw) : null;
  if (name === null) throw new LedgerError('auth.invalid_name', 'a name is 1 to 40 characters, without control characters', { field });
  return name;
}

function checkPin(pin: string, field: string): void {
  const rule = typeof pin === 'string' ? pinProblem(pin) : 'not_digits';
  // The rule broken, never the PIN.
  if (rule) throw new LedgerError('auth.weak_pin', `the PIN is not allowed (${rule})`, { rule, field, min: '6', max: '12' });
}

const SELECT_USER = `SELECT id, name, role, pin_hash, pin_salt, kdf, kdf_n, kdf_r, kdf_p, created_at, created_by, active,
  failed_attempts, lock_count, locked_until FROM users`;

export class Accounts {
  private readonly clock: () => Date;
  private readonly kdf: KdfParams;

  constructor(
    private readonly ledger: AccountsLedger,
    options: AccountsOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.kdf = { ...(options.kdf ?? DEFAULT_KDF) };
  }

  /** False until the owner has set the shop up. */
  hasUsers(): boolean {
    return this.ledger.query((db) => db.prepare('SELECT EXISTS (SELECT 1 FROM users)').pluck().get() === 1);
  }

  /** Active accounts, owner first, then managers, then cashiers, each by name. */
  listUsers(): UserSummary[] {
    const now = this.clock().getTime();
    const rows = this.ledger.query((db) => db.prepare<[], UserRow>(`${SELECT_USER} WHERE active = 1`).all());
    return rows
      .map((row) => summaryOf(row, now))
      .sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role] || a.name.localeCompare(b.name) || a.id - b.id);
  }

  getUser(id: number): UserSummary | null {
    const row = this.row(id);
    return row && row.active === 1 ? summaryOf(row, this.clock().getTime()) : null;
  }

  /**
   * First run: the owner and the first manager, together or not at all. Refused (auth.already_set_up)
   * once any account exists.
   */
  async setupOwner(input: OwnerSetup, actor: string): Promise<{ owner: UserSummary; manager: UserSummary }> {
    const ownerName = checkedName(input.ownerName, 'ownerName');
    const managerName = checkedName(input.managerName, 'managerName');
    checkPin(input.ownerPin, 'ownerPin');
    checkPin(input.managerPin, 'managerPin');
    if (ownerName.toLowerCase() === managerName.toLowerCase()) {
      throw new LedgerError('auth.name_taken', 'the owner and the manager need different names', { name: managerName, field: 'managerName' });
    }
    if (this.hasUsers()) throw new LedgerError('auth.already_set_up', 'the owner has already been set up');
    const [ownerPin, managerPin] = await Promise.all([hashPin(input.ownerPin, this.kdf), hashPin(input.managerPin, this.kdf)]);
    return this.ledger.transact((tx) => {
      if (tx.db.prepare('SELECT EXISTS (SELECT 1 FROM users)').pluck().get() === 1) {
        throw new LedgerError('auth.already_set_up', 'the owner has already been set up');
      }
      const ownerId = this.insert(tx, ownerName, 'owner', ownerPin, null);
      const managerId = this.insert(tx, managerName, 'manager', managerPin, ownerId);
      tx.audit(actor, 'auth.setup', 'user', String(ownerId), {
        owner: { userId: ownerId, name: ownerName },
        manager: { userId: managerId, name: managerName },
        kdf: kdfAudit(this.kdf),
      });
      const now = Date.parse(tx.at);
      return { owner: summaryOf(this.rowIn(tx.db, ownerId)!, now), manager: summaryOf(this.rowIn(tx.db, managerId)!, now) };
    });
  }

  /** A manager or cashier, created by `createdBy` (the owner). */
  async createUser(input: NewUser, createdBy: { userId: number; actor: string }): Promise<UserSummary> {
    const name = checkedName(input.name, 'name');
    if (input.role !== 'manager' && input.role !== 'cashier') {
      throw new LedgerError('argument.invalid', 'a new account is a manager or a cashier', { field: 'role' });
    }
    checkPin(input.pin, 'pin');
    this.ensureNameFree(name);
    const pin = await hashPin(input.pin, this.kdf);
    return this.ledger.transact((tx) => {
      this.ensureNameFree(name, tx.db);
      const id = this.insert(tx, name, input.role, pin, createdBy.userId);
      tx.audit(createdBy.actor, 'user.created', 'user', String(id), { userId: id, name, role: input.role, createdBy: createdBy.userId, kdf: kdfAudit(this.kdf) });
      return summaryOf(this.rowIn(tx.db, id)!, Date.parse(tx.at));
    });
  }

  /**
   * One PIN attempt on `userId` by `actor`. Whatever the outcome, the attempt is audited
   * (`auth.pin_ok`, `auth.pin_wrong`, `auth.locked`, or `auth.unknown_user`) in the same transaction
   * as the counters it changes. A locked account is refused without looking at the PIN, even a
   * correct one.
   */
  async verifyPin(userId: number, pin: string, actor: string): Promise<VerifyResult> {
    for (let round = 0; ; round++) {
      const before = this.row(userId);
      const usable = before !== null && before.active === 1;
      const lockedBefore = usable && isLocked(lockState(before), this.clock().getTime());
      // The slow part, outside the transaction; skipped for a locked or unknown account.
      const checked = usable && !lockedBefore ? { salt: before.pin_salt, match: await pinMatches(String(pin), recordOf(before)) } : null;

      const outcome = this.ledger.transact((tx): VerifyResult | 'again' => {
        const row = this.rowIn(tx.db, userId);
        const now = Date.parse(tx.at);
        if (!row || row.active !== 1) {
          tx.audit(actor, 'auth.unknown_user', 'user', String(userId), { userId });
          return { ok: false, reason: 'unknown_user' };
        }
        const state = lockState(row);
        const who = { userId: row.id, name: row.name, role: row.role };
        if (isLocked(state, now)) {
          tx.audit(actor, 'auth.locked', 'user', String(row.id), { ...who, lockedUntil: row.locked_until });
          return { ok: false, reason: 'locked', user: summaryOf(row, now), until: row.locked_until!, justLocked: false };
        }
        // The lock ran out, or the PIN record changed, after the PIN was checked: check it again.
        if (!checked || !checked.salt.equals(row.pin_salt)) return 'again';

        const next = afterAttempt(state, checked.match, now);
        const lockedUntil = next.lockedUntilMs === null ? null : new Date(next.lockedUntilMs).toISOString();
        tx.db
          .prepare('UPDATE users SET failed_attempts = ?, lock_count = ?, locked_until = ? WHERE id = ?')
          .run(next.failedAttempts, next.lockCount, lockedUntil, row.id);
        const updated = this.rowIn(tx.db, row.id)!;
        if (checked.match) {
          tx.audit(actor, 'auth.pin_ok', 'user', String(row.id), who);
          return { ok: true, user: summaryOf(updated, now), rehashed: false };
        }
        const left = next.lockedNow ? 0 : attemptsLeft(next.failedAttempts);
        tx.audit(actor, 'auth.pin_wrong', 'user', String(row.id), {
          ...who,
          failedAttempts: next.lockedNow ? state.failedAttempts + 1 : next.failedAttempts,
          attemptsLeft: left,
          lockCount: next.lockCount,
          lockedUntil,
        });
        return next.lockedNow
          ? { ok: false, reason: 'locked', user: summaryOf(updated, now), until: lockedUntil!, justLocked: true }
          : { ok: false, reason: 'wrong_pin', user: summaryOf(updated, now), attemptsLeft: left };
      });
      if (outcome !== 'again') {
        if (outcome.ok && before && needsRehash(recordOf(before), this.kdf)) {
          return { ...outcome, rehashed: await this.rehash(before, String(pin), actor) };
        }
        return outcome;
      }
      if (round >= 2) throw new LedgerError('db.busy', 'the account kept changing during the PIN check: try again');
    }
  }

  /** Stores the PIN again with the current KDF parameters (after it was just verified). */
  private async rehash(row: UserRow, pin: string, actor: string): Promise<boolean> {
    const record = await hashPin(pin, this.kdf);
    return this.ledger.transact((tx) => {
      const changed = tx.db
        .prepare('UPDATE users SET pin_hash = ?, pin_salt = ?, kdf = ?, kdf_n = ?, kdf_r = ?, kdf_p = ? WHERE id = ? AND pin_salt = ?')
        .run(record.hash, record.salt, record.kdf, record.params.N, record.params.r, record.params.p, row.id, row.pin_salt);
      if (changed.changes !== 1) return false;
      tx.audit(actor, 'user.pin_rehashed', 'user', String(row.id), {
        userId: row.id,
        name: row.name,
        from: { N: row.kdf_n, r: row.kdf_r, p: row.kdf_p, keyLen: row.pin_hash.length },
        to: kdfAudit(record.params),
      });
      return true;
    });
  }

  private ensureNameFree(name: string, db?: Database.Database): void {
    const find = (d: Database.Database) => d.prepare<[string], { name: string }>('SELECT name FROM users WHERE name = ?').get(name);
    const taken = db ? find(db) : this.ledger.query(find);
    if (taken) throw new LedgerError('auth.name_taken', `there is already an account called ${taken.name}`, { name: taken.name });
  }

  private insert(tx: LedgerTx, name: string, role: Role, pin: PinRecord, createdBy: number | null): number {
    const result = tx.db
      .prepare(
        `INSERT INTO users (name, role, pin_hash, pin_salt, kdf, kdf_n, kdf_r, kdf_p, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(name, role, pin.hash, pin.salt, pin.kdf, pin.params.N, pin.params.r, pin.params.p, tx.at, createdBy);
    return Number(result.lastInsertRowid);
  }

  private row(id: number): UserRow | null {
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    return this.ledger.query((db) => this.rowIn(db, id));
  }

  private rowIn(db: Database.Database, id: number): UserRow | null {
    return db.prepare<[number], UserRow>(`${SELECT_USER} WHERE id = ?`).get(id) ?? null;
  }
}

function kdfAudit(params: KdfParams) {
  return { name: 'scrypt', N: params.N, r: params.r, p: params.p, keyLen: params.keyLen };
}
