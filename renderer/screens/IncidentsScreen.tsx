import '../styles/incidents.css';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncidentListFilter, IncidentSummary } from '../../electron/contract/commands/incidents.js';
import { IncidentKind, IncidentStatus } from '../../electron/contract/counterSchemas.js';
import { ExportPanel } from '../components/incidents/ExportPanel.js';
import { IncidentDashboardView } from '../components/incidents/IncidentDashboardView.js';
import { IncidentDetailPanel } from '../components/incidents/IncidentDetailPanel.js';
import { LogSwitch } from '../components/incidents/LogSwitch.js';
import { incidentErrorText, money, when } from '../components/incidents/text.js';
import { SIMULATOR_CURRENCY, currencyDigits } from '../format/currency.js';
import { parseMajor } from '../format/money.js';
import { useAppStore } from '../store/context.js';
import type { IncidentFilterForm } from '../store/incidents.js';
import { useIncidents } from '../store/incidentsContext.js';

/** Row height in px; keep in sync with .incident-row in incidents.css. */
const ROW_HEIGHT = 64;
const QUERY_DEBOUNCE_MS = 150;
const PREFETCH_ROWS = 20;

/** The filter bar as typed → the list's filter, or the problems with it. */
export function buildIncidentFilter(form: IncidentFilterForm, digits: number): { ok: true; filter: IncidentListFilter } | { ok: false; errors: string[] } {
  const filter: IncidentListFilter = {};
  const errors: string[] = [];
  if (form.status) filter.status = form.status as IncidentListFilter['status'];
  if (form.kind) filter.kind = form.kind as IncidentListFilter['kind'];
  if (form.fromDate) filter.fromDate = form.fromDate;
  if (form.toDate) filter.toDate = form.toDate;
  if (form.fromDate && form.toDate && form.fromDate > form.toDate) errors.push('incidents.filters.badDates');
  for (const [key, text] of [
    ['minAmountMinor', form.min],
    ['maxAmountMinor', form.max],
  ] as const) {
    if (!text.trim()) continue;
    const parsed = parseMajor(text, digits);
    if (parsed.ok) filter[key] = parsed.minor;
    else if (!errors.includes('incidents.filters.badAmount')) errors.push('incidents.filters.badAmount');
  }
  return errors.length ? { ok: false, errors } : { ok: true, filter };
}

function Row({ item, top, selected, onOpen }: { item: IncidentSummary; top: number; selected: boolean; onOpen: (id: number) => void }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  return (
    <div role="listitem" className="incident-row__slot" style={{ transform: `translateY(${top}px)` }}>
      <button
        type="button"
        className={`incident-row${selected ? ' incident-row--selected' : ''}`}
        data-testid="incident-row"
        data-incident-id={item.id}
        data-status={item.status}
        data-kind={item.kind}
        aria-pressed={selected}
        onClick={() => onOpen(item.id)}
      >
        <span className="incident-row__id">#{item.id}</span>
        <span className="incident-row__main">
          <span className="incident-row__kind">{t(`incidents.kind.${item.kind}`)}</span>
          <span className="incident-row__sub muted">
            {when(item.createdAt, locale)} · {item.panMasked ?? '—'} {item.contactMasked ? `· ${item.contactMasked}` : ''}
          </span>
        </span>
        <span className="incident-row__money">
          <span>{money(item.chargedMinor, item.currency, locale)}</span>
          <span className="incident-row__sub">{money(item.owedMinor, item.currency, locale)}</span>
        </span>
        <span>
          <span className={`incident-status incident-status--${item.status}`}>{t(`incidents.status.${item.status}`)}</span>
        </span>
      </button>
    </div>
  );
}

