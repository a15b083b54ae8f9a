/**
 * The void/refund screen: its pure rules (amount parsing without floats, which action and why,
 * the terminal's answer and the receipts in words, in both languages), its store (progress from
 * the pushed events, an answer found later by QT replacing "no answer yet", its late receipts),
 * and the screen rendered to HTML in node.
 */
import fc from 'fast-check';
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../electron/contract/api.js';
import type { AuthStatus } from '../../../electron/contract/commands/auth.js';
import type { AdjustmentPreview, AdjustmentView, RechargeView } from '../../../electron/contract/commands/adjustments.js';
import type { PrintJob } from '../../../electron/contract/commands/printing.js';
import { RESPONSE_CODE_MEANINGS } from '../../../electron/domain/adjustment.js';
import {
  RC_MEANINGS,
  REFUSALS,
  adjustChoice,
  describeAdjustError,
  describeOutcome,
  describeReceipt,
  offersRecharge,
  readAdjustAmount,
  searchQuery,
  shortOutput,
} from '../../../renderer/components/adjust/adjustText.js';
import { minorToPlain } from '../../../renderer/format/money.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { AdjustScreen } from '../../../renderer/screens/AdjustScreen.js';
import { createAdjustStore, rechargeOfCharge, type AdjustState } from '../../../renderer/store/adjust.js';
import { AdjustProvider } from '../../../renderer/store/adjustContext.js';
import { createAppStore } from '../../../renderer/store/appStore.js';
import { createAuthStore } from '../../../renderer/store/auth.js';
import { AuthProvider } from '../../../renderer/store/authContext.js';
import { StoreProvider } from '../../../renderer/store/context.js';
import { createCounterStore } from '../../../renderer/store/counter.js';
import { CounterProvider } from '../../../renderer/store/counterContext.js';
import { CounterScreen } from '../../../renderer/screens/CounterScreen.js';
import { DEFAULT_COUNTER_SETTINGS } from '../../../electron/contract/counterSchemas.js';
import { deferred, fakeApi, tick } from './fakeApi.js';
import { charge } from './fixtures.js';

const en = createI18n('en').t;
const zh = createI18n('zh-CN').t;
const yuan = (minor: number) => `¥${minorToPlain(minor, 2)}`;

function preview(over: Partial<AdjustmentPreview> = {}): AdjustmentPreview {
  return {
    charge: charge({ id: 7 }),
    mode: 'void',
    why: 'open_batch',
    refusal: null,
    refundedMinor: 0,
    remainingMinor: 128000,
    minMinor: 128000,
    maxMinor: 128000,
    adjustments: [],
    incidentId: null,
    incident: null,
    recharge: null,
    rechargeOf: null,
    ...over,
  };
}

function adjustment(over: Partial<AdjustmentView> = {}): AdjustmentView {
  return {
    id: 3,
    chargeId: 7,
    kind: 'void',
    amountMinor: 128000,
    currency: '156',
    reason: 'wrong_amount',
    note: 'keyed 1280.00',
    incidentId: null,
    requestSeq: '000004',
    state: 'approved',
    rc: '00',
    trace: '000319',
    rrn: '331822000319',
    authCode: '83K2Q2',
    terminalTime: '20261123143105',
    requestedBy: 'manager:Zhang Min',
    requestedAt: '2026-11-23T06:31:00.000Z',
    resolvedAt: '2026-11-23T06:31:01.000Z',
    ...over,
  };
}

const refundChoice = (maxMinor: number) => ({ kind: 'action' as const, mode: 'refund' as const, why: 'settled' as const, partial: false, maxMinor, remainingMinor: maxMinor });

