/**
 * Smoke test of the real components, rendered to HTML in node (no DOM needed). Effects do not
 * run here, so this checks what the first paint shows: test ids, texts, both languages.
 */
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import type { AppStatus } from '../../../electron/contract/schemas.js';
import { App } from '../../../renderer/App.js';
import type { Tab } from '../../../renderer/components/TopBar.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { createAppStore } from '../../../renderer/store/appStore.js';
import type { AppState, Locale } from '../../../renderer/store/appStore.js';
import { StoreProvider } from '../../../renderer/store/context.js';
import { fakeApi } from './fakeApi.js';
import { charge, status, today } from './fixtures.js';

const flagged = charge({
  id: 1,
  flags: [
    { kind: 'digit_slip', params: { slip: 'times10', intendedMinor: 12800 } },
    { kind: 'possible_duplicate', params: {} },
  ],
});

function render(state: Partial<AppState>, { locale = 'en' as Locale, tab = 'counter' as Tab } = {}): string {
  const store = createAppStore({ api: fakeApi().api, locale });
  store.setState({
    status: status(),
    queue: [flagged, charge({ id: 2, trace: '000319', amountMinor: 12800 })],
    currentId: 1,
    queueLoaded: true,
    today: today(),
    ...state,
  });
  // Server rendering reads zustand's initial state; make it the state set above.
  store.getInitialState = store.getState;
  return renderToString(
    <I18nextProvider i18n={createI18n(locale)}>
      <StoreProvider store={store}>
        <App initialTab={tab} />
      </StoreProvider>
    </I18nextProvider>,
  );
}

/** Text content of the first element carrying data-testid="id" (balanced over nested tags). */
function text(html: string, id: string): string | null {
  const attr = html.indexOf(`data-testid="${id}"`);
  if (attr === -1) return null;
  const open = html.lastIndexOf('<', attr);
  const tag = /^<([a-z0-9]+)/.exec(html.slice(open))![1]!;
  const tags = new RegExp(`<(/?)${tag}\\b[^>]*>`, 'g');
  tags.lastIndex = open;
  let depth = 0;
  let end = -1;
  for (let m = tags.exec(html); m; m = tags.exec(html)) {
    depth += m[1] ? -1 : 1;
    if (depth === 0) {
      end = m.index + m[0].length;
      break;
    }
  }
  return html
    .slice(open, end)
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&#x27;/g, "'");
}

const count = (html: string, id: string) => html.split(`data-testid="${id}"`).length - 1;

describe('rendered screens', () => {
  it('counter: the charge on screen, with every required test id', () => {
    const html = render({});
    for (const id of ['counter-screen', 'nav-counter', 'nav-history', 'locale-switch', 'link-state', 'sim-panel', 'sim-amount-input', 'sim-charge-button', 'sim-toggle', 'today-panel', 'confirm-button', 'counter-card', 'counter-trace']) {
      expect(count(html, id), id).toBe(1);
    }
    expect(text(html, 'counter-amount')).toBe('¥1,280.00');
    expect(text(html, 'counter-card')).toBe('UnionPay Debit622848******1234');
    expect(text(html, 'counter-trace')).toBe('000027 / 000318');
    expect(text(html, 'queue-count')).toBe('1 of 2 waiting');
    expect(text(html, 'counter-time')).toBe('Nov 23, 2026, 14:30:05');
    expect(text(html, 'counter-entry-mode')).toBe('Chip');
    expect(count(html, 'counter-flag')).toBe(2);
    expect(html).toContain('Ten times the till&#x27;s ¥128.00 — an extra zero was probably keyed.');
    // Params missing: the general sentence, never a raw placeholder.
    expect(html).toContain('Same card and amount as another recent charge');
    expect(html).not.toContain('{{');
    expect(text(html, 'link-state')).toBe('Simulator connected');
    // Shown on an empty screen: live at once (the hold-off is for one charge replacing another).
    expect(html).not.toMatch(/<button[^>]*data-testid="confirm-button"[^>]*disabled=""/);
    expect(html).not.toContain('<style');
  });

  it('counter in Chinese', () => {
    const html = render({ locale: 'zh-CN' }, { locale: 'zh-CN' });
    expect(text(html, 'queue-count')).toBe('第 1 笔，共 2 笔待确认');
    expect(text(html, 'confirm-button')).toBe('确认');
    expect(text(html, 'counter-time')).toBe('2026年11月23日 14:30:05');
    expect(text(html, 'link-state')).toBe('模拟器已连接');
    expect(html).toContain('是收银机金额 ¥128.00 的 10 倍——可能多输了一个 0。');
  });

  it('empty state when nothing waits; no simulator panel when it is off', () => {
    const html = render({ queue: [], currentId: null, status: status({ simulator: false }) });
    expect(text(html, 'counter-empty')).toContain('All charges confirmed');
    expect(count(html, 'confirm-button')).toBe(0);
    expect(count(html, 'sim-panel')).toBe(0);
    expect(count(html, 'sim-toggle')).toBe(1);
  });

  it('errors from the core in the user language, with a fallback to the server message', () => {
    const zh = render({ lastError: { code: 'charge.not_pending', message: 'charge 1 is confirmed' } }, { locale: 'zh-CN' });
    expect(text(zh, 'error-banner')).toContain('该笔交易已不在待确认状态');
    const unknown = render({ lastError: { code: 'printer.paper_out', message: 'Printer is out of paper' } });
    expect(text(unknown, 'error-banner')).toContain('Printer is out of paper');
  });

  it.each<[string, Partial<AppStatus>, string]>([
    ['terminal', { simulator: false, link: { kind: 'connected', backend: 'node-hid', device: 'hidraw3' } }, 'Terminal connected'],
    ['reconnecting', { link: { kind: 'reconnecting', backend: 'node-hid', attempt: 3, nextRetryMs: 4000, reason: 'unplugged' } }, 'Reconnecting… (attempt 3)unplugged'],
    ['unavailable', { link: { kind: 'unavailable', backend: 'node-hid', reason: 'libusb missing' } }, 'node-hid unavailable: libusb missing — using the simulator'],
    ['sim fallback', { nodeHidProblem: 'libusb missing' }, 'Simulator connectednode-hid unavailable: libusb missing — using the simulator'],
  ])('link badge: %s', (_, overrides, expected) => {
    expect(text(render({ status: status(overrides) }), 'link-state')).toBe(expected);
  });

  it('says when the core itself is being reconnected', () => {
    const html = render({ connection: { kind: 'reconnecting', attempt: 2, nextRetryMs: 1000 } });
    expect(text(html, 'core-connection')).toBe('Reconnecting to Countersign core… (attempt 2, next try in 1 s)');
  });

  it('history: screen and filter bar', () => {
    const html = render({}, { tab: 'history' });
    for (const id of ['history-screen', 'history-status', 'history-flagged', 'history-last4', 'history-from', 'history-to', 'history-min', 'history-max', 'history-list']) {
      expect(count(html, id), id).toBe(1);
    }
    expect(count(html, 'counter-screen')).toBe(0);
  });
});
