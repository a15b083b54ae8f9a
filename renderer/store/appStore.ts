/**
 * The renderer's state (zustand, vanilla so it can be driven in tests without React).
 * Pushed `charge.changed` events are applied incrementally; fetches replay the events that arrived
 * while they were in flight, so a slow response never overwrites a newer change.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape, ApiEvent, CommandInput } from '../../electron/contract/api.js';
import type { AppStatus, Charge, TodayTotals } from '../../electron/contract/schemas.js';
import { TRANSPORT_DISCONNECTED, TRANSPORT_LOST, shapeOf, toApiError } from '../api/wire.js';
import type { ConnectionState, RendererApi } from '../api/wire.js';
import { EMPTY_HISTORY_FORM, appendPage, applyToHistory } from './history.js';
import type { HistoryForm, HistoryQuery } from './history.js';
import { QUEUE_LOW_WATER, QUEUE_WINDOW, appendWindowPage, currentIndex, placeCharge, reconcileCurrent, sortQueue } from './queue.js';

export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

export const HISTORY_PAGE_SIZE = 200;
/** Quiet period before today's totals are re-fetched after charge changes. */
export const TODAY_REFRESH_MS = 250;

export interface Toast {
  id: number;
  level: 'info' | 'warning' | 'error' | 'success';
  /** i18n code (a notice code, an error code, or a renderer key). */
  code: string;
  params: Record<string, string>;
  /** Shown when the code has no translation. */
  fallback?: string;
}

export interface HistoryState {
  /** Set once the History screen asked for data. */
  active: boolean;
  query: HistoryQuery;
  rows: Charge[];
  /** beforeId for the next page: the oldest id of the last fetched page. */
  cursorId: number | null;
  loading: boolean;
  loadingMore: boolean;
  done: boolean;
}

export interface AppState {
  connection: ConnectionState;
  status: AppStatus | null;
  /**
   * Charges waiting for confirmation, oldest first: the first of them as rows (a window of about
   * QUEUE_WINDOW, more as the cashier moves on); `queueTotal` counts all of them.
   */
  queue: Charge[];
  /** How many charges wait in all (the window's rows and those after it). */
  queueTotal: number;
  queueLoaded: boolean;
  /** The charge on screen (by id, so arrivals and departures never shift it). */
  currentId: number | null;
  today: TodayTotals | null;
  history: HistoryState;
  /** The history filter bar as typed (kept here so it survives switching tabs). */
  historyForm: HistoryForm;
  lastError: ApiErrorShape | null;
  toasts: Toast[];
  locale: Locale;
  /** The charge whose confirmation is in flight. */
  confirmingId: number | null;
}

export interface AppActions {
  /** Subscribe to the API; returns the unsubscribe. Fetches everything once the core is reachable. */
  start(): () => void;
  refreshAll(): Promise<void>;
  refreshQueue(): Promise<void>;
  refreshToday(): Promise<void>;
  select(chargeId: number): void;
  move(delta: 1 | -1): void;
  /** `rekeyedMinor`: the till's total typed in blind re-key mode (the core checks it matches). */
  confirm(chargeId: number, rekeyedMinor?: number): Promise<boolean>;
  queryHistory(query: HistoryQuery): Promise<void>;
  setHistoryForm(form: HistoryForm): void;
  loadMoreHistory(): Promise<void>;
  simCharge(input: CommandInput<'sim.charge'>): Promise<string | null>;
  setSimEnabled(enabled: boolean): Promise<void>;
  setLocale(locale: Locale): void;
  showError(error: unknown): void;
  dismissError(): void;
  pushToast(toast: Omit<Toast, 'id'>): void;
  dismissToast(id: number): void;
}

export type AppStore = StoreApi<AppState & AppActions>;

export interface AppStoreOptions {
  api: RendererApi;
  locale?: Locale;
  onLocaleChange?: (locale: Locale) => void;
}

const JOURNAL_LIMIT = 5000;