describe('the amount', () => {
  it('reads major units into integer minor units, never beyond what remains', () => {
    const refund = refundChoice(10000);
    expect(readAdjustAmount('40.00', 2, refund)).toEqual({ ok: true, minor: 4000 });
    expect(readAdjustAmount('40', 2, refund)).toEqual({ ok: true, minor: 4000 });
    expect(readAdjustAmount('0.07', 2, refund)).toEqual({ ok: true, minor: 7 });
    expect(readAdjustAmount('１００．００', 2, refund)).toEqual({ ok: true, minor: 10000 });
    expect(readAdjustAmount('100.01', 2, refund)).toEqual({ ok: false, problem: { code: 'adjust.form.beyondRemaining', maxMinor: 10000 } });
    expect(readAdjustAmount('0.00', 2, refund)).toEqual({ ok: false, problem: { code: 'adjust.form.notPositive' } });
    expect(readAdjustAmount('12.345', 2, refund)).toEqual({ ok: false, problem: { code: 'money.too_many_decimals', max: 2 } });
    expect(readAdjustAmount('-5', 2, refund)).toEqual({ ok: false, problem: { code: 'money.negative' } });
    expect(readAdjustAmount('1e3', 2, refund)).toEqual({ ok: false, problem: { code: 'money.invalid' } });
    expect(readAdjustAmount('', 2, refund)).toEqual({ ok: false, problem: { code: 'money.empty' } });
    // 0.1 + 0.2 style amounts are exact: string arithmetic only.
    expect(readAdjustAmount('0.30', 2, refundChoice(100))).toEqual({ ok: true, minor: 30 });
    // A void is the full amount whatever is typed.
    expect(readAdjustAmount('1.00', 2, { ...refund, mode: 'void', maxMinor: 128000 })).toEqual({ ok: true, minor: 128000 });
  });

  it('round-trips every amount up to the maximum exactly (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999_999 }), fc.integer({ min: 0, max: 3 }), (minor, digits) => {
        const r = readAdjustAmount(minorToPlain(minor, digits), digits, refundChoice(999_999_999_999));
        expect(r).toEqual({ ok: true, minor });
      }),
    );
  });

  it('explains a problem with the money formatted', () => {
    expect(describeAdjustError(en, { code: 'adjust.refund_beyond_remaining', message: 'x', params: { maxMinor: '6000' } }, yuan)).toBe(
      'At most ¥60.00 can be refunded.',
    );
    expect(describeAdjustError(zh, { code: 'adjust.refund_beyond_remaining', message: 'x', params: { maxMinor: '6000' } }, yuan)).toBe('最多可退 ¥60.00。');
    expect(describeAdjustError(en, { code: 'adjust.must_refund', message: 'x' }, yuan)).toBe('This charge must be refunded: its batch has been settled.');
    expect(describeAdjustError(zh, { code: 'auth.required', message: 'x' }, yuan)).toBe('只有经理可以撤销或退货，请先登录。');
  });
});

