/**
 * The incident screens rendered to HTML in node (first paint) in English and Chinese, the SVG
 * chart (no inline styles: the CSP), and the incidents store against a scripted API.
 */
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import type { IncidentDashboard, IncidentDetail, IncidentSummary } from '../../../electron/contract/commands/incidents.js';
import { IncidentDetail as IncidentDetailSchema } from '../../../electron/contract/commands/incidents.js';
import { IncidentChart, niceMax } from '../../../renderer/components/incidents/IncidentChart.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { IncidentsScreen, buildIncidentFilter } from '../../../renderer/screens/IncidentsScreen.js';
import { createAppStore, type Locale } from '../../../renderer/store/appStore.js';
import { StoreProvider } from '../../../renderer/store/context.js';
import { EMPTY_FILTER_FORM, createIncidentsStore, upsertIncident, type IncidentsState } from '../../../renderer/store/incidents.js';
import { IncidentsProvider } from '../../../renderer/store/incidentsContext.js';
import { fakeApi } from './fakeApi.js';
import { status, today } from './fixtures.js';

function summary(over: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    id: 7,
    kind: 'over_charge',
    status: 'held_in_suspense',
    cause: 'operator_error',
    chargeId: 2,
    currency: '156',
    chargedMinor: 128000,
    intendedMinor: 12800,
    differenceMinor: 115200,
    owedMinor: 115200,
    returnedMinor: 15200,
    suspenseMinor: 100000,
    outstandingMinor: 0,
    terminalId: '10293847',
    batch: '000027',
    trace: '000319',
    rrn: '331822000319',
    panMasked: '622848******1234',
    proposal: 'partial_refund',
    proposalMinor: 115200,
    contactMasked: '王** · 138****5678',
    createdBy: 'cashier',
    createdAt: '2026-11-23T06:40:00.000Z',
    updatedAt: '2026-11-23T07:40:00.000Z',
    closedAt: null,
    ...over,
  };
}

function detail(over: Partial<IncidentDetail> = {}): IncidentDetail {
  return IncidentDetailSchema.parse({
    ...summary(),
    note: 'flagged at the counter',
    relatedChargeId: null,
    settlementId: null,
    merchantId: '898310058120001',
    authCode: '83K2Q1',
    details: null,
    resolvedBy: 'manager:Li Na',
    resolvedAt: '2026-11-23T07:00:00.000Z',
    resolution: 'partial_refund',
    proposalNote: 'refund the extra',
    rejectionReason: null,
    contact: null,
    rootCause: null,
    prevention: null,
    preventionNote: null,
    reopenedCount: 0,
    hasCustomer: true,
    events: [
      { id: 1, at: '2026-11-23T06:40:00.000Z', actor: 'cashier', action: 'opened', fromStatus: null, toStatus: 'open', amountMinor: 128000, note: null, data: {} },
      { id: 2, at: '2026-11-23T06:50:00.000Z', actor: 'cashier', action: 'contact_attempt', fromStatus: null, toStatus: null, amountMinor: null, note: null, data: { channel: 'phone', outcome: 'no_answer' } },
      { id: 3, at: '2026-11-23T07:00:00.000Z', actor: 'manager:Li Na', action: 'mark_unreachable', fromStatus: 'approved', toStatus: 'held_in_suspense', amountMinor: 115200, note: 'two calls', data: {} },
      { id: 4, at: '2026-11-23T07:40:00.000Z', actor: 'manager:Li Na', action: 'pay_out', fromStatus: 'held_in_suspense', toStatus: 'held_in_suspense', amountMinor: 15200, note: null, data: { method: 'cash' } },
    ],
    evidence: [],
    charges: [],
    adjustments: [],
    steps: [{ action: 'pay_out', managerOnly: true }],
    ...over,
  });
}

