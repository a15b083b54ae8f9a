/**
 * The incident log's state: the list (filters, keyset pages, kept current by the pushed
 * `incident.changed` events), the incident on screen with its timeline and the steps open now,
 * the dashboard, and the export (progress and end pushed by the core).
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape, ApiEvent, CommandInput } from '../../electron/contract/api.js';
import type {
  ApprovalPolicy,
  ExportFinished,
  ExportProgress,
  IncidentDashboard,
  IncidentDetail,
  IncidentListFilter,
  IncidentSummary,
} from '../../electron/contract/commands/incidents.js';
import { shapeOf, toApiError } from '../api/wire.js';
import type { RendererApi } from '../api/wire.js';

export const INCIDENT_PAGE_SIZE = 100;

export type IncidentsView = 'list' | 'dashboard' | 'export';

/** The filter bar as typed (amounts in major units, dates as YYYY-MM-DD). */
export interface IncidentFilterForm {
  status: string;
  kind: string;
  fromDate: string;
  toDate: string;
  min: string;
  max: string;
}

export const EMPTY_FILTER_FORM: IncidentFilterForm = { status: '', kind: '', fromDate: '', toDate: '', min: '', max: '' };

/** A step's input without the incident id (the store adds the one on screen). */
export type StepRequest = CommandInput<'incidents.step'> extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

export interface IncidentsState {
  view: IncidentsView;
  /** A request to show the History tab's charges or the incident log (App switches the tab). */
  nav: { target: 'history' | 'incidents'; seq: number };
  form: IncidentFilterForm;
  filter: IncidentListFilter;
  items: IncidentSummary[];
  nextBeforeId: number | null;
  loading: boolean;
  loadingMore: boolean;
  listError: ApiErrorShape | null;
  selectedId: number | null;
  detail: IncidentDetail | null;
  detailLoading: boolean;
  /** A step, note, attempt or file in flight. */
  busy: boolean;
  actionError: ApiErrorShape | null;
  dashboard: IncidentDashboard | null;
  dashboardWeeks: number;
  dashboardError: ApiErrorShape | null;
  exportRunning: ExportProgress | null;
  exportLast: ExportFinished | null;
  exportError: ApiErrorShape | null;
  /** The id of the export this screen started (its end is shown). */
  exportId: string | null;
  /** Four-eyes on resolutions: who can approve, and the owner's self-approval setting. */
  approval: ApprovalPolicy | null;
  approvalError: ApiErrorShape | null;
}

export interface IncidentsActions {
  start(): () => void;
  setView(view: IncidentsView): void;
  /** Shows the charges (History) or the incident log, at `view`. */
  navigate(target: 'history' | 'incidents', view?: IncidentsView): void;
  setForm(form: IncidentFilterForm): void;
  load(filter?: IncidentListFilter): Promise<void>;
  loadMore(): Promise<void>;
  open(id: number | null): Promise<void>;
  refreshDetail(): Promise<void>;
  /** Each returns true when done (the detail is then fresh), false with `actionError` set. */
  step(request: StepRequest): Promise<boolean>;
  note(text: string): Promise<boolean>;
  contactAttempt(input: Omit<CommandInput<'incidents.contactAttempt'>, 'id'>): Promise<boolean>;
  setContact(input: Omit<CommandInput<'incidents.setContact'>, 'id'>): Promise<boolean>;
  addEvidence(path: string, note?: string): Promise<boolean>;
  clearActionError(): void;
  loadDashboard(weeks?: number): Promise<void>;
  /** The native chooser (desktop); null when cancelled or when there is none (browser host). */
  choose(kind: 'folder' | 'file'): Promise<{ supported: boolean; path: string | null }>;
  startExport(input: CommandInput<'export.start'>): Promise<boolean>;
  cancelExport(): Promise<void>;
  loadExportStatus(): Promise<void>;
  loadApproval(): Promise<void>;
  /** The owner's choice (audited); refused while two people can approve. */
  setSelfApproval(allowed: boolean): Promise<void>;
}

export type IncidentsStore = StoreApi<IncidentsState & IncidentsActions>;

