/**
 * What the durability notices say on screen, in both languages: a full disk (the core's code falls
 * back to the error text), space again, a restore (with what may be missing since when), damage found.
 */
import { describe, expect, it } from 'vitest';
import { createI18n } from '../../../renderer/i18n/index.js';
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
