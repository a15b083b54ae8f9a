/**
 * Settings and the Manage menu: the menu's items per role and language, its first paint (a menu
 * button), the comfort modes (root classes kept in localStorage), the audit check's store.
 */
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../../electron/contract/api.js';
import type { AuthStatus } from '../../../electron/contract/commands/auth.js';
import { ManageMenu, manageItems } from '../../../renderer/components/nav/ManageMenu.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { COMFORT_CLASS, applyStoredComfort, loadComfort, saveComfort } from '../../../renderer/settings/comfort.js';
import { createAuthStore } from '../../../renderer/store/auth.js';
import { AuthProvider } from '../../../renderer/store/authContext.js';
import { createSettingsStore } from '../../../renderer/store/settings.js';
import { fakeApi } from './fakeApi.js';
import { status as appStatus } from './fixtures.js';

describe('the Manage menu', () => {
  it('lists the manager screens; Staff only for the owner; in both languages', () => {
    const en = createI18n('en').t;
    const zh = createI18n('zh-CN').t;
    expect(manageItems(en, false).map((i) => i.label)).toEqual(['Void / refund', 'Incidents', 'Printers', 'Settings']);
    expect(manageItems(en, true).map((i) => i.testId)).toEqual(['nav-manage-adjust', 'nav-manage-incidents', 'nav-printers', 'nav-staff', 'nav-settings']);
    const zhLabels = manageItems(zh, true).map((i) => i.label);
    expect(zhLabels).toContain('员工');
    expect(zhLabels).toContain('设置');
    for (const label of zhLabels) expect(label).toMatch(/[\u4e00-\u9fff]/);
  });

  it('paints as a closed menu button, marked current when one of its screens is open', () => {
    const status: AuthStatus = {
      needsSetup: false,
      session: { userId: 1, name: 'Lin Wei', role: 'owner', expiresAt: new Date(Date.now() + 60_000).toISOString() },
      users: [{ id: 1, name: 'Lin Wei', role: 'owner', locked: false, lockedUntil: null }],
    };
    const auth = createAuthStore({ api: null });
    auth.setState({ status });
    auth.getInitialState = auth.getState;
    const paint = (current: 'settings' | null, locale: 'en' | 'zh-CN') =>
      renderToString(
        <I18nextProvider i18n={createI18n(locale)}>
          <AuthProvider store={auth}>
            <ManageMenu current={current} onSelect={() => undefined} />
          </AuthProvider>
        </I18nextProvider>,
      );
    const closed = paint(null, 'en');
    expect(closed).toContain('aria-haspopup="menu"');
    expect(closed).toContain('aria-expanded="false"');
    expect(closed).not.toContain('role="menu"');
    expect(closed).not.toContain('aria-current');
    expect(closed).toContain('Manage');
    const current = paint('settings', 'zh-CN');
    expect(current).toContain('aria-current="page"');
    expect(current).toContain('管理');
  });
});

describe('comfort modes', () => {
  const saved = new Map<string, string>();
  const fakeStorage = {
    getItem: (k: string) => saved.get(k) ?? null,
    setItem: (k: string, v: string) => void saved.set(k, v),
    removeItem: (k: string) => void saved.delete(k),
  };
  const root = () => {
    const classes = new Set<string>();
    return {
      classes,
      classList: { toggle: (c: string, on: boolean) => (on ? classes.add(c) : classes.delete(c), on) },
    } as unknown as Element & { classes: Set<string> };
  };
  beforeEach(() => {
    saved.clear();
    (globalThis as { localStorage?: unknown }).localStorage = fakeStorage;
  });
  afterEach(() => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
  });

  it('off by default; switched on, the class goes on the root and is remembered; off again, both go', () => {
    const first = root();
    applyStoredComfort(first);
    expect([...first.classes]).toEqual([]);
    expect(loadComfort('contrast')).toBe(false);

    saveComfort('contrast', true, first);
    saveComfort('largeText', true, first);
    expect(first.classes).toEqual(new Set([COMFORT_CLASS.contrast, COMFORT_CLASS.largeText]));

    // A new start: the stored choices come back.
    const next = root();
    applyStoredComfort(next);
    expect(next.classes).toEqual(new Set(['theme-contrast', 'text-large']));

    saveComfort('contrast', false, next);
    expect(next.classes).toEqual(new Set(['text-large']));
    const third = root();
    applyStoredComfort(third);
    expect(third.classes).toEqual(new Set(['text-large']));
  });

  it('without localStorage nothing breaks and nothing is remembered', () => {
    delete (globalThis as { localStorage?: unknown }).localStorage;
    const el = root();
    saveComfort('largeText', true, el);
    expect(el.classes.has('text-large')).toBe(true);
    expect(loadComfort('largeText')).toBe(false);
  });
});

describe('the audit check', () => {
  it('runs audit.verify, then reads the head afresh', async () => {
    let head = { seq: 7, hash: 'a'.repeat(64) };
    const fake = fakeApi({
      'audit.verify': () => {
        head = { seq: 8, hash: 'b'.repeat(64) };
        return { ok: true, rows: 8, head: head.hash };
      },
      'status.get': () => ({ ...appStatus(), auditHead: head }),
    });
    const store = createSettingsStore({ api: fake.api });
    await store.getState().refreshHead();
    expect(store.getState().head).toEqual({ seq: 7, hash: 'a'.repeat(64) });
    await store.getState().verifyAudit();
    expect(store.getState().verification).toEqual({ ok: true, rows: 8, head: 'b'.repeat(64) });
    expect(store.getState().head?.seq).toBe(8);
    expect(store.getState().verifying).toBe(false);
    expect(fake.calls.map((c) => c.name)).toEqual(['status.get', 'audit.verify', 'status.get']);
  });

  it('a broken chain and a failed check are told apart', async () => {
    const broken = createSettingsStore({
      api: fakeApi({ 'audit.verify': () => ({ ok: false, rows: 3, badSeq: 3, reason: 'hash mismatch' }), 'status.get': () => appStatus() }).api,
    });
    await broken.getState().verifyAudit();
    expect(broken.getState().verification).toEqual({ ok: false, rows: 3, badSeq: 3, reason: 'hash mismatch' });
    expect(broken.getState().verifyError).toBeNull();

    const failing = createSettingsStore({
      api: fakeApi({
        'audit.verify': () => {
          throw new ApiError('ledger.busy', 'The ledger is busy');
        },
      }).api,
    });
    await failing.getState().verifyAudit();
    expect(failing.getState().verification).toBeNull();
    expect(failing.getState().verifyError).toMatchObject({ code: 'ledger.busy', message: 'The ledger is busy' });
    expect(failing.getState().verifying).toBe(false);
  });
});