describe('which action, and why', () => {
  it('a void in the open batch, a (partial) refund once settled, or why nothing is possible', () => {
    expect(adjustChoice(preview())).toEqual({ kind: 'action', mode: 'void', why: 'open_batch', partial: false, maxMinor: 128000, remainingMinor: 128000 });
    expect(adjustChoice(preview({ mode: 'refund', why: 'settled', refundedMinor: 40000, remainingMinor: 88000, maxMinor: 88000, minMinor: 1 }))).toMatchObject({
      mode: 'refund',
      partial: true,
      maxMinor: 88000,
    });
    expect(adjustChoice(preview({ mode: null, why: null, refusal: 'fully_refunded', remainingMinor: 0 }))).toEqual({ kind: 'refused', code: 'fully_refunded' });
    expect(en('adjust.mode.void')).toBe('Void (撤销)');
    expect(zh('adjust.mode.void')).toBe('撤销');
    expect(zh('adjust.mode.refund')).toBe('退货');
    expect(zh('adjust.mode.partialRefund')).toBe('部分退货');
    expect(zh('adjust.done.remaining')).toBe('剩余可退');
    expect(zh('adjust.original.title')).toBe('原交易');
    expect(zh('adjust.form.reason')).toBe('原因');
    expect(zh('adjust.form.note')).toBe('备注');
    expect(zh('adjust.recharge.title')).toContain('补刷');
    for (const code of REFUSALS) {
      expect(en(`adjust.refused.${code}`)).not.toBe(`adjust.refused.${code}`);
      expect(zh(`adjust.refused.${code}`)).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('offers the correct amount (补刷) only after a wrong amount with an intended amount was voided', () => {
    const incident = { id: 1, kind: 'over_charge' as const, status: 'open' as const, intendedMinor: 12800, chargedMinor: 128000, relatedChargeId: null };
    expect(offersRecharge(preview({ incident }))).toBe(false);
    expect(offersRecharge(preview({ incident, charge: charge({ id: 7, status: 'voided' }) }))).toBe(true);
    expect(offersRecharge(preview({ incident: { ...incident, kind: 'duplicate_charge', intendedMinor: 0 }, charge: charge({ id: 7, status: 'voided' }) }))).toBe(false);
    expect(offersRecharge(preview({ incident: { ...incident, intendedMinor: 0 }, charge: charge({ id: 7, status: 'voided' }) }))).toBe(false);
  });

  it('searches with at least 4 characters', () => {
    expect(searchQuery(' 4321 ')).toBe('4321');
    expect(searchQuery('１２３４')).toBe('1234');
    expect(searchQuery('432')).toBeNull();
  });
});

describe("the terminal's answer in plain words", () => {
  it('has a sentence for every response code and for "no answer yet", in both languages', () => {
    for (const meaning of RC_MEANINGS) {
      const a = en(`adjust.rc.${meaning}`);
      const b = zh(`adjust.rc.${meaning}`);
      expect(a, meaning).not.toBe(`adjust.rc.${meaning}`);
      expect(b, meaning).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(Object.keys(RESPONSE_CODE_MEANINGS).sort()).toEqual(['00', '12', '13', '25', '51', '61', '94', '96', '98']);
    const said = (rc: string, t = en) => describeOutcome(t, { state: rc === '00' ? 'approved' : 'declined', rc });
    expect(said('00')).toBe('Approved by the terminal.');
    expect(said('12')).toMatch(/^Invalid transaction/);
    expect(said('13')).toMatch(/^Invalid amount/);
    expect(said('25')).toMatch(/could not locate the original charge, or never received this request/);
    expect(said('51')).toMatch(/^Insufficient funds/);
    expect(said('61')).toMatch(/^Over the limit/);
    expect(said('94')).toMatch(/^Duplicate transmission/);
    expect(said('96')).toMatch(/^System malfunction/);
    expect(said('98')).toMatch(/did not answer the terminal in time/);
    expect(said('77')).toMatch(/unknown code/);
    expect(said('25', zh)).toContain('找不到原交易');
    expect(said('13', zh)).toContain('金额无效');
    expect(describeOutcome(en, { state: 'unknown', rc: null })).toBe(
      'No answer yet — Countersign will ask the terminal (QT) when it is back, and never send it twice.',
    );
    expect(describeOutcome(zh, { state: 'unknown', rc: null })).toContain('绝不会重复发送');
  });

  it('says per copy whether it printed, or why not and that it waits for a reprint', () => {
    expect(describeReceipt(en, { state: 'printed', error: null, output: '/data/receipts/receipt-void-000319-customer-job1.pdf' })).toBe(
      'printed (receipt-void-000319-customer-job1.pdf)',
    );
    expect(shortOutput('C:\\data\\receipts\\r.pdf')).toBe('r.pdf');
    expect(shortOutput('192.168.1.87:9100')).toBe('192.168.1.87:9100');
    const failed = { state: 'failed' as const, output: null, error: { code: 'print.paper_out', message: 'x', params: { printer: '192.168.1.87:9100' } } };
    expect(describeReceipt(en, failed)).toMatch(/^not printed: The printer 192\.168\.1\.87:9100 is out of paper.* — queued for reprint$/);
    expect(describeReceipt(zh, failed)).toMatch(/^未打印：.*缺纸.*已加入重打印队列$/);
  });
});

describe('the store', () => {
  it('shows the progress from the pushed events, then "no answer yet", then the answer QT found and its late receipts', async () => {
    const answer = deferred<{ adjustment: AdjustmentView; charge: ReturnType<typeof charge>; meaning: string; receipts: [] }>();
    const fake = fakeApi({
      'adjust.preview': () => preview(),
      'adjust.recharges': () => [],
      'adjust.execute': () => answer.promise,
    });
    const store = createAdjustStore({ api: fake.api });
    store.getState().start();
    store.getState().open(7);
    expect(store.getState().openSeq).toBe(1);
    const running = store.getState().execute({ chargeId: 7, mode: 'void', amountMinor: 128000, reason: 'duplicate', note: 'second swipe' });
    expect(store.getState().step).toBe('sending');
    // Another charge's request does not move this screen.
    fake.emit({ name: 'adjustment.changed', payload: adjustment({ chargeId: 8, state: 'sent', rc: null, resolvedAt: null }) });
    expect(store.getState().step).toBe('sending');
    fake.emit({ name: 'adjustment.changed', payload: adjustment({ state: 'sent', rc: null, trace: null, resolvedAt: null }) });
    expect(store.getState().step).toBe('waiting');
    answer.resolve({ adjustment: adjustment({ state: 'unknown', rc: null, trace: null, resolvedAt: null }), charge: charge({ id: 7 }), meaning: 'no_answer_yet', receipts: [] });
    expect(await running).toBe(false);
    expect(store.getState()).toMatchObject({ step: 'answered', outcome: { adjustment: { state: 'unknown' }, receipts: [], lateReceipts: true } });

    // QT found the answer: the same request flips to approved, and its copies come from the print queue.
    fake.emit({ name: 'adjustment.changed', payload: adjustment({ resolvedAt: '2026-11-23T06:32:00.000Z' }) });
    expect(store.getState().outcome?.adjustment).toMatchObject({ state: 'approved', rc: '00' });
    const job = (id: number, copy: 'customer' | 'merchant', state: PrintJob['state']): PrintJob => ({
      id,
      kind: 'VOID',
      reprint: false,
      copy,
      locale: 'zh-CN',
      printerId: 'pdf',
      state,
      attempts: state === 'queued' ? 0 : 1,
      lastError: null,
      chargeId: 7,
      trace: '000319',
      amountMinor: 128000,
      currency: '156',
      output: state === 'printed' ? `/d/receipts/${copy}.pdf` : null,
      createdAt: '2026-11-23T06:32:00.500Z',
      printedAt: state === 'printed' ? '2026-11-23T06:32:01.000Z' : null,
      actor: 'manager:Zhang Min',
    });
    // A sale reprint of the same charge is not one of them.
    fake.emit({ name: 'printJob.changed', payload: { ...job(9, 'customer', 'printed'), kind: 'SALE', reprint: true } });
    expect(store.getState().outcome?.receipts).toEqual([]);
    fake.emit({ name: 'printJob.changed', payload: job(10, 'customer', 'queued') });
    fake.emit({ name: 'printJob.changed', payload: job(10, 'customer', 'printed') });
    fake.emit({ name: 'printJob.changed', payload: job(11, 'merchant', 'printed') });
    expect(store.getState().outcome?.receipts.map((r) => [r.copy, r.state])).toEqual([
      ['customer', 'printed'],
      ['merchant', 'printed'],
    ]);
  });

  it('keeps the answer it got, refuses a second request while one is in flight, and reports errors', async () => {
    const fake = fakeApi({
      'adjust.preview': () => preview(),
      'adjust.execute': () => ({ adjustment: adjustment(), charge: charge({ id: 7, status: 'voided' }), meaning: 'approved', receipts: [] }),
    });
    const store = createAdjustStore({ api: fake.api });
    store.getState().open(7);
    expect(await store.getState().execute({ chargeId: 7, mode: 'void', amountMinor: 128000, reason: 'duplicate', note: 'x' })).toBe(true);
    expect(store.getState().outcome).toMatchObject({ adjustment: { state: 'approved' }, lateReceipts: false });
    fake.handlers['adjust.execute'] = () => {
      throw new ApiError('adjust.already_voided', 'This charge cannot be voided or refunded now (already_voided).');
    };
    expect(await store.getState().execute({ chargeId: 7, mode: 'void', amountMinor: 128000, reason: 'duplicate', note: 'x' })).toBe(false);
    expect(store.getState()).toMatchObject({ step: null, executeError: { code: 'adjust.already_voided' } });

    // One request at a time: a second press while the first waits sends nothing.
    const held = deferred<never>();
    fake.handlers['adjust.execute'] = () => held.promise;
    const first = store.getState().execute({ chargeId: 7, mode: 'void', amountMinor: 128000, reason: 'duplicate', note: 'x' });
    expect(await store.getState().execute({ chargeId: 7, mode: 'void', amountMinor: 128000, reason: 'duplicate', note: 'x' })).toBe(false);
    expect(fake.callsTo('adjust.execute')).toHaveLength(3);
    // …and opening another charge meanwhile keeps this one on screen.
    store.getState().open(8);
    expect(store.getState().chargeId).toBe(7);
    held.reject(new ApiError('transport.lost', 'lost'));
    expect(await first).toBe(false);
  });

  it('knows which charge is the correct amount of which incident, from the list and the pushed links', async () => {
    const waiting: RechargeView = {
      id: 1,
      incidentId: 4,
      voidedChargeId: 7,
      amountMinor: 12800,
      currency: '156',
      panMasked: '622848******1234',
      state: 'waiting',
      chargeId: null,
      trace: null,
      expectedBy: 'manager:Zhang Min',
      expectedAt: '2026-11-23T06:33:00.000Z',
      linkedAt: null,
    };
    const fake = fakeApi({ 'adjust.recharges': () => [waiting] });
    const store = createAdjustStore({ api: fake.api });
    store.getState().start();
    await tick();
    expect(rechargeOfCharge(store.getState().recharges, 9)).toBeNull();
    fake.emit({ name: 'adjustment.recharge', payload: { ...waiting, state: 'linked', chargeId: 9, trace: '000320', linkedAt: '2026-11-23T06:34:00.000Z' } });
    expect(rechargeOfCharge(store.getState().recharges, 9)).toMatchObject({ incidentId: 4 });
  });
});

describe('the screen', () => {
  const manager: AuthStatus = {
    needsSetup: false,
    session: { userId: 2, name: 'Zhang Min', role: 'manager', expiresAt: new Date(Date.now() + 60_000).toISOString() },
    users: [],
  };

  function paint(state: Partial<AdjustState>, { locale = 'en' as 'en' | 'zh-CN', auth = manager as AuthStatus | null } = {}): string {
    const app = createAppStore({ api: fakeApi().api, locale });
    const authStore = createAuthStore({ api: null });
    authStore.setState({ status: auth });
    authStore.getInitialState = authStore.getState;
    const store = createAdjustStore({ api: null });
    store.setState({ chargeId: 7, ...state });
    store.getInitialState = store.getState;
    return renderToString(
      <I18nextProvider i18n={createI18n(locale)}>
        <StoreProvider store={app}>
          <AuthProvider store={authStore}>
            <AdjustProvider store={store}>
              <AdjustScreen />
            </AdjustProvider>
          </AuthProvider>
        </StoreProvider>
      </I18nextProvider>,
    );
  }
  const count = (html: string, id: string) => html.split(`data-testid="${id}"`).length - 1;

  it('asks for the manager first', () => {
    const html = paint({ preview: preview() }, { auth: { needsSetup: false, session: null, users: [] } });
    expect(count(html, 'adjust-needs-manager')).toBe(1);
    expect(count(html, 'adjust-form')).toBe(0);
  });

  it('a void: the original charge, its incident, the mode and why, the full amount', () => {
    const incident = { id: 1, kind: 'over_charge' as const, status: 'open' as const, intendedMinor: 12800, chargedMinor: 128000, relatedChargeId: null };
    const html = paint({ preview: preview({ incident, incidentId: 1 }) });
    expect(html).toContain('data-testid="adjust-mode" data-mode="void"');
    expect(html).toContain('Void (撤销)');
    expect(html).toContain('open batch');
    expect(html).toContain('Incident #1 · overcharge');
    expect(html).toContain('should have been ¥128.00');
    expect(html).toContain('¥1,280.00');
    expect(html).toContain('value="1280.00"');
    expect(count(html, 'adjust-rest')).toBe(0);
    expect(count(html, 'adjust-recharge')).toBe(0);
  });

  it('a refund after an earlier partial refund, in Chinese', () => {
    const html = paint(
      {
        preview: preview({
          mode: 'refund',
          why: 'settled',
          refundedMinor: 40000,
          remainingMinor: 88000,
          maxMinor: 88000,
          minMinor: 1,
          adjustments: [adjustment({ kind: 'refund', amountMinor: 40000 })],
        }),
      },
      { locale: 'zh-CN' },
    );
    expect(html).toContain('data-mode="refund"');
    expect(html).toContain('部分退货');
    expect(html).toContain('剩余可退');
    expect(html).toContain('¥880.00');
    expect(html).toContain('退剩余金额（¥880.00）');
    expect(html).toContain('原交易');
  });

  it('the answer, the new references and each copy; a refusal; the correct-amount offer', () => {
    const incident = { id: 1, kind: 'over_charge' as const, status: 'open' as const, intendedMinor: 12800, chargedMinor: 128000, relatedChargeId: null };
    const html = paint({
      preview: preview({ mode: null, why: null, refusal: 'already_voided', incident, incidentId: 1, charge: charge({ id: 7, status: 'voided' }) }),
      step: 'answered',
      outcome: {
        adjustment: adjustment(),
        lateReceipts: false,
        receipts: [
          { jobId: 1, copy: 'customer', printerId: 'pdf', state: 'printed', error: null, output: '/d/receipts/c.pdf', paperLow: false },
          { jobId: 2, copy: 'merchant', printerId: 'p', state: 'failed', error: { code: 'print.paper_out', message: 'x', params: { printer: 'P1' } }, output: null, paperLow: false },
        ],
      },
    });
    expect(html).toContain('data-testid="adjust-outcome" data-state="approved" data-rc="00"');
    expect(html).toContain('New trace 000319 · RRN 331822000319 · auth code 83K2Q2');
    expect(count(html, 'adjust-receipt')).toBe(2);
    expect(html).toContain('data-copy="merchant" data-state="failed"');
    expect(html).toContain('queued for reprint');
    expect(html).toContain('data-testid="adjust-refused" data-code="already_voided"');
    expect(html).toContain('data-testid="adjust-recharge" data-state="offer"');
    expect(html).toContain('Ask the cashier to key ¥128.00 on the terminal');
  });
});

describe('the counter and History open it', () => {
  const managerIn: AuthStatus = {
    needsSetup: false,
    session: { userId: 2, name: 'Zhang Min', role: 'manager', expiresAt: new Date(Date.now() + 60_000).toISOString() },
    users: [],
  };
  const linked: RechargeView = {
    id: 1,
    incidentId: 4,
    voidedChargeId: 3,
    amountMinor: 12800,
    currency: '156',
    panMasked: '622848******1234',
    state: 'linked',
    chargeId: 1,
    trace: '000318',
    expectedBy: 'manager:Zhang Min',
    expectedAt: '2026-11-23T06:33:00.000Z',
    linkedAt: '2026-11-23T06:34:00.000Z',
  };

  function paintCounter(auth: AuthStatus, managerRequest: { chargeId: number | null } | null, locale: 'en' | 'zh-CN' = 'en'): string {
    const app = createAppStore({ api: fakeApi().api, locale });
    app.setState({ queue: [charge({ id: 1, amountMinor: 12800 })], currentId: 1, queueLoaded: true });
    app.getInitialState = app.getState;
    const authStore = createAuthStore({ api: null });
    authStore.setState({ status: auth });
    authStore.getInitialState = authStore.getState;
    const counter = createCounterStore({ api: null });
    counter.setState({ settings: DEFAULT_COUNTER_SETTINGS, managerRequest });
    counter.getInitialState = counter.getState;
    const adjust = createAdjustStore({ api: null });
    adjust.setState({ recharges: { 1: linked } });
    adjust.getInitialState = adjust.getState;
    return renderToString(
      <I18nextProvider i18n={createI18n(locale)}>
        <StoreProvider store={app}>
          <AuthProvider store={authStore}>
            <CounterProvider store={counter}>
              <AdjustProvider store={adjust}>
                <CounterScreen />
              </AdjustProvider>
            </CounterProvider>
          </AuthProvider>
        </StoreProvider>
      </I18nextProvider>,
    );
  }
  const count = (html: string, id: string) => html.split(`data-testid="${id}"`).length - 1;

  it('the counter: a Void / refund action beside flag and manager; the M call answered by a manager offers it; the 补刷 chip', () => {
    const html = paintCounter(managerIn, { chargeId: 1 });
    expect(count(html, 'adjust-open')).toBe(1);
    expect(count(html, 'manager-here')).toBe(1);
    expect(count(html, 'manager-adjust')).toBe(1);
    expect(count(html, 'manager-needed')).toBe(0);
    expect(html).toContain('Correct amount · linked to incident #4');
    // Nobody signed in yet: the call waits for a manager.
    const waiting = paintCounter({ needsSetup: false, session: null, users: [] }, { chargeId: 1 });
    expect(count(waiting, 'manager-needed')).toBe(1);
    expect(count(waiting, 'manager-adjust')).toBe(0);
    const zhHtml = paintCounter(managerIn, { chargeId: 1 }, 'zh-CN');
    expect(zhHtml).toContain('撤销/退货');
    expect(zhHtml).toContain('补刷 · 已关联到事件 #4');
  });
});