export function selectCurrent(state: AppState): Charge | null {
  const index = currentIndex(state.queue, state.currentId);
  return index === -1 ? null : state.queue[index]!;
}

export function createAppStore({ api, locale = 'en', onLocaleChange }: AppStoreOptions): AppStore {
  /** Charge changes in arrival order, replayed onto fetch results that started before them. */
  const journal: Array<{ seq: number; charge: Charge }> = [];
  let journalSeq = 0;
  let queueRequest = 0;
  let historyRequest = 0;
  let statusRequest = 0;
  let todayRequest = 0;
  let toastId = 0;
  /** Ledger-health notices already shown on this screen (by code). */
  const healthShown = new Set<string>();
  let todayTimer: ReturnType<typeof setTimeout> | null = null;
  /** Ids of the waiting charges after the window's rows, sorted (see queue.ts). */
  let beyond: number[] = [];
  /** A fetch of the page after the window is on its way. */
  let filling = false;

  const since = (mark: number): Charge[] => journal.filter((e) => e.seq > mark).map((e) => e.charge);

  return createStore<AppState & AppActions>()((set, get) => {
    /** Failures worth telling the user about; a lost connection is already shown by its own banner. */
    function report(error: unknown): void {
      const e = toApiError(error);
      if ((e.code === TRANSPORT_DISCONNECTED || e.code === TRANSPORT_LOST) && get().connection.kind !== 'open') return;
      set({ lastError: shapeOf(e) });
    }

    function applyCharge(charge: Charge): void {
      journal.push({ seq: ++journalSeq, charge });
      if (journal.length > JOURNAL_LIMIT) journal.splice(0, journal.length - JOURNAL_LIMIT / 2);
      set((state) => {
        const queue = placeCharge(state.queue, beyond, charge);
        const history = state.history.active
          ? { ...state.history, rows: applyToHistory(state.history.rows, charge, state.history.query, state.history.done) }
          : state.history;
        return { queue, queueTotal: queue.length + beyond.length, currentId: reconcileCurrent(state.queue, queue, state.currentId), history };
      });
      fillWhenLow();
    }

    /** The charge on screen nears the window's end while more wait after it: fetch the next page. */
    function fillWhenLow(): Promise<void> | null {
      const { queue, currentId } = get();
      if (filling || beyond.length === 0 || queue.length - Math.max(0, currentIndex(queue, currentId)) > QUEUE_LOW_WATER) return null;
      filling = true;
      const mark = journalSeq;
      const afterId = queue.length > 0 ? queue[queue.length - 1]!.id : 0;
      return api
        .invoke('charges.queue', { afterId })
        .then((page) => {
          filling = false;
          set((state) => {
            // Only if the window still ends where the page starts (a refresh may have replaced it).
            const end = state.queue.length > 0 ? state.queue[state.queue.length - 1]!.id : 0;
            if (end !== afterId) return {};
            let queue = appendWindowPage(state.queue, beyond, page);
            for (const charge of since(mark)) queue = placeCharge(queue, beyond, charge, Infinity);
            return { queue, queueTotal: queue.length + beyond.length, currentId: reconcileCurrent(state.queue, queue, state.currentId) };
          });
        })
        .catch((error: unknown) => {
          filling = false;
          report(error);
        });
    }

    /** At most one refetch per quiet period, however many changes arrive (a flood never starves it). */
    function scheduleTodayRefresh(): void {
      if (todayTimer) return;
      todayTimer = setTimeout(() => {
        todayTimer = null;
        void get().refreshToday();
      }, TODAY_REFRESH_MS);
    }

    function onEvent(event: ApiEvent): void {
      switch (event.name) {
        case 'charge.changed':
          applyCharge(event.payload);
          scheduleTodayRefresh();
          break;
        case 'link.state':
          set((state) => (state.status ? { status: { ...state.status, link: event.payload } } : {}));
          break;
        case 'status.changed':
          statusRequest++; // a pushed status is newer than any status.get in flight
          set({ status: event.payload });
          break;
        case 'notice':
          healthShown.add(event.payload.code);
          get().pushToast({ level: event.payload.level, code: event.payload.code, params: event.payload.params });
          break;
        case 'auth.changed':
          // Who acts on this screen (the status's operator) may have changed: ask again.
          void refreshStatus().catch(report);
          break;
      }
    }

    async function refreshStatus(): Promise<void> {
      const request = ++statusRequest;
      const status = await api.invoke('status.get', {});
      if (request === statusRequest) set({ status });
      healthToasts(status);
    }

    /**
     * What the ledger's health says that stays true (a restore at start, damage found) is shown once,
     * even where its notice went out before this screen listened (the Electron window loads after the
     * core started).
     */
    function healthToasts(status: AppStatus): void {
      const health = status.ledger;
      if (!health) return;
      const show = (code: string, params: Record<string, string>) => {
        if (healthShown.has(code)) return;
        healthShown.add(code);
        get().pushToast({ level: 'error', code, params });
      };
      const r = health.recovery;
      if (r?.backupFile) show('ledger.restored', { setAside: r.setAside ?? '', backup: r.backupFile, backupTakenAt: r.backupTakenAt ?? '' });
      else if (r) show('ledger.restore_none', { setAside: r.setAside ?? '' });
      if (health.check === 'damaged') show('ledger.damaged', {});
    }

    async function fetchHistoryPage(query: HistoryQuery, beforeId: number | null): Promise<Charge[]> {
      return api.invoke('charges.history', {
        ...query,
        ...(beforeId === null ? {} : { beforeId }),
        limit: HISTORY_PAGE_SIZE,
      });
    }

    return {
      connection: api.connection(),
      status: null,
      queue: [],
      queueTotal: 0,
      queueLoaded: false,
      currentId: null,
      today: null,
      history: { active: false, query: {}, rows: [], cursorId: null, loading: false, loadingMore: false, done: false },
      historyForm: EMPTY_HISTORY_FORM,
      lastError: null,
      toasts: [],
      locale,
      confirmingId: null,

      start() {
        const offEvents = api.subscribe(onEvent);
        const offConnection = api.onConnection((connection) => {
          const wasOpen = get().connection.kind === 'open';
          set({ connection });
          if (connection.kind === 'open' && !wasOpen) void get().refreshAll();
        });
        set({ connection: api.connection() });
        if (api.connection().kind === 'open') void get().refreshAll();
        return () => {
          offEvents();
          offConnection();
          if (todayTimer) clearTimeout(todayTimer);
          todayTimer = null;
        };
      },

      async refreshAll() {
        const { history } = get();
        const jobs: Array<Promise<void>> = [refreshStatus(), get().refreshQueue(), get().refreshToday()];
        if (history.active) jobs.push(get().queryHistory(history.query));
        const results = await Promise.allSettled(jobs);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) report(failed.reason);
      },

      async refreshQueue() {
        const request = ++queueRequest;
        const mark = journalSeq;
        const fetched = await api.invoke('charges.queue', {});
        // A full first page: more wait after it, known by id only.
        const ids = fetched.length >= QUEUE_WINDOW ? await api.invoke('charges.pendingIds', {}) : [];
        if (request !== queueRequest) return;
        let queue = sortQueue(fetched);
        const last = queue.length > 0 ? queue[queue.length - 1]!.id : 0;
        const after = ids.filter((id) => id > last).sort((a, b) => a - b);
        for (const charge of since(mark)) queue = placeCharge(queue, after, charge, Infinity);
        beyond = after;
        set((state) => ({
          queue,
          queueTotal: queue.length + beyond.length,
          queueLoaded: true,
          currentId: reconcileCurrent(state.queue, queue, state.currentId),
        }));
        fillWhenLow();
      },

      async refreshToday() {
        const request = ++todayRequest;
        try {
          const today = await api.invoke('charges.today', {});
          if (request === todayRequest) set({ today });
        } catch (error) {
          report(error);
        }
      },

      select(chargeId) {
        if (get().queue.some((c) => c.id === chargeId)) set({ currentId: chargeId });
      },

      move(delta) {
        const { queue, currentId } = get();
        const index = currentIndex(queue, currentId);
        const next = queue[index + delta];
        if (index !== -1 && next) set({ currentId: next.id });
        if (delta === 1) {
          // At the window's end with more waiting: show the next one once its page is here.
          const filled = fillWhenLow();
          if (index !== -1 && !next && filled) void filled.then(() => get().currentId === currentId && get().move(1));
        }
      },

      async confirm(chargeId, rekeyedMinor) {
        if (get().confirmingId !== null) return false;
        set({ confirmingId: chargeId });
        try {
          const charge = await api.invoke('charges.confirm', rekeyedMinor === undefined ? { chargeId } : { chargeId, rekeyedMinor });
          applyCharge(charge);
          set({ lastError: null });
          scheduleTodayRefresh();
          return true;
        } catch (error) {
          const e = toApiError(error);
          set({ lastError: shapeOf(e) });
          // The charge moved on without us (confirmed elsewhere, voided, gone): the core's queue decides.
          if (e.code === 'charge.not_pending' || e.code === 'charge.not_found') {
            void get().refreshQueue().catch(report);
          }
          return false;
        } finally {
          set({ confirmingId: null });
        }
      },

      async queryHistory(query) {
        const request = ++historyRequest;
        const mark = journalSeq;
        set((state) => ({ history: { ...state.history, active: true, query, loading: true, loadingMore: false } }));
        let page: Charge[];
        try {
          page = await fetchHistoryPage(query, null);
        } catch (error) {
          if (request !== historyRequest) return; // superseded: its failure no longer matters
          set((state) => ({ history: { ...state.history, loading: false } }));
          throw error;
        }
        if (request !== historyRequest) return;
        const done = page.length < HISTORY_PAGE_SIZE;
        let rows = page;
        for (const charge of since(mark)) rows = applyToHistory(rows, charge, query, done);
        set({
          history: { active: true, query, rows, cursorId: page.at(-1)?.id ?? null, loading: false, loadingMore: false, done },
        });
      },

      setHistoryForm: (historyForm) => set({ historyForm }),

      async loadMoreHistory() {
        const { history } = get();
        if (!history.active || history.loading || history.loadingMore || history.done || history.cursorId === null) return;
        const request = historyRequest;
        const mark = journalSeq;
        set({ history: { ...history, loadingMore: true } });
        let page: Charge[];
        try {
          page = await fetchHistoryPage(history.query, history.cursorId);
        } catch (error) {
          if (request === historyRequest) set((state) => ({ history: { ...state.history, loadingMore: false } }));
          report(error);
          return;
        }
        if (request !== historyRequest) return; // the filter changed meanwhile
        const done = page.length < HISTORY_PAGE_SIZE;
        set((state) => {
          let rows = appendPage(state.history.rows, page);
          for (const charge of since(mark)) rows = applyToHistory(rows, charge, state.history.query, done);
          return {
            history: { ...state.history, rows, cursorId: page.at(-1)?.id ?? state.history.cursorId, loadingMore: false, done },
          };
        });
      },

      async simCharge(input) {
        try {
          const { trace } = await api.invoke('sim.charge', input);
          return trace;
        } catch (error) {
          report(error);
          return null;
        }
      },

      async setSimEnabled(enabled) {
        try {
          statusRequest++;
          set({ status: await api.invoke('sim.setEnabled', { enabled }) });
        } catch (error) {
          report(error);
        }
      },

      setLocale(next) {
        if (next === get().locale) return;
        set({ locale: next });
        onLocaleChange?.(next);
      },

      showError: report,
      dismissError: () => set({ lastError: null }),
      pushToast: (toast) => set((state) => ({ toasts: [...state.toasts.slice(-4), { ...toast, id: ++toastId }] })),
      dismissToast: (id) => set((state) => ({ toasts: state.toasts.filter((t) => t.id !== id) })),
    };
  });
}
