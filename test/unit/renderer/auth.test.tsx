/**
 * The renderer's side of accounts: the auth store against a scripted API, the activity wrapper,
 * the M key, the texts for each auth error (both languages), and the first paint of each piece.
 */
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, type ApiErrorShape } from '../../../electron/contract/api.js';
import type { AuthStatus } from '../../../electron/contract/commands/auth.js';
import { withActivity } from '../../../renderer/api/activity.js';
import { AUTH_ERROR_CODES, PIN_RULES, describeAuthError, formatCountdown } from '../../../renderer/components/auth/authText.js';
import { ManagerControls, StaffTab } from '../../../renderer/components/auth/ManagerControls.js';
import { SetupWizard } from '../../../renderer/components/setup/SetupWizard.js';
import { isManagerKey, pinDigits } from '../../../renderer/components/auth/SignInDialog.js';
import { mergedTranslations } from '../../../renderer/i18n/bundles.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { errorKeys, translateError } from '../../../renderer/i18n/translate.js';
import { StaffScreen } from '../../../renderer/screens/StaffScreen.js';
import { ACTIVITY_REFRESH_MS, createAuthStore, hasRole, type AuthStore } from '../../../renderer/store/auth.js';
import { AuthProvider } from '../../../renderer/store/authContext.js';
import { fakeApi, tick } from './fakeApi.js';

const en = createI18n('en').t;
const zh = createI18n('zh-CN').t;

const users: AuthStatus['users'] = [
  { id: 1, name: 'Lin Wei', role: 'owner', locked: false, lockedUntil: null },
  { id: 2, name: 'Zhang Min', role: 'manager', locked: false, lockedUntil: null },
];
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();
const signedIn = (role: 'owner' | 'manager', expiresInMs = 60_000): AuthStatus => ({
  needsSetup: false,
  session: { userId: role === 'owner' ? 1 : 2, name: role === 'owner' ? 'Lin Wei' : 'Zhang Min', role, expiresAt: inFuture(expiresInMs) },
  users,
});
const nobody: AuthStatus = { needsSetup: false, session: null, users };

describe('texts', () => {
  it('countdowns read m:ss (h:mm:ss past an hour), never negative', () => {
    expect(formatCountdown(59_001)).toBe('1:00');
    expect(formatCountdown(59_000)).toBe('0:59');
    expect(formatCountdown(5 * 60_000)).toBe('5:00');
    expect(formatCountdown(2 * 3600_000 + 61_000)).toBe('2:01:01');
    expect(formatCountdown(-5000)).toBe('0:00');
  });

  it('every auth error and PIN rule has a sentence in both languages', () => {
    for (const locale of ['en', 'zh-CN'] as const) {
      const tree = mergedTranslations(locale) as { auth: { errors: Record<string, string>; pinRules: Record<string, string> } };
      for (const code of AUTH_ERROR_CODES) expect(tree.auth.errors[code], `${locale} ${code}`).toBeTruthy();
      for (const rule of PIN_RULES) expect(tree.auth.pinRules[rule], `${locale} ${rule}`).toBeTruthy();
    }
  });

  it('an area error code is looked up in its own file (auth.wrong_pin → auth.errors.wrong_pin)', () => {
    expect(errorKeys('auth.wrong_pin')).toEqual(['errors.auth.wrong_pin', 'auth.errors.wrong_pin']);
    expect(errorKeys('internal')).toEqual(['errors.internal']);
    expect(translateError(en, { code: 'auth.required', message: 'x' })).toBe('A manager must sign in for this: press M or use the Manager button.');
    expect(translateError(zh, { code: 'auth.required', message: 'x' })).toContain('经理登录');
    expect(translateError(en, { code: 'charge.not_found', message: 'x' })).toContain('no longer exists');
  });

  it('wrong PIN says how many attempts are left; a lock says how long is left, live', () => {
    const now = Date.parse('2026-03-10T02:00:00.000Z');
    const wrong: ApiErrorShape = { code: 'auth.wrong_pin', message: '', params: { attemptsLeft: '3', name: 'Zhang Min' } };
    expect(describeAuthError(en, wrong, now)).toBe('Wrong PIN. Attempts left before this account locks: 3.');
    expect(describeAuthError(zh, wrong, now)).toBe('密码错误。再输错 3 次，此账户将被锁定。');
    const locked: ApiErrorShape = { code: 'auth.locked', message: '', params: { name: 'Zhang Min', until: '2026-03-10T02:05:00.000Z', minutes: '5' } };
    expect(describeAuthError(en, locked, now)).toBe('Zhang Min is locked after too many wrong PINs. Try again in 5:00.');
    expect(describeAuthError(en, locked, now + 61_000)).toContain('Try again in 3:59.');
    expect(describeAuthError(zh, locked, now)).toContain('已被锁定');
    const weak: ApiErrorShape = { code: 'auth.weak_pin', message: '', params: { rule: 'sequence' } };
    expect(describeAuthError(en, weak, now)).toBe('A PIN cannot be a straight run, like 123456 or 654321.');
    expect(describeAuthError(en, { code: 'auth.weak_pin', message: '', params: { rule: 'bogus' } }, now)).toBe('That PIN is not allowed.');
    expect(describeAuthError(en, { code: 'auth.name_taken', message: '', params: { name: 'Wang' } }, now)).toBe('There is already an account called Wang.');
  });
});