function IncidentList() {
  const { t } = useTranslation();
  const form = useIncidents((s) => s.form);
  const setForm = useIncidents((s) => s.setForm);
  const items = useIncidents((s) => s.items);
  const loading = useIncidents((s) => s.loading);
  const loadingMore = useIncidents((s) => s.loadingMore);
  const nextBeforeId = useIncidents((s) => s.nextBeforeId);
  const listError = useIncidents((s) => s.listError);
  const load = useIncidents((s) => s.load);
  const loadMore = useIncidents((s) => s.loadMore);
  const selectedId = useIncidents((s) => s.selectedId);
  const open = useIncidents((s) => s.open);
  const connected = useAppStore((s) => s.connection.kind === 'open');
  const currency = useAppStore((s) => s.today?.currency ?? SIMULATOR_CURRENCY);
  const built = useMemo(() => buildIncidentFilter(form, currencyDigits(currency)), [form, currency]);
  const key = built.ok ? JSON.stringify(built.filter) : null;

  useEffect(() => {
    if (!built.ok || !connected) return;
    const timer = setTimeout(() => void load(built.filter), QUERY_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // key stands for the filter's content.
  }, [key, connected, load]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => items[index]?.id ?? index,
    overscan: 6,
    useFlushSync: false,
  });
  const rows = virtualizer.getVirtualItems();
  const lastVisible = rows.at(-1)?.index ?? -1;
  useEffect(() => {
    if (items.length > 0 && lastVisible >= items.length - PREFETCH_ROWS) void loadMore();
  }, [lastVisible, items.length, loadMore]);

  const set = (patch: Partial<IncidentFilterForm>) => setForm({ ...form, ...patch });
  return (
    <div className="incident-list">
      <div className="filters incident-filters" role="group" aria-label={t('incidents.filters.label')}>
        <label className="field">
          <span className="field__label">{t('incidents.filters.status')}</span>
          <select className="input" data-testid="filter-status" value={form.status} onChange={(e) => set({ status: e.target.value })}>
            <option value="">{t('incidents.filters.any')}</option>
            <option value="active">{t('incidents.filters.active')}</option>
            {IncidentStatus.options.map((s) => (
              <option key={s} value={s}>
                {t(`incidents.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('incidents.filters.kind')}</span>
          <select className="input" data-testid="filter-kind" value={form.kind} onChange={(e) => set({ kind: e.target.value })}>
            <option value="">{t('incidents.filters.any')}</option>
            {IncidentKind.options.map((k) => (
              <option key={k} value={k}>
                {t(`incidents.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('incidents.filters.from')}</span>
          <input type="date" className="input" data-testid="filter-from" value={form.fromDate} onChange={(e) => set({ fromDate: e.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t('incidents.filters.to')}</span>
          <input type="date" className="input" data-testid="filter-to" value={form.toDate} onChange={(e) => set({ toDate: e.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t('incidents.filters.min')}</span>
          <input className="input input--amount" data-testid="filter-min" inputMode="decimal" value={form.min} onChange={(e) => set({ min: e.target.value })} />
        </label>
        <label className="field">
          <span className="field__label">{t('incidents.filters.max')}</span>
          <input className="input input--amount" data-testid="filter-max" inputMode="decimal" value={form.max} onChange={(e) => set({ max: e.target.value })} />
        </label>
      </div>
      {!built.ok && (
        <p className="filters__errors" role="alert">
          {built.errors.map((e) => t(e)).join(' · ')}
        </p>
      )}
      {listError && (
        <div className="banner banner--error" role="alert">
          <span className="banner__text">{incidentErrorText(t, listError)}</span>
        </div>
      )}
      <div className="incident-table">
        <div className="incident-scroll" ref={scrollRef} data-testid="incident-list" data-loading={loading || undefined} data-count={items.length}>
          <div className="incident-scroll__inner" role="list" aria-label={t('incidents.title')} style={{ height: virtualizer.getTotalSize() }}>
            {rows.map((r) => {
              const item = items[r.index];
              return item ? <Row key={r.key} item={item} top={r.start} selected={item.id === selectedId} onOpen={(id) => void open(id)} /> : null;
            })}
          </div>
          {!loading && items.length === 0 && (
            <p className="incident-list__empty muted" data-testid="incident-empty">
              {t('incidents.empty')}
            </p>
          )}
        </div>
        <p className="muted incident-list__footer" aria-live="polite">
          {loading || loadingMore ? t('incidents.loading') : nextBeforeId === null ? t('incidents.endOfList', { n: items.length }) : t('incidents.shown', { n: items.length })}
        </p>
      </div>
    </div>
  );
}

/** The incident log: the list beside the incident on screen, the dashboard, the export. */
export function IncidentsScreen() {
  const { t } = useTranslation();
  const view = useIncidents((s) => s.view);
  const detail = useIncidents((s) => s.detail);
  const selectedId = useIncidents((s) => s.selectedId);
  return (
    <section className="incidents" data-testid="incidents-screen" aria-label={t('incidents.title')}>
      <LogSwitch current={view} />
      {view === 'list' && (
        <div className="incidents__split">
          <IncidentList />
          <div className="incidents__detail">
            {detail && detail.id === selectedId ? <IncidentDetailPanel detail={detail} /> : <p className="muted incidents__choose">{selectedId === null ? t('incidents.choose') : t('incidents.loading')}</p>}
          </div>
        </div>
      )}
      {view === 'dashboard' && <IncidentDashboardView />}
      {view === 'export' && <ExportPanel />}
    </section>
  );
}
