import { describe, expect, it } from 'vitest';
import { ApiError, isCommandName } from '../../../electron/contract/api.js';
import { PASSIVE_COMMANDS } from '../../../electron/contract/commands/auth.js';
import { createSessionAuthorizer, roleAtLeast, type SessionEndReason } from '../../../electron/core/auth/sessions.js';
import type { CallContext } from '../../../electron/core/types.js';

function fakeClock(startMs = Date.parse('2026-03-10T02:00:00.000Z')) {
  let now = startMs;
  const clock = () => new Date(now);
  clock.advance = (ms: number) => {
    now += ms;
  };
  return clock;
}

const counter: CallContext = { transport: 'ws', sessionId: 'till-1' };
const office: CallContext = { transport: 'ws', sessionId: 'office' };
const manager = { userId: 2, name: 'Zhang Min', role: 'manager' as const };
const owner = { userId: 1, name: 'Lin Wei', role: 'owner' as const };
const cashier = { userId: 3, name: 'Chen Jie', role: 'cashier' as const };

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

function setup(idleMs?: number) {
  const clock = fakeClock();
  const ended: Array<[string, string, SessionEndReason]> = [];
  const auth = createSessionAuthorizer({
    clock,
    ...(idleMs !== undefined ? { idleMs } : {}),
    onEnd: (sessionId, user, reason) => ended.push([sessionId, user.name, reason]),
  });
  return { clock, auth, ended, flush: () => new Promise<void>((resolve) => queueMicrotask(resolve)) };
}

describe('roles', () => {
  it('owner > manager > cashier', () => {
    expect(roleAtLeast('owner', 'manager')).toBe(true);
    expect(roleAtLeast('manager', 'manager')).toBe(true);
    expect(roleAtLeast('manager', 'owner')).toBe(false);
    expect(roleAtLeast('cashier', 'manager')).toBe(false);
  });
});

describe('the session authorizer', () => {
  it('with nobody signed in, the counter is the cashier and manager actions need a sign-in (auth.required)', () => {
    const { auth } = setup();
    expect(auth.operatorFor(counter)).toEqual({ userId: null, name: 'cashier', role: 'cashier' });
    expect(errorOf(() => auth.requireRole(counter, 'manager'))).toMatchObject({ code: 'auth.required', params: { role: 'manager' } });
    expect(errorOf(() => auth.requireRole(counter, 'owner')).code).toBe('auth.required');
    expect(auth.session(counter)).toBeNull();
  });

  it('a manager may do manager things but not owner things (auth.forbidden); the owner may do both', () => {
    const { auth } = setup();
    auth.signIn(counter, manager);
    expect(auth.operatorFor(counter)).toEqual(manager);
    expect(auth.requireRole(counter, 'manager')).toEqual(manager);
    expect(errorOf(() => auth.requireRole(counter, 'owner'))).toMatchObject({ code: 'auth.forbidden', params: { role: 'owner', current: 'manager' } });
    auth.signIn(counter, owner);
    expect(auth.requireRole(counter, 'manager')).toEqual(owner);
    expect(auth.requireRole(counter, 'owner')).toEqual(owner);
  });

  it('a signed-in cashier is named in audits but is not a manager', () => {
    const { auth } = setup();
    auth.signIn(counter, cashier);
    expect(auth.operatorFor(counter)).toEqual(cashier);
    expect(errorOf(() => auth.requireRole(counter, 'manager')).code).toBe('auth.forbidden');
  });

  it('sign-ins belong to one transport session: another screen is still the cashier', () => {
    const { auth } = setup();
    auth.signIn(counter, manager);
    expect(auth.operatorFor(office).role).toBe('cashier');
    expect(errorOf(() => auth.requireRole(office, 'manager')).code).toBe('auth.required');
    // The same id over another transport is another session too.
    expect(auth.operatorFor({ transport: 'ipc', sessionId: counter.sessionId }).role).toBe('cashier');
  });

  it('ends 60 s after the last command: still on at 59.999 s, gone at 60 s, told once as idle', async () => {
    const { auth, clock, ended, flush } = setup();
    const view = auth.signIn(counter, manager);
    expect(view.expiresAt).toBe('2026-03-10T02:01:00.000Z');
    clock.advance(59_999);
    expect(auth.requireRole(counter, 'manager')).toEqual(manager);
    clock.advance(1);
    expect(errorOf(() => auth.requireRole(counter, 'manager')).code).toBe('auth.required');
    expect(auth.operatorFor(counter).role).toBe('cashier');
    expect(auth.session(counter)).toBeNull();
    await flush();
    expect(ended).toEqual([['till-1', 'Zhang Min', 'idle']]);
  });

  it('every command (touch) gives another 60 s from that moment', () => {
    const { auth, clock } = setup();
    auth.signIn(counter, manager);
    for (let i = 0; i < 10; i++) {
      clock.advance(50_000);
      auth.touch(counter);
    }
    expect(auth.session(counter)?.expiresAt).toBe(new Date(clock().getTime() + 60_000).toISOString());
    clock.advance(59_000);
    expect(auth.operatorFor(counter)).toEqual(manager);
    clock.advance(1_000);
    expect(auth.operatorFor(counter).role).toBe('cashier');
    // A touch after expiry does not bring it back.
    auth.touch(counter);
    expect(auth.session(counter)).toBeNull();
  });

  it('a touch from another session does not keep this one alive', () => {
    const { auth, clock } = setup();
    auth.signIn(counter, manager);
    clock.advance(40_000);
    auth.touch(office);
    clock.advance(20_000);
    expect(auth.session(counter)).toBeNull();
  });

  it('sign-out ends it at once; signing in again replaces the one before; sweep ends the idle ones', async () => {
    const { auth, clock, ended, flush } = setup(1_000);
    auth.signIn(counter, manager);
    auth.signIn(counter, owner);
    expect(auth.operatorFor(counter)).toEqual(owner);
    expect(auth.signOut(counter)).toEqual(owner);
    expect(auth.signOut(counter)).toBeNull();
    expect(auth.operatorFor(counter).role).toBe('cashier');

    auth.signIn(counter, manager);
    auth.signIn(office, owner);
    clock.advance(500);
    auth.touch(office);
    clock.advance(500);
    expect(auth.sweep()).toBe(1);
    expect(auth.session(office)).not.toBeNull();
    clock.advance(500);
    expect(auth.sweep()).toBe(1);
    expect(auth.sweep()).toBe(0);
    await flush();
    expect(ended).toEqual([
      ['till-1', 'Zhang Min', 'replaced'],
      ['till-1', 'Lin Wei', 'signed_out'],
      ['till-1', 'Zhang Min', 'idle'],
      ['office', 'Lin Wei', 'idle'],
    ]);
  });

  it('what does not count as activity is only read-only commands the screens fetch by themselves, all real', () => {
    for (const name of PASSIVE_COMMANDS) expect(isCommandName(name), name).toBe(true);
    for (const active of ['auth.signIn', 'auth.createUser', 'charges.confirm', 'charges.history', 'sim.charge']) {
      expect(PASSIVE_COMMANDS.has(active), active).toBe(false);
    }
  });

  it('refuses a nonsensical idle time', () => {
    expect(() => createSessionAuthorizer({ clock: () => new Date(), idleMs: 0 })).toThrow(RangeError);
  });
});