const dashboard: IncidentDashboard = {
  weeks: [
    { weekStart: '2026-11-09', counts: { operator_error: 2, system_fault: 0, network: 0, suspected_fraud: 0, duplicate: 1, other: 0, unspecified: 0 } },
    { weekStart: '2026-11-16', counts: { operator_error: 0, system_fault: 0, network: 0, suspected_fraud: 0, duplicate: 0, other: 0, unspecified: 0 } },
    { weekStart: '2026-11-23', counts: { operator_error: 1, system_fault: 0, network: 3, suspected_fraud: 0, duplicate: 0, other: 0, unspecified: 1 } },
  ],
  causes: ['operator_error', 'system_fault', 'network', 'suspected_fraud', 'duplicate', 'other', 'unspecified'],
  money: [{ currency: '156', atRiskMinor: 5600, returnedMinor: 15200, suspenseMinor: 100000 }],
  byStatus: { held_in_suspense: 1, open: 2 },
  suspense: [summary()],
};

function render(state: Partial<IncidentsState>, locale: Locale = 'en'): string {
  const app = createAppStore({ api: fakeApi().api, locale });
  app.setState({ status: status(), today: today() });
  app.getInitialState = app.getState;
  const incidents = createIncidentsStore({ api: null });
  incidents.setState(state);
  incidents.getInitialState = incidents.getState;
  return renderToString(
    <I18nextProvider i18n={createI18n(locale)}>
      <StoreProvider store={app}>
        <IncidentsProvider store={incidents}>
          <IncidentsScreen />
        </IncidentsProvider>
      </StoreProvider>
    </I18nextProvider>,
  ).replace(/<!-- -->/g, '');
}

describe('the incident screens', () => {
  it('the detail: money, masked contact, the timeline and the manager-only next step, in English and Chinese', () => {
    const d = detail();
    const en = render({ items: [summary()], selectedId: 7, detail: d });
    expect(en).toContain('data-testid="incident-detail"');
    expect(en).toContain('data-status="held_in_suspense"');
    expect(en).toContain('Incident #7 · Over-charge');
    expect(en).toContain('Held in suspense');
    expect(en).toContain('¥1,000.00');
    expect(en).toContain('王** · 138****5678');
    expect(en).toContain('Shown masked: a manager sees the full contact.');
    expect(en).toContain('data-testid="step-button-pay_out"');
    // Nobody signed in here: the manager's step is shown but not enabled.
    expect(en).toMatch(/data-testid="step-button-pay_out"[^>]*disabled/);
    expect(en).toContain('Contact attempt · Phone · No answer');
    expect(en.match(/data-testid="timeline-entry"/g)).toHaveLength(4);
    const zh = render({ items: [summary()], selectedId: 7, detail: d }, 'zh-CN');
    expect(zh).toContain('事件 #7 · 多扣款');
    expect(zh).toContain('挂账待退');
    expect(zh).toContain('支付挂账款');
    expect(zh).toContain('联系尝试 · 电话 · 无人接听');
  });

  it('the list (virtualized: rows are drawn once it has a size) counts its items; an empty list says so; the filters are there', () => {
    const html = render({ items: [summary(), summary({ id: 6, kind: 'duplicate_charge', status: 'open' })], nextBeforeId: null });
    expect(html).toContain('data-testid="incident-list"');
    expect(html).toContain('data-count="2"');
    expect(html).toContain('All 2 shown');
    for (const id of ['filter-status', 'filter-kind', 'filter-from', 'filter-to', 'filter-min', 'filter-max']) expect(html).toContain(`data-testid="${id}"`);
    expect(render({ items: [] })).toContain('No incidents match these filters.');
    expect(render({ items: [] }, 'zh-CN')).toContain('没有符合筛选条件的事件。');
  });

  it('the dashboard chart is SVG drawn by React: stacked bars by cause, classes not inline styles', () => {
    const html = renderToString(
      <I18nextProvider i18n={createI18n('en')}>
        <IncidentChart dashboard={dashboard} />
      </I18nextProvider>,
    );
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/style=/);
    expect(html).not.toContain('<style');
    expect(html.match(/data-testid="chart-week"/g)).toHaveLength(3);
    expect(html).toContain('data-week="2026-11-23" data-total="5"');
    expect(html.match(/<rect [^>]*data-cause="network" data-count="3"/g)).toHaveLength(1);
    expect(html).toContain('incident-chart__bar--unspecified');
    // Bars of one week stack without gaps: the tallest week reaches the top of the axis (5 → 5).
    expect(niceMax(5)).toBe(5);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(0)).toBe(1);
  });

  it('the dashboard view: money at risk / returned / held, the suspense list', () => {
    const html = render({ view: 'dashboard', dashboard }, 'zh-CN');
    expect(html).toContain('data-testid="money-suspense" data-minor="100000"');
    expect(html).toContain('风险金额');
    expect(html).toContain('data-testid="suspense-row" data-incident-id="7"');
  });
});

