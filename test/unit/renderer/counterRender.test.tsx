/**
 * The counter's new states rendered to HTML in node (first paint, no effects): blind re-key, the
 * red mismatch, the flag dialog, "manager needed", the Today panel's extra rows and the Batch
 * screen, in English and Chinese.
 */
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COUNTER_SETTINGS, type BatchStatus, type Incident } from '../../../electron/contract/counterSchemas.js';
import { App } from '../../../renderer/App.js';
import type { Tab } from '../../../renderer/components/TopBar.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { createAppStore, type AppState, type Locale } from '../../../renderer/store/appStore.js';
import { StoreProvider } from '../../../renderer/store/context.js';
import { createCounterStore, type CounterState } from '../../../renderer/store/counter.js';
import { CounterProvider } from '../../../renderer/store/counterContext.js';
import { fakeApi } from './fakeApi.js';
import { charge, status, today } from './fixtures.js';

const slip = charge({
  id: 1,
  amountMinor: 128000,
  flags: [
    { kind: 'rekey_mismatch', params: { rekeyedMinor: 12800, differenceMinor: 115200 } },
    { kind: 'digit_slip', params: { slip: 'times10', intendedMinor: 12800 } },
  ],
});

const incident: Incident = {
  id: 3,
  kind: 'over_charge',
  status: 'open',
  cause: 'operator_error',
  note: null,
  chargeId: 2,
  relatedChargeId: null,
  settlementId: null,
  currency: '156',
  chargedMinor: 128000,
  intendedMinor: 12800,
  differenceMinor: 115200,
  terminalId: '10293847',
  batch: '000027',
  trace: '000319',
  rrn: '331822000319',
  authCode: '83K2Q1',
  panMasked: '622848******1234',
  details: null,
  createdBy: 'cashier',
  createdAt: '2026-11-23T06:40:00.000Z',
  updatedAt: '2026-11-23T06:40:00.000Z',
  resolvedBy: null,
  resolvedAt: null,
  resolution: null,
  resolutionNote: null,
};

const batch: BatchStatus = {
  batch: '000027',
  terminalId: '10293847',
  currency: '156',
  totals: { sales: { count: 3, amountMinor: 268800 }, voids: { count: 0, amountMinor: 0 }, refunds: { count: 0, amountMinor: 0 } },
  confirmed: 1,
  pending: 1,
  flagged: 1,
  blockers: [
    { kind: 'unconfirmed', charge: charge({ id: 1 }) },
    { kind: 'flagged', charge: charge({ id: 2, trace: '000319', status: 'flagged' }), incident },
  ],
  inDoubtSeq: null,
  lastSettlement: null,
};

function render(app: Partial<AppState>, counter: Partial<CounterState>, { locale = 'en' as Locale, tab = 'counter' as Tab } = {}): string {
  const store = createAppStore({ api: fakeApi().api, locale });
  store.setState({ status: status(), queue: [charge({ id: 1 })], currentId: 1, queueLoaded: true, today: today(), ...app });
  store.getInitialState = store.getState;
  const counterStore = createCounterStore({ api: null });
  counterStore.setState({ settings: DEFAULT_COUNTER_SETTINGS, batch, ...counter });
  counterStore.getInitialState = counterStore.getState;
  return renderToString(
    <I18nextProvider i18n={createI18n(locale)}>
      <StoreProvider store={store}>
        <CounterProvider store={counterStore}>
          <App initialTab={tab} />
        </CounterProvider>
      </StoreProvider>
    </I18nextProvider>,
  );
}

/** Text of the first element carrying data-testid="id" (balanced over nested tags). */
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
const blind = { ...DEFAULT_COUNTER_SETTINGS, blindRekey: true };

describe('counter: blind re-key', () => {
  it('hides the amount and asks for the till total; Confirm is off', () => {
    const html = render({ queue: [charge({ id: 1, amountMinor: 128000 })] }, { settings: blind });
    expect(text(html, 'counter-amount')).toBe('Amount hidden');
    const article = html.slice(html.indexOf('<article'), html.indexOf('</article>'));
    expect(article).toContain('Amount hidden');
    expect(article).not.toContain('1,280.00');
    expect(count(html, 'rekey-input')).toBe(1);
    expect(count(html, 'rekey-submit')).toBe(1);
    expect(html).toMatch(/<button[^>]*data-testid="confirm-button"[^>]*disabled=""/);
    expect(text(html, 'queue-count')).toBe('1 of 1 waiting');
  });

  it('a match shows the amount and lets Enter confirm', () => {
    const html = render({ queue: [charge({ id: 1, amountMinor: 128000 })] }, { settings: blind, rekeys: { 1: { chargeId: 1, rekeyedMinor: 128000, match: true } } });
    expect(text(html, 'counter-amount')).toBe('¥1,280.00');
    expect(text(html, 'rekey-match')).toContain('press Enter to confirm');
    expect(count(html, 'rekey-input')).toBe(0);
    expect(html).not.toMatch(/<button[^>]*data-testid="confirm-button"[^>]*disabled=""/);
  });

  it('a mismatch turns the screen red, explains both amounts, and offers flag and manager', () => {
    const html = render({ queue: [slip] }, { settings: blind });
    expect(html).toContain('charge--mismatch');
    expect(text(html, 'counter-mismatch')).toContain('The terminal charged ¥1,280.00, the till says ¥128.00');
    expect(html).toContain('Ten times the till&#x27;s ¥128.00');
    expect(count(html, 'mismatch-flag')).toBe(1);
    expect(count(html, 'mismatch-manager')).toBe(1);
    expect(html).toMatch(/<button[^>]*data-testid="confirm-button"[^>]*disabled=""/);
  });

  it('in Chinese', () => {
    const html = render({ queue: [slip], locale: 'zh-CN' }, { settings: blind }, { locale: 'zh-CN' });
    expect(text(html, 'counter-mismatch')).toContain('终端实收 ¥1,280.00，收银机为 ¥128.00');
    expect(text(html, 'flag-button')).toContain('标记');
    expect(html).toContain('与收银机金额不符');
    const hidden = render({ locale: 'zh-CN' }, { settings: blind }, { locale: 'zh-CN' });
    expect(text(hidden, 'counter-amount')).toBe('金额已隐藏');
  });
});