/** Whether a pushed incident belongs in the list under `filter` (the dates and amounts the core checks are approximated by the status and kind). */
export function matchesFilter(item: IncidentSummary, filter: IncidentListFilter): boolean {
  if (filter.status === 'active' && item.status === 'closed') return false;
  if (filter.status && filter.status !== 'active' && item.status !== filter.status) return false;
  if (filter.kind && item.kind !== filter.kind) return false;
  if (filter.minAmountMinor !== undefined && item.owedMinor < filter.minAmountMinor) return false;
  if (filter.maxAmountMinor !== undefined && item.owedMinor > filter.maxAmountMinor) return false;
  return true;
}

/** The list with `item` put in its place (newest first), or taken out when it no longer matches. */
export function upsertIncident(items: IncidentSummary[], item: IncidentSummary, filter: IncidentListFilter): IncidentSummary[] {
  const i = items.findIndex((x) => x.id === item.id);
  const keep = matchesFilter(item, filter);
  if (i >= 0) {
    const next = items.slice();
    if (keep) next[i] = item;
    else next.splice(i, 1);
    return next;
  }
  if (!keep || filter.fromDate || filter.toDate || filter.beforeId) return items;
  return [item, ...items].sort((a, b) => b.id - a.id);
}

export function createIncidentsStore({ api }: { api: RendererApi | null }): IncidentsStore {
  let listRequest = 0;
  let detailRequest = 0;
  return createStore<IncidentsState & IncidentsActions>()((set, get) => {
    const fail = (error: unknown): ApiErrorShape => shapeOf(toApiError(error));

    async function act(run: (api: RendererApi, id: number) => Promise<IncidentDetail>): Promise<boolean> {
      const id = get().selectedId;
      if (!api || id === null || get().busy) return false;
      set({ busy: true, actionError: null });
      try {
        const detail = await run(api, id);
        set((s) => ({ busy: false, detail: s.selectedId === detail.id ? detail : s.detail, items: upsertIncident(s.items, detail, s.filter) }));
        return true;
      } catch (error) {
        set({ busy: false, actionError: fail(error) });
        return false;
      }
    }

    function onEvent(event: ApiEvent): void {
      switch (event.name) {
        case 'incident.changed': {
          const item = event.payload;
          set((s) => ({ items: upsertIncident(s.items, item, s.filter) }));
          if (get().selectedId === item.id && !get().busy) void get().refreshDetail();
          break;
        }
        case 'adjustment.changed':
          if (event.payload.incidentId !== null && event.payload.incidentId === get().selectedId) void get().refreshDetail();
          break;
        case 'export.progress':
          set({ exportRunning: event.payload });
          break;
        case 'export.finished':
          set({ exportRunning: null, exportLast: event.payload });
          break;
      }
    }

    return {
      view: 'list',
      nav: { target: 'history', seq: 0 },
      form: EMPTY_FILTER_FORM,
      filter: { limit: INCIDENT_PAGE_SIZE },
      items: [],
      nextBeforeId: null,
      loading: false,
      loadingMore: false,
      listError: null,
      selectedId: null,
      detail: null,
      detailLoading: false,
      busy: false,
      actionError: null,
      dashboard: null,
      dashboardWeeks: 8,
      dashboardError: null,
      exportRunning: null,
      exportLast: null,
      exportError: null,
      exportId: null,
      approval: null,
      approvalError: null,

      start() {
        if (!api) return () => undefined;
        return api.subscribe(onEvent);
      },

      setView: (view) => set({ view }),
      navigate: (target, view) => set((s) => ({ nav: { target, seq: s.nav.seq + 1 }, ...(view ? { view } : {}) })),
      setForm: (form) => set({ form }),

      async load(filter) {
        if (!api) return;
        const f = { ...(filter ?? get().filter), limit: INCIDENT_PAGE_SIZE };
        delete f.beforeId;
        const request = ++listRequest;
        set({ filter: f, loading: true, listError: null });
        try {
          const page = await api.invoke('incidents.list', f);
          if (request === listRequest) set({ items: page.items, nextBeforeId: page.nextBeforeId, loading: false });
        } catch (error) {
          if (request === listRequest) set({ loading: false, listError: fail(error) });
        }
      },

      async loadMore() {
        const { filter, nextBeforeId, loading, loadingMore } = get();
        if (!api || loading || loadingMore || nextBeforeId === null) return;
        const request = listRequest;
        set({ loadingMore: true });
        try {
          const page = await api.invoke('incidents.list', { ...filter, beforeId: nextBeforeId });
          if (request !== listRequest) return;
          set((s) => {
            const seen = new Set(s.items.map((i) => i.id));
            return { items: [...s.items, ...page.items.filter((i) => !seen.has(i.id))], nextBeforeId: page.nextBeforeId, loadingMore: false };
          });
        } catch (error) {
          set({ loadingMore: false, listError: fail(error) });
        }
      },

      async open(id) {
        set({ selectedId: id, actionError: null, detail: id === null ? null : get().detail?.id === id ? get().detail : null });
        if (id !== null) await get().refreshDetail();
      },

      async refreshDetail() {
        const id = get().selectedId;
        if (!api || id === null) return;
        const request = ++detailRequest;
        set({ detailLoading: true });
        try {
          const detail = await api.invoke('incidents.get', { id });
          if (request === detailRequest && get().selectedId === id) set({ detail, detailLoading: false });
        } catch (error) {
          if (request === detailRequest) set({ detailLoading: false, actionError: fail(error) });
        }
      },

      step: (request) => act((a, id) => a.invoke('incidents.step', { ...request, id } as CommandInput<'incidents.step'>)),
      note: (text) => act((a, id) => a.invoke('incidents.note', { id, text })),
      contactAttempt: (input) => act((a, id) => a.invoke('incidents.contactAttempt', { ...input, id })),
      setContact: (input) => act((a, id) => a.invoke('incidents.setContact', { ...input, id })),
      addEvidence: (path, note) => act((a, id) => a.invoke('incidents.addEvidence', { id, path, ...(note ? { note } : {}) })),
      clearActionError: () => set({ actionError: null }),

      async loadDashboard(weeks) {
        if (!api) return;
        const w = weeks ?? get().dashboardWeeks;
        set({ dashboardWeeks: w, dashboardError: null });
        try {
          set({ dashboard: await api.invoke('incidents.dashboard', { weeks: w }) });
        } catch (error) {
          set({ dashboardError: fail(error) });
        }
      },

      async choose(kind) {
        if (!api) return { supported: false, path: null };
        try {
          return await api.invoke('files.choose', { kind });
        } catch (error) {
          set({ exportError: fail(error) });
          return { supported: false, path: null };
        }
      },

      async startExport(input) {
        if (!api) return false;
        set({ exportError: null, exportLast: null });
        try {
          const { exportId } = await api.invoke('export.start', input);
          set((s) => ({ exportId, exportRunning: s.exportLast?.exportId === exportId ? null : (s.exportRunning ?? { exportId, phase: 'counting', done: 0, total: 0 }) }));
          return true;
        } catch (error) {
          set({ exportError: fail(error) });
          return false;
        }
      },

      async cancelExport() {
        const id = get().exportRunning?.exportId ?? get().exportId;
        if (!api || !id) return;
        try {
          await api.invoke('export.cancel', { exportId: id });
        } catch (error) {
          set({ exportError: fail(error) });
        }
      },

      async loadApproval() {
        if (!api) return;
        try {
          set({ approval: await api.invoke('incidents.approvalPolicy', {}), approvalError: null });
        } catch (error) {
          set({ approvalError: fail(error) });
        }
      },

      async setSelfApproval(allowed) {
        if (!api) return;
        try {
          set({ approval: await api.invoke('incidents.setSelfApproval', { allowed }), approvalError: null });
        } catch (error) {
          set({ approvalError: fail(error) });
        }
      },

      async loadExportStatus() {
        if (!api) return;
        try {
          const status = await api.invoke('export.status', {});
          set({ exportRunning: status.running, exportLast: get().exportLast ?? status.last });
        } catch {
          // shown when the user acts
        }
      },
    };
  });
}
