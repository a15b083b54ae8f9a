/**
 * What the durability notices say on screen, in both languages: a full disk (the core's code falls
 * back to the error text), space again, a restore (with what may be missing since when), damage found.
 */
import { describe, expect, it, vi } from 'vitest';
import type { AppStatus } from '../../../electron/contract/schemas.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { createAppStore } from '../../../renderer/store/appStore.js';
import { fakeApi } from '../renderer/fakeApi.js';
import { status, today } from '../renderer/fixtures.js';
import { translateToast } from '../../../renderer/i18n/translate.js';
import type { Toast } from '../../../renderer/store/appStore.js';

const toast = (code: string, params: Record<string, string> = {}): Toast => ({ id: 1, level: 'error', code, params });
const CODES = ['db.disk_full', 'db.disk_ok', 'ledger.restored', 'ledger.restore_none', 'ledger.damaged', 'backup.failed'];

describe('durability notices', () => {
  for (const locale of ['en', 'zh-CN'] as const) {
    const t = createI18n(locale).t;
    it(`every code has its own sentence (${locale})`, () => {
      for (const code of CODES) {
        const text = translateToast(t, toast(code, { setAside: 'countersign.db.corrupt-X', backup: 'daily-Y.db', backupTakenAt: '2026-07-01T06:00:00.000Z', reason: 'db.disk_full' }));
        expect(text, code).not.toBe(t('notices.unknown', { code }));
        expect(text, code).not.toMatch(/\{\{|notices\.|errors\./);
      }
    });
  }

  it('a restore names the file set aside and the time after which records may be missing', () => {
    const en = createI18n('en').t;
    const zh = createI18n('zh-CN').t;
    const params = { setAside: 'countersign.db.corrupt-20260701T080000000Z', backup: 'daily-20260701T060000000Z.db', backupTakenAt: '2026-07-01T06:00:00.000Z' };
    expect(translateToast(en, toast('ledger.restored', params))).toContain('countersign.db.corrupt-20260701T080000000Z');
    expect(translateToast(en, toast('ledger.restored', params))).toMatch(/2026-07-01T06:00:00.000Z was restored\. Anything recorded after that time may be missing/);
    expect(translateToast(zh, toast('ledger.restored', params))).toContain('2026-07-01T06:00:00.000Z 的备份');
    expect(translateToast(en, toast('db.disk_full'))).toBe(en('errors.db.disk_full'));
  });
});

describe('the screen shows what the ledger health says, once', () => {
  const restored: AppStatus['ledger'] = {
    check: 'full',
    recovery: { at: '2026-07-01T08:00:00.000Z', setAside: 'countersign.db.corrupt-X', backupFile: 'daily-Y.db', backupTakenAt: '2026-07-01T06:00:00.000Z' },
    lastBackupAt: '2026-07-01T06:00:00.000Z',
    diskFull: false,
  };

  async function screen(ledger: AppStatus['ledger']) {
    const fake = fakeApi({ 'status.get': () => status({ ledger }), 'charges.queue': () => [], 'charges.today': () => today() });
    const store = createAppStore({ api: fake.api });
    const stop = store.getState().start();
    await vi.waitFor(() => expect(store.getState().status).not.toBeNull(), { interval: 2 });
    return { fake, store, stop };
  }

  it('a restore at start is a toast even when its notice went out before the screen listened (Electron)', async () => {
    const { store, stop } = await screen(restored);
    expect(store.getState().toasts.map((t) => [t.code, t.params])).toEqual([
      ['ledger.restored', { setAside: 'countersign.db.corrupt-X', backup: 'daily-Y.db', backupTakenAt: '2026-07-01T06:00:00.000Z' }],
    ]);
    await store.getState().refreshAll();
    expect(store.getState().toasts).toHaveLength(1); // not again on every status refresh
    stop();
  });

  it('no double when the notice arrived first (browser host), and damage found later is shown', async () => {
    const { fake, store, stop } = await screen(undefined);
    fake.emit({ name: 'notice', payload: { level: 'error', code: 'ledger.restored', params: {} } });
    fake.handlers['status.get'] = () => status({ ledger: { ...restored!, check: 'damaged' } });
    await store.getState().refreshAll();
    expect(store.getState().toasts.map((t) => t.code)).toEqual(['ledger.restored', 'ledger.damaged']);
    stop();
  });
});