describe('counter: flag dialog, manager call, today', () => {
  it('the flag dialog asks the intended amount (prefilled), the cause and a note', () => {
    const html = render({ queue: [slip] }, { flagDraft: { chargeId: 1, intendedMinor: 12800 } });
    for (const id of ['flag-dialog', 'flag-intended', 'flag-cause', 'flag-note', 'flag-submit']) expect(count(html, id), id).toBe(1);
    expect(html).toMatch(/data-testid="flag-intended"[^>]*value="128.00"/);
    expect(text(html, 'flag-difference')).toBe('Difference: ¥1,152.00 more than intended');
    expect(text(html, 'flag-cause')).toContain('Keying error');
    expect(text(html, 'flag-cause')).toContain('Suspected fraud');
  });

  it('"Manager needed" shows while the call is open', () => {
    expect(text(render({}, { managerRequest: { chargeId: 1 } }), 'manager-needed')).toContain('Manager needed');
    expect(count(render({}, {}), 'manager-needed')).toBe(0);
  });

  it('today: voided and refunded rows and the open batch with what blocks it', () => {
    const html = render({ today: today({ voided: { count: 2, amountMinor: 5000 }, refunded: { count: 1, amountMinor: 300 } }) }, {});
    expect(text(html, 'today-voided')).toBe('Voided2¥50.00');
    expect(text(html, 'today-refunded')).toBe('Refunded1¥3.00');
    expect(text(html, 'today-batch')).toBe('Open batch000027 · 3 charges2 to clear before settling');
    const zh = render({ locale: 'zh-CN' }, {}, { locale: 'zh-CN' });
    expect(text(zh, 'today-voided')).toContain('已撤销');
    expect(text(zh, 'today-batch')).toContain('当前批次');
  });
});

describe('batch screen', () => {
  it('lists the blockers (with the incident and intended amount), totals, and Settle', () => {
    const html = render({}, {}, { tab: 'batch' });
    expect(count(html, 'nav-batch')).toBe(1);
    expect(count(html, 'batch-screen')).toBe(1);
    expect(count(html, 'batch-blocker-row')).toBe(2);
    expect(html).toContain('data-incident-kind="over_charge"');
    expect(html.replace(/<!-- -->/g, '')).toContain('Flagged — incident #3 is open · should have been ¥128.00 (Keying error)');
    expect(text(html, 'settle-button')).toBe('Settle batch');
    expect(text(html, 'batch-totals')).toContain('¥2,688.00');
    expect(count(html, 'settings-blind-rekey')).toBe(1);
  });

  it('a mismatched settlement shows both sets of figures and the incident, in both languages', () => {
    const t = { count: 2, amountMinor: 25600 };
    const l = { count: 1, amountMinor: 12800 };
    const zero = { count: 0, amountMinor: 0 };
    const settleResult = {
      settlementId: 1,
      batch: '000027',
      nextBatch: '000028',
      terminalId: '10293847',
      currency: '156',
      settledBy: 'owner:Lin Wei',
      settledAt: '2026-11-23T10:00:00.000Z',
      requestSeq: '000004',
      rows: [
        { category: 'sales' as const, terminal: t, ledger: l, countDifference: 1, amountDifference: 12800, matched: false },
        { category: 'voids' as const, terminal: zero, ledger: zero, countDifference: 0, amountDifference: 0, matched: true },
        { category: 'refunds' as const, terminal: zero, ledger: zero, countDifference: 0, amountDifference: 0, matched: true },
      ],
      netTerminalMinor: 25600,
      netLedgerMinor: 12800,
      matched: false,
      incidentId: 7,
    };
    const html = render({}, { settleResult, batch: { ...batch, blockers: [] } }, { tab: 'batch' });
    expect(text(html, 'settle-mismatch')).toContain('Incident #7 was opened');
    expect(text(html, 'settle-result')).toContain('+¥128.00');
    expect(html).toContain('data-matched="false"');
    const zh = render({ locale: 'zh-CN' }, { settleResult, batch: { ...batch, blockers: [] } }, { tab: 'batch', locale: 'zh-CN' });
    expect(text(zh, 'settle-mismatch')).toContain('已建立事件 #7');
    expect(text(zh, 'settle-result')).toContain('消费');
  });
});
