/**
 * Accounts and manager mode through the API boundary: validated input, ApiError codes the screens
 * translate, events that carry nothing secret, and the audit trail behind it all.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type ApiEvent, type CountersignApi } from '../../../electron/contract/api.js';
import { createInProcessApi } from '../../../electron/core/inProcessApi.js';
import type { Logger } from '../../../electron/core/logger.js';
import { startCore, type RunningCore } from '../../../electron/core/startCore.js';

const OWNER_PIN = '482915';
const MANAGER_PIN = '735102';
const START = Date.parse('2026-03-10T02:00:00.000Z');

let running: RunningCore | null = null;
afterEach(async () => {
  await running?.close();
  running = null;
});

async function boot(options: { managerIdleMs?: number } = {}) {
  let now = START;
  const clock = () => new Date(now);
  const logLines: string[] = [];
  const log: Logger = {
    info: (event, data) => logLines.push(JSON.stringify({ event, ...data })),
    warn: (event, data) => logLines.push(JSON.stringify({ event, ...data })),
    error: (event, data) => logLines.push(JSON.stringify({ event, ...data })),
  };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cs-auth-'));
  const core = await startCore({ dataDir, log, backend: 'simulator', simStatusIntervalMs: 0, clock, durability: 'demo', ...options });
  running = core;
  const events: ApiEvent[] = [];
  core.api.subscribe((e) => events.push(e));
  return {
    core,
    till: createInProcessApi(core.api, 'till'),
    office: createInProcessApi(core.api, 'office'),
    events,
    logLines,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function apiErrorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

async function setUp(api: CountersignApi) {
  return api.invoke('auth.setupOwner', { ownerName: 'Lin Wei', ownerPin: OWNER_PIN, managerName: 'Zhang Min', managerPin: MANAGER_PIN });
}

const idOf = async (api: CountersignApi, name: string) => (await api.invoke('auth.status', {})).users.find((u) => u.name === name)!.id;
const flush = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('first run', () => {
  it('needs setup; nothing needing a manager works; the counter does', async () => {
    const { till } = await boot();
    expect(await till.invoke('auth.status', {})).toEqual({ needsSetup: true, session: null, users: [] });
    expect((await apiErrorOf(till.invoke('auth.createUser', { name: 'X', role: 'manager', pin: '135790' }))).code).toBe('auth.required');
    expect((await apiErrorOf(till.invoke('auth.signIn', { userId: 1, pin: '135790' }))).code).toBe('auth.unknown_user');
    expect(await till.invoke('charges.queue', {})).toEqual([]);
  });

  it('the owner creates themself and the first manager, and is signed in; only once', async () => {
    const { till, office, events, core } = await boot();
    const weak = await apiErrorOf(till.invoke('auth.setupOwner', { ownerName: 'Lin Wei', ownerPin: '123456', managerName: 'Zhang Min', managerPin: MANAGER_PIN }));
    expect(weak).toMatchObject({ code: 'auth.weak_pin', params: { rule: 'sequence', field: 'ownerPin' } });
    expect(weak.message).not.toContain('123456');
    expect((await till.invoke('auth.status', {})).needsSetup).toBe(true);

    const status = await setUp(till);
    expect(status.needsSetup).toBe(false);
    expect(status.session).toMatchObject({ name: 'Lin Wei', role: 'owner', expiresAt: '2026-03-10T02:01:00.000Z' });
    expect(status.users.map((u) => [u.name, u.role, u.locked, u.lockedUntil])).toEqual([
      ['Lin Wei', 'owner', false, null],
      ['Zhang Min', 'manager', false, null],
    ]);
    for (const user of status.users) expect(Object.keys(user).sort()).toEqual(['id', 'locked', 'lockedUntil', 'name', 'role']);
    // Another screen sees the accounts but nobody signed in there.
    expect((await office.invoke('auth.status', {})).session).toBeNull();
    expect(events.filter((e) => e.name === 'auth.changed').map((e) => e.payload)).toEqual([{ reason: 'setup' }]);
    expect((await apiErrorOf(setUp(office))).code).toBe('auth.already_set_up');
    expect(core.ledger.auditRows(1, 1000).filter((r) => r.action === 'auth.setup')).toHaveLength(1);
  });
});

describe('signing in and manager mode', () => {
  it('wrong PIN → auth.wrong_pin with attempts left; right PIN → signed in; the audit names who did what', async () => {
    const { till, office, core } = await boot();
    await setUp(office);
    const managerId = await idOf(till, 'Zhang Min');

    const wrong = await apiErrorOf(till.invoke('auth.signIn', { userId: managerId, pin: '000111' }));
    expect(wrong).toMatchObject({ code: 'auth.wrong_pin', params: { attemptsLeft: '4', name: 'Zhang Min' } });
    const status = await till.invoke('auth.signIn', { userId: managerId, pin: MANAGER_PIN });
    expect(status.session).toMatchObject({ userId: managerId, name: 'Zhang Min', role: 'manager' });
    expect((await till.invoke('status.get', {})).operator).toBe('manager:Zhang Min');
    expect((await office.invoke('status.get', {})).operator).toBe('owner:Lin Wei');

    const rows = core.ledger.auditRows(1, 1000);
    expect(rows.filter((r) => r.action.startsWith('auth.pin')).map((r) => [r.actor, r.action, (r.data as { userId: number }).userId])).toEqual([
      ['cashier', 'auth.pin_wrong', managerId],
      ['cashier', 'auth.pin_ok', managerId],
    ]);
  });

  it('createUser is the owner\'s: a manager gets auth.forbidden, nobody gets auth.required', async () => {
    const { till, office, events } = await boot();
    await setUp(office);
    const created = await office.invoke('auth.createUser', { name: 'Chen Jie', role: 'cashier', pin: '204816' });
    expect(created).toEqual({ id: expect.any(Number), name: 'Chen Jie', role: 'cashier', locked: false, lockedUntil: null });
    expect(events.at(-1)).toEqual({ name: 'auth.changed', payload: { reason: 'user_created' } });

    expect((await apiErrorOf(till.invoke('auth.createUser', { name: 'Wu', role: 'manager', pin: '204817' }))).code).toBe('auth.required');
    await till.invoke('auth.signIn', { userId: await idOf(till, 'Zhang Min'), pin: MANAGER_PIN });
    const forbidden = await apiErrorOf(till.invoke('auth.createUser', { name: 'Wu', role: 'manager', pin: '204817' }));
    expect(forbidden).toMatchObject({ code: 'auth.forbidden', params: { role: 'owner', current: 'manager' } });

    expect((await apiErrorOf(office.invoke('auth.createUser', { name: 'chen jie', role: 'manager', pin: '204817' }))).code).toBe('auth.name_taken');
    const weak = await apiErrorOf(office.invoke('auth.createUser', { name: 'Wu', role: 'manager', pin: '55555' }));
    expect(weak).toMatchObject({ code: 'auth.weak_pin', params: { rule: 'too_short' } });
  });

  it('malformed input is refused at the boundary without echoing the PIN', async () => {
    const { office } = await boot();
    await setUp(office);
    const asOwner = await apiErrorOf(office.invoke('auth.createUser', { name: 'Wu', role: 'owner' as 'manager', pin: '204817' }));
    expect(asOwner.code).toBe('validation.failed');
    const extra = await apiErrorOf(office.invoke('auth.signIn', { userId: 1, pin: '204817', remember: true } as never));
    expect(extra.code).toBe('validation.failed');
    const long = await apiErrorOf(office.invoke('auth.signIn', { userId: 1, pin: '7'.repeat(65) }));
    expect(long.code).toBe('validation.failed');
    for (const e of [asOwner, extra, long]) expect(JSON.stringify(e.toJSON())).not.toMatch(/204817|7{10}/);
  });

  it('manager mode ends after 60 s without a command, and each command moves the end on; background fetches do not', async () => {
    const { till, office, events, core, advance } = await boot();
    await setUp(office);
    await till.invoke('auth.signIn', { userId: await idOf(till, 'Zhang Min'), pin: MANAGER_PIN });

    // A real command (the history) keeps it alive…
    for (let i = 0; i < 3; i++) {
      advance(50_000);
      await till.invoke('charges.history', {});
    }
    // …what screens fetch by themselves does not.
    advance(30_000);
    await till.invoke('auth.status', {});
    await till.invoke('charges.today', {});
    await till.invoke('charges.queue', {});
    advance(29_999);
    expect((await till.invoke('auth.status', {})).session).not.toBeNull();
    advance(1);
    expect((await till.invoke('auth.status', {})).session).toBeNull();
    expect((await till.invoke('status.get', {})).operator).toBe('cashier');
    await flush();
    expect(events.filter((e) => e.name === 'auth.changed').at(-1)?.payload).toEqual({ reason: 'expired' });
    expect(core.ledger.auditRows(1, 1000).at(-1)).toMatchObject({
      actor: 'manager:Zhang Min',
      action: 'auth.signed_out',
      data: { name: 'Zhang Min', role: 'manager', reason: 'idle' },
    });
  });

  it('sign-out ends manager mode at once and is audited', async () => {
    const { till, office, core, events } = await boot();
    await setUp(office);
    await till.invoke('auth.signIn', { userId: await idOf(till, 'Zhang Min'), pin: MANAGER_PIN });
    expect((await till.invoke('auth.signOut', {})).session).toBeNull();
    await flush();
    expect(core.ledger.auditRows(1, 1000).at(-1)).toMatchObject({ action: 'auth.signed_out', data: { reason: 'signed_out' } });
    expect(events.at(-1)).toEqual({ name: 'auth.changed', payload: { reason: 'signed_out' } });
  });

  it('five wrong PINs lock the account (auth.locked with the time); the sixth try, right PIN or not, is refused', async () => {
    const { till, office, events, core, logLines, advance } = await boot();
    await setUp(office);
    const managerId = await idOf(till, 'Zhang Min');
    const codes: Array<[string, Record<string, string>]> = [];
    for (let i = 0; i < 5; i++) {
      const e = await apiErrorOf(till.invoke('auth.signIn', { userId: managerId, pin: '909090' }));
      codes.push([e.code, e.params]);
    }
    expect(codes.slice(0, 4).map(([c, p]) => `${c}:${p.attemptsLeft}`)).toEqual(['auth.wrong_pin:4', 'auth.wrong_pin:3', 'auth.wrong_pin:2', 'auth.wrong_pin:1']);
    expect(codes[4]).toEqual(['auth.locked', { name: 'Zhang Min', until: '2026-03-10T02:05:00.000Z', minutes: '5' }]);
    expect(events.filter((e) => e.name === 'auth.changed').at(-1)?.payload).toEqual({ reason: 'locked' });

    const sixth = await apiErrorOf(till.invoke('auth.signIn', { userId: managerId, pin: MANAGER_PIN }));
    expect(sixth).toMatchObject({ code: 'auth.locked', params: { until: '2026-03-10T02:05:00.000Z' } });
    expect((await till.invoke('auth.status', {})).users.find((u) => u.id === managerId)).toMatchObject({
      locked: true,
      lockedUntil: '2026-03-10T02:05:00.000Z',
    });
    expect((await till.invoke('auth.status', {})).session).toBeNull();

    advance(5 * 60_000);
    expect((await till.invoke('auth.signIn', { userId: managerId, pin: MANAGER_PIN })).session?.name).toBe('Zhang Min');

    // No PIN anywhere: not in the audit log, not in the log file's lines, not in any event.
    const secrets = [OWNER_PIN, MANAGER_PIN, '909090'];
    const audit = JSON.stringify(core.ledger.auditRows(1, 1000));
    for (const s of secrets) {
      expect(audit).not.toContain(s);
      expect(logLines.join('\n')).not.toContain(s);
      expect(JSON.stringify(events)).not.toContain(s);
    }
    expect(core.ledger.verifyAudit().ok).toBe(true);
  });
});