describe('keys and fields', () => {
  const key = (over: Partial<Parameters<typeof isManagerKey>[0]> = {}) => ({
    key: 'm',
    repeat: false,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    isComposing: false,
    defaultPrevented: false,
    target: null,
    ...over,
  });
  const inside = (selector: string) => ({ closest: (s: string) => (s.split(', ').includes(selector) ? {} : null) }) as unknown as EventTarget;

  it('M (either case) opens the sign-in; not held, not with modifiers, not while typing', () => {
    expect(isManagerKey(key())).toBe(true);
    expect(isManagerKey(key({ key: 'M', shiftKey: true }))).toBe(true);
    expect(isManagerKey(key({ repeat: true }))).toBe(false);
    expect(isManagerKey(key({ ctrlKey: true }))).toBe(false);
    expect(isManagerKey(key({ isComposing: true }))).toBe(false);
    expect(isManagerKey(key({ key: 'n' }))).toBe(false);
    expect(isManagerKey(key({ target: inside('input') }))).toBe(false);
    expect(isManagerKey(key({ target: inside('select') }))).toBe(false);
  });

  it('PIN fields keep digits only (full-width ones too), at most 12', () => {
    expect(pinDigits('12a3 4-5')).toBe('12345');
    expect(pinDigits('４８２９１５')).toBe('482915');
    expect(pinDigits('1'.repeat(20))).toHaveLength(12);
  });
});

