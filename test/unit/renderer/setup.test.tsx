/**
 * The setup wizard's texts and first paint: every message the core can answer exists in both
 * languages, and the connection test is told in words (round trip, or which failure).
 */
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import { ConnectionTestFailure, TerminalChoice } from '../../../electron/contract/commands/setup.js';
import type { ConnectionTest } from '../../../electron/contract/commands/setup.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { mergedTranslations } from '../../../renderer/i18n/bundles.js';
import { SETUP_ERROR_KEYS, SETUP_STEPS, describeConnectionTest, describeSetupError, describeTerminalFields, formatSize } from '../../../renderer/components/setup/setupText.js';
import { SetupWizard } from '../../../renderer/components/setup/SetupWizard.js';
import { createAuthStore } from '../../../renderer/store/auth.js';
import { AuthProvider } from '../../../renderer/store/authContext.js';

function has(tree: Record<string, unknown>, key: string): boolean {
  let node: unknown = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' && node.length > 0;
}

const base: ConnectionTest = {
  ok: true,
  seq: '000042',
  ms: 37,
  rc: '25',
  failure: null,
  detail: null,
  backend: 'simulator',
  device: 'simulated terminal',
  terminalStatus: 'IDLE',
  paper: 'LOW',
  statusAt: '2026-03-10T02:00:00.000Z',
  terminalId: '10293847',
};

describe('setup texts', () => {
  const keys = [
    ...SETUP_ERROR_KEYS,
    ...SETUP_STEPS.flatMap((s) => [`setup.steps.${s}`, `setup.intro.${s}`]),
    ...ConnectionTestFailure.options.map((f) => `setup.terminal.test.failure.${f}`),
    ...TerminalChoice.options.map((c) => `setup.terminal.choices.${c}`),
    ...['pdf', 'escpos-tcp', 'escpos-device', 'system'].map((k) => `setup.printer.kinds.${k}`),
    ...['name', 'address', 'phone', 'taxId', 'currency', 'locale'].map((f) => `setup.shop.invalid.${f}`),
  ];
  for (const locale of ['en', 'zh-CN'] as const) {
    it(`every key the code builds exists (${locale})`, () => {
      const tree = mergedTranslations(locale);
      expect(keys.filter((k) => !has(tree, k))).toEqual([]);
    });
  }

  it('a round trip is told with its time, query and answer; each failure by name', () => {
    const t = createI18n('en').t;
    expect(describeConnectionTest(t, base)).toBe('The terminal answers. Sent → answered in 37 ms (query 000042, answer code 25).');
    expect(describeTerminalFields(t, base)).toBe('Terminal ID 10293847 · status IDLE, paper LOW');
    const timeout = describeConnectionTest(t, { ...base, ok: false, rc: null, failure: 'timeout', ms: 5000, detail: 'no answer within 5000 ms' });
    expect(timeout).toMatch(/timeout/);
    expect(timeout).toMatch(/5000 ms/);
    expect(describeConnectionTest(t, { ...base, ok: false, failure: 'nak', detail: 'link: no ACK' })).toMatch(/NAK/);
    expect(describeConnectionTest(t, { ...base, ok: false, failure: 'unplugged', detail: 'device disconnected' })).toMatch(/unplugged/);
    expect(describeTerminalFields(t, { ...base, terminalId: null, terminalStatus: null })).toBe('Terminal ID not known until its first charge · no status message received yet');
    const zh = createI18n('zh-CN').t;
    expect(describeConnectionTest(zh, base)).toBe('终端应答正常。已发送 → 37 毫秒后收到应答（查询 000042，应答码 25）。');
  });

  it('a backup folder the boundary refuses (a relative path) is told as what to type, not as "invalid request"', () => {
    const refused = { code: 'validation.failed', message: 'Invalid input for setup.setBackupFolder: folder: must be absolute', params: { command: 'setup.setBackupFolder', detail: 'folder: must be absolute' } };
    expect(describeSetupError(createI18n('en').t, refused)).toMatch(/^Type the folder's full path: starting with \/ /);
    expect(describeSetupError(createI18n('zh-CN').t, refused)).toMatch(/^请输入文件夹的完整路径/);
    // Other commands keep the general sentence.
    expect(describeSetupError(createI18n('en').t, { ...refused, params: { command: 'setup.saveShop', detail: 'x' } })).toBe('The core rejected the request as invalid.');
  });

  it('sizes in short units', () => {
    expect(formatSize(512, 'en')).toBe('512 B');
    expect(formatSize(1536, 'en')).toBe('1.5 KB');
    expect(formatSize(5 * 1024 * 1024, 'en')).toBe('5 MB');
  });

  it('first paint on a fresh install: step 1 of 6, later steps locked until the owner exists', () => {
    const store = createAuthStore({ api: null });
    store.setState({ status: { needsSetup: true, session: null, users: [] } });
    store.getInitialState = store.getState;
    const html = renderToString(
      <I18nextProvider i18n={createI18n('zh-CN')}>
        <AuthProvider store={store}>
          <SetupWizard />
        </AuthProvider>
      </I18nextProvider>,
    );
    expect(html).toContain('第 1 步，共 6 步');
    expect(html).toContain('店主和经理');
    expect(html).toMatch(/data-testid="setup-step-shop"[^>]*disabled|disabled[^>]*data-testid="setup-step-shop"/);
    expect(html).toMatch(/aria-current="step"[^>]*data-testid="setup-step-accounts"|data-testid="setup-step-accounts"[^>]*aria-current="step"/);
  });
});