describe('the incidents store', () => {
  it('the filter bar becomes a list filter; bad amounts and dates are named', () => {
    expect(buildIncidentFilter({ ...EMPTY_FILTER_FORM, status: 'active', min: '50', max: '1,152.00' }, 2)).toEqual({
      ok: true,
      filter: { status: 'active', minAmountMinor: 5000, maxAmountMinor: 115200 },
    });
    expect(buildIncidentFilter({ ...EMPTY_FILTER_FORM, min: '1.234', fromDate: '2026-12-01', toDate: '2026-11-01' }, 2)).toEqual({
      ok: false,
      errors: ['incidents.filters.badDates', 'incidents.filters.badAmount'],
    });
  });

  it('a pushed change is applied in place, leaves the list when it no longer matches, and a new one is added on top', () => {
    const items = [summary({ id: 9, status: 'open' }), summary({ id: 7, status: 'open' })];
    expect(upsertIncident(items, summary({ id: 7, status: 'verifying' }), { status: 'active' }).map((i) => [i.id, i.status])).toEqual([
      [9, 'open'],
      [7, 'verifying'],
    ]);
    expect(upsertIncident(items, summary({ id: 7, status: 'closed' }), { status: 'active' }).map((i) => i.id)).toEqual([9]);
    expect(upsertIncident(items, summary({ id: 12, status: 'open' }), {}).map((i) => i.id)).toEqual([12, 9, 7]);
    expect(upsertIncident(items, summary({ id: 12, kind: 'other' }), { kind: 'over_charge' }).map((i) => i.id)).toEqual([9, 7]);
  });

  it('a step goes to the core with the incident on screen; the detail and the list follow; an error is kept to show', async () => {
    const after = detail({ status: 'executed', suspenseMinor: 0, returnedMinor: 115200, steps: [{ action: 'notify_customer', managerOnly: false }] });
    const fake = fakeApi({
      'incidents.list': () => ({ items: [summary()], nextBeforeId: null }),
      'incidents.get': () => detail(),
      'incidents.step': (input) => {
        if (input.action !== 'pay_out') throw Object.assign(new Error('no'), { code: 'incident.not_allowed_from_status' });
        return after;
      },
    });
    const store = createIncidentsStore({ api: fake.api });
    store.getState().start();
    await store.getState().load({ status: 'active' });
    await store.getState().open(7);
    expect(store.getState().detail?.status).toBe('held_in_suspense');
    expect(await store.getState().step({ action: 'pay_out', method: 'cash', amountMinor: 100000 })).toBe(true);
    expect(fake.callsTo('incidents.step')[0]!.input).toEqual({ id: 7, action: 'pay_out', method: 'cash', amountMinor: 100000 });
    expect(store.getState().detail?.status).toBe('executed');
    expect(store.getState().items.map((i) => [i.id, i.status])).toEqual([[7, 'executed']]);
    expect(await store.getState().step({ action: 'approve' })).toBe(false);
    expect(store.getState().actionError).toMatchObject({ code: 'incident.not_allowed_from_status' });
    expect(store.getState().detail?.status).toBe('executed');
  });

  it('export progress and its end arrive as events', () => {
    const fake = fakeApi();
    const store = createIncidentsStore({ api: fake.api });
    store.getState().start();
    fake.emit({ name: 'export.progress', payload: { exportId: 'a', phase: 'writing', done: 5, total: 10 } });
    expect(store.getState().exportRunning).toEqual({ exportId: 'a', phase: 'writing', done: 5, total: 10 });
    fake.emit({ name: 'export.finished', payload: { exportId: 'a', state: 'done', folder: '/x', files: [], incidents: 10, error: null } });
    expect(store.getState().exportRunning).toBeNull();
    expect(store.getState().exportLast).toMatchObject({ state: 'done', incidents: 10 });
  });
});