describe('the auth store', () => {
  function setup(status: AuthStatus = nobody) {
    let current = status;
    const fake = fakeApi({
      'auth.status': () => current,
      'auth.signIn': ({ userId, pin }) => {
        if (pin !== '735102') throw new ApiError('auth.wrong_pin', 'wrong', { attemptsLeft: '4', name: 'Zhang Min' });
        current = { ...signedIn('manager'), session: { ...signedIn('manager').session!, userId } };
        return current;
      },
      'auth.signOut': () => (current = nobody),
    });
    const store = createAuthStore({ api: fake.api });
    return { fake, store, setStatus: (s: AuthStatus) => (current = s) };
  }

  it('fetches the status on start, and again on every auth.changed', async () => {
    const { fake, store, setStatus } = setup();
    const stop = store.getState().start();
    await tick();
    expect(store.getState().status).toEqual(nobody);
    setStatus(signedIn('owner'));
    fake.emit({ name: 'auth.changed', payload: { reason: 'signed_in' } });
    await tick();
    expect(store.getState().status?.session?.role).toBe('owner');
    expect(fake.callsTo('auth.status')).toHaveLength(2);
    stop();
  });

  it('a reconnect is a new session: the status is asked again', async () => {
    const { fake, store } = setup();
    const stop = store.getState().start();
    await tick();
    fake.setConnection({ kind: 'reconnecting', attempt: 1, nextRetryMs: 100 });
    fake.setConnection({ kind: 'open' });
    await tick();
    expect(fake.callsTo('auth.status')).toHaveLength(2);
    stop();
  });

  it('sign-in: a wrong PIN comes back as the error to show; the right one closes the dialog', async () => {
    const { store } = setup();
    store.getState().openSignIn();
    const error = await store.getState().signIn(2, '000000');
    expect(error).toMatchObject({ code: 'auth.wrong_pin', params: { attemptsLeft: '4' } });
    expect(store.getState().signInOpen).toBe(true);
    expect(await store.getState().signIn(2, '735102')).toBeNull();
    expect(store.getState().signInOpen).toBe(false);
    expect(hasRole(store.getState().status, 'manager')).toBe(true);
    expect(hasRole(store.getState().status, 'owner')).toBe(false);
    await store.getState().signOut();
    expect(store.getState().status?.session).toBeNull();
  });

  it('activity while signed in re-reads the status once after a quiet moment; none while signed out', async () => {
    vi.useFakeTimers();
    try {
      const { fake, store } = setup(signedIn('manager'));
      await store.getState().refresh();
      const before = fake.callsTo('auth.status').length;
      for (let i = 0; i < 5; i++) store.getState().noteActivity();
      await vi.advanceTimersByTimeAsync(ACTIVITY_REFRESH_MS + 10);
      expect(fake.callsTo('auth.status').length).toBe(before + 1);

      const idle = setup(nobody);
      await idle.store.getState().refresh();
      idle.store.getState().noteActivity();
      await vi.advanceTimersByTimeAsync(ACTIVITY_REFRESH_MS + 10);
      expect(idle.fake.callsTo('auth.status')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('withActivity reports commands that count, not what screens fetch by themselves', async () => {
    const fake = fakeApi({ 'charges.queue': () => [], 'charges.history': () => [], 'auth.status': () => nobody });
    const seen: string[] = [];
    const api = withActivity(fake.api, (name) => seen.push(name));
    await api.invoke('charges.queue', {});
    await api.invoke('auth.status', {});
    await api.invoke('charges.history', {});
    await expect(api.invoke('charges.confirm', { chargeId: 1 })).rejects.toBeInstanceOf(ApiError);
    expect(seen).toEqual(['charges.history', 'charges.confirm']);
  });
});

describe('first paint', () => {
  function paint(status: AuthStatus | null, node: React.ReactNode, locale: 'en' | 'zh-CN' = 'en'): string {
    const store: AuthStore = createAuthStore({ api: null });
    store.setState({ status });
    store.getInitialState = store.getState;
    return renderToString(
      <I18nextProvider i18n={createI18n(locale)}>
        <AuthProvider store={store}>{node}</AuthProvider>
      </I18nextProvider>,
    );
  }

  it('first run: the setup wizard opens on its owner step with the four fields; the Manager button', () => {
    const html = paint({ needsSetup: true, session: null, users: [] }, <><SetupWizard /><ManagerControls /></>);
    for (const id of ['setup-owner-name', 'setup-owner-pin', 'setup-manager-name', 'setup-manager-pin', 'setup-submit', 'manager-button']) {
      expect(html, id).toContain(`data-testid="${id}"`);
    }
    expect(html).toMatch(/data-testid="setup-owner-pin"[^>]*type="password"|type="password"[^>]*data-testid="setup-owner-pin"/);
    expect(html).toContain('data-step="accounts"');
    // Accounts exist and the setup state is not known yet: nothing shows (it shows once known and unfinished).
    expect(paint(nobody, <SetupWizard />)).toBe('');
  });

  it('signed in: the badge with the name and the time left, and sign-out; the Staff tab only for the owner', () => {
    const manager = paint(signedIn('manager', 42_000), <><ManagerControls /><StaffTab current={false} onSelect={() => undefined} /></>);
    expect(manager).toContain('data-testid="manager-badge"');
    expect(manager).toMatch(/Zhang Min.*Manager/);
    expect(manager).toMatch(/0:4[12]/);
    expect(manager).toContain('data-testid="signout-button"');
    expect(manager).not.toContain('data-testid="nav-staff"');
    expect(manager).not.toContain('data-testid="manager-button"');
    const owner = paint(signedIn('owner'), <StaffTab current={false} onSelect={() => undefined} />, 'zh-CN');
    expect(owner).toContain('data-testid="nav-staff"');
    expect(owner).toContain('员工');
  });

  it('the Staff screen: the form and one row per account for the owner; a refusal for anyone else', () => {
    const html = paint(signedIn('owner'), <StaffScreen />);
    for (const id of ['staff-name', 'staff-role', 'staff-pin', 'staff-create']) expect(html).toContain(`data-testid="${id}"`);
    expect(html.split('data-testid="staff-row"')).toHaveLength(3);
    const refused = paint(signedIn('manager'), <StaffScreen />);
    expect(refused).not.toContain('data-testid="staff-create"');
    expect(refused).toContain('Only the owner can manage staff');
  });
});
