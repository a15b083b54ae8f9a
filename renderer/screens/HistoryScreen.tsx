import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Charge } from '../../electron/contract/schemas.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { flagExplanation, flagTitle } from '../i18n/translate.js';
import { formatTerminalTime } from '../format/charge.js';
import { SIMULATOR_CURRENCY, currencyDigits, currencyInfo } from '../format/currency.js';
import { formatMinor } from '../format/money.js';
import type { Locale } from '../store/appStore.js';
import { useAppStore } from '../store/context.js';
import { buildHistoryQuery } from '../store/history.js';
import { HistoryFilters } from './HistoryFilters.js';
import { LogSwitch } from '../components/incidents/LogSwitch.js';
import { rechargeOfCharge } from '../store/adjust.js';
import { useAdjust } from '../store/adjustContext.js';
import { RechargeChip } from '../components/adjust/RechargeChip.js';

/** Row height in px; keep in sync with .history-row in app.css. */
const ROW_HEIGHT = 72;
const QUERY_DEBOUNCE_MS = 150;
/** Start fetching the next page this many rows before the end. */
const PREFETCH_ROWS = 30;

function HistoryRow({ charge, locale, top }: { charge: Charge; locale: Locale; top: number }) {
  const { t } = useTranslation();
  const money = (minor: number) => formatMinor(minor, charge.currency, locale);
  const openAdjust = useAdjust((s) => s.open);
  const recharge = useAdjust((s) => rechargeOfCharge(s.recharges, charge.id));
  return (
    <div
      className={`history-row${charge.flags.length ? ' history-row--flagged' : ''}`}
      role="row"
      data-testid="history-row"
      data-status={charge.status}
      data-trace={charge.trace}
      data-charge-id={charge.id}
      style={{ transform: `translateY(${top}px)` }}
    >
      <span role="cell" className="history-row__time">
        {formatTerminalTime(charge.terminalTime, locale, 'short')}
      </span>
      <span role="cell" className="history-row__amount">
        {money(charge.amountMinor)}
      </span>
      <span role="cell" className="history-row__card">
        <span className="history-row__brand">{charge.brand ?? t('counter.unknownBrand')}</span>
        <span className="history-row__pan">{charge.panMasked}</span>
      </span>
      <span role="cell" className="history-row__status">
        <StatusBadge status={charge.status} />
      </span>
      <span role="cell" className="history-row__flags">
        {recharge && <RechargeChip recharge={recharge} />}
        {charge.flags.map((flag, i) => (
          <span key={`${flag.kind}-${i}`} className="chip chip--flag" title={flagExplanation(t, flag, money)} data-kind={flag.kind}>
            ⚠ {flagTitle(t, flag)}
          </span>
        ))}
      </span>
      <span role="cell" className="history-row__trace">
        {t('history.traceValue', { trace: charge.trace })}
      </span>
      <span role="cell" className="history-row__action">
        <button type="button" className="button button--ghost history-row__adjust" data-testid="history-adjust" onClick={() => openAdjust(charge.id)}>
          {t('adjust.open')}
        </button>
      </span>
    </div>
  );
}

export function HistoryScreen() {
  const { t } = useTranslation();
  const form = useAppStore((s) => s.historyForm);
  const setForm = useAppStore((s) => s.setHistoryForm);
  const history = useAppStore((s) => s.history);
  const locale = useAppStore((s) => s.locale);
  const connected = useAppStore((s) => s.connection.kind === 'open');
  const todayCurrency = useAppStore((s) => s.today?.currency ?? null);
  const queryHistory = useAppStore((s) => s.queryHistory);
  const loadMore = useAppStore((s) => s.loadMoreHistory);
  const showError = useAppStore((s) => s.showError);
  const openAdjust = useAdjust((s) => s.open);

  // Amount bounds are read in the shop's currency (today's, else the simulator's).
  const currencyCode = todayCurrency ?? SIMULATOR_CURRENCY;
  const built = useMemo(() => buildHistoryQuery(form, currencyDigits(currencyCode)), [form, currencyCode]);
  const queryKey = built.ok ? JSON.stringify(built.query) : null;

  useEffect(() => {
    if (!built.ok || !connected) return;
    const timer = setTimeout(() => queryHistory(built.query).catch(showError), QUERY_DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // queryKey stands for built.query's content: re-run only when the query itself changes.
  }, [queryKey, connected, queryHistory, showError]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = history.rows;
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]?.id ?? index,
    overscan: 6,
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const lastVisible = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (rows.length > 0 && lastVisible >= rows.length - PREFETCH_ROWS) void loadMore();
  }, [lastVisible, rows.length, loadMore]);

  // A new query starts at the top.
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [queryKey]);

  const showEmpty = history.active && !history.loading && rows.length === 0;

  return (
    <section className="history" data-testid="history-screen" aria-label={t('nav.history')}>
      <LogSwitch current="charges" />
      <HistoryFilters
        form={form}
        errors={built.ok ? [] : built.errors}
        currency={currencyInfo(currencyCode)?.alpha ?? currencyCode}
        onChange={setForm}
      />
      <div className="history-table">
        {/* The table itself; the footer below is outside it (a table holds only rows). */}
        <div className="history-table__grid" role="table" aria-label={t('history.tableLabel')} aria-rowcount={rows.length}>
        <div className="history-row history-row--head" role="row">
          <span role="columnheader">{t('history.colTime')}</span>
          <span role="columnheader" className="history-row__amount">
            {t('history.colAmount')}
          </span>
          <span role="columnheader">{t('history.colCard')}</span>
          <span role="columnheader">{t('history.colStatus')}</span>
          <span role="columnheader">{t('history.colFlags')}</span>
          <span role="columnheader">{t('history.colTrace')}</span>
          <span role="columnheader" className="history-row__action">
            {/* The manager's void/refund lives with History (the top bar has no room for another tab): find any charge. */}
            <button type="button" className="button button--ghost history-row__adjust" data-testid="nav-adjust" title={t('adjust.search.label')} onClick={() => openAdjust(null)}>
              <span aria-hidden="true">↩</span> {t('adjust.nav')}…
            </button>
          </span>
        </div>
        <div
          className="history-scroll"
          ref={scrollRef}
          data-testid="history-list"
          data-loading={history.loading || undefined}
          data-count={rows.length}
          tabIndex={0}
          role="rowgroup"
        >
          <div className="history-scroll__inner" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const charge = rows[item.index];
              return charge ? <HistoryRow key={item.key} charge={charge} locale={locale} top={item.start} /> : null;
            })}
          </div>
          {showEmpty && (
            <p className="history__empty" data-testid="history-empty">
              {t('history.empty')}
            </p>
          )}
        </div>
        </div>
        <p className="history__footer muted" aria-live="polite">
          {history.loading || history.loadingMore
            ? t('common.loading')
            : history.done
              ? t('history.endOfList', { n: rows.length })
              : t('history.shown', { n: rows.length })}
        </p>
      </div>
    </section>
  );
}
