/**
 * The Printers screen's state: the configured printers, test prints and their results, and the
 * print queue (kept current by the pushed `printJob.changed` events, applied in place).
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape, ApiEvent, CommandInput } from '../../electron/contract/api.js';
import type { PrintJob, PrintOutcome, PrinterInput, PrinterTestResult, PrintersState, ReceiptCopy } from '../../electron/contract/commands/printing.js';
import type { Charge } from '../../electron/contract/schemas.js';
import { shapeOf, toApiError } from '../api/wire.js';
import type { RendererApi } from '../api/wire.js';

export const JOBS_SHOWN = 50;
/** Charges offered for a sale reprint. */
export const RECENT_CHARGES = 30;

export interface PrintingState {
  printers: PrintersState | null;
  jobs: PrintJob[];
  loading: boolean;
  loadError: ApiErrorShape | null;
  saving: boolean;
  saveError: ApiErrorShape | null;
  /** Printer ids with a test print in flight. */
  testing: string[];
  tests: Record<string, PrinterTestResult | { printerId: string; ok: false; error: ApiErrorShape; output: null; paperLow: false }>;
  /** Job ids with a retry in flight. */
  retrying: number[];
  retryErrors: Record<number, ApiErrorShape>;
  /** The latest charges, to pick one for a sale reprint. */
  recentCharges: Charge[];
  reprinting: boolean;
  reprintResult: { outcome: PrintOutcome | null; error: ApiErrorShape | null } | null;
}

export interface PrintingActions {
  /** Subscribes to job events; returns the unsubscribe. */
  start(): () => void;
  load(): Promise<void>;
  /** null when saved, else the error. */
  save(printer: PrinterInput, makeDefault: boolean): Promise<ApiErrorShape | null>;
  remove(printerId: string): Promise<ApiErrorShape | null>;
  configure(change: CommandInput<'printers.configure'>): Promise<ApiErrorShape | null>;
  test(printerId: string): Promise<void>;
  retry(jobId: number, printerId?: string): Promise<PrintOutcome | null>;
  loadRecentCharges(): Promise<void>;
  reprint(chargeId: number, copy: ReceiptCopy): Promise<void>;
}

export type PrintingStore = StoreApi<PrintingState & PrintingActions>;

/** The job list with `job` put in its place (newest first), at most JOBS_SHOWN long. */
export function upsertJob(jobs: PrintJob[], job: PrintJob): PrintJob[] {
  const i = jobs.findIndex((j) => j.id === job.id);
  if (i >= 0) {
    const next = jobs.slice();
    next[i] = job;
    return next;
  }
  return [job, ...jobs].sort((a, b) => b.id - a.id).slice(0, JOBS_SHOWN);
}

export function createPrintingStore({ api }: { api: RendererApi | null }): PrintingStore {
  let loadRequest = 0;
  return createStore<PrintingState & PrintingActions>()((set, get) => {
    const fail = (error: unknown): ApiErrorShape => shapeOf(toApiError(error));

    async function change(run: () => Promise<PrintersState>): Promise<ApiErrorShape | null> {
      set({ saving: true, saveError: null });
      try {
        const printers = await run();
        set({ printers, saving: false });
        return null;
      } catch (error) {
        const e = fail(error);
        set({ saving: false, saveError: e });
        return e;
      }
    }

    return {
      printers: null,
      jobs: [],
      loading: false,
      loadError: null,
      saving: false,
      saveError: null,
      testing: [],
      tests: {},
      retrying: [],
      retryErrors: {},
      recentCharges: [],
      reprinting: false,
      reprintResult: null,

      start() {
        if (!api) return () => undefined;
        return api.subscribe((event: ApiEvent) => {
          if (event.name === 'printJob.changed') set((s) => ({ jobs: upsertJob(s.jobs, event.payload) }));
        });
      },

      async load() {
        if (!api) return;
        const request = ++loadRequest;
        set({ loading: true, loadError: null });
        try {
          const [printers, jobs] = await Promise.all([api.invoke('printers.list', {}), api.invoke('printJobs.list', { limit: JOBS_SHOWN })]);
          if (request === loadRequest) set({ printers, jobs, loading: false });
        } catch (error) {
          if (request === loadRequest) set({ loading: false, loadError: fail(error) });
        }
      },

      save(printer, makeDefault) {
        if (!api) return Promise.resolve(null);
        return change(() => api.invoke('printers.save', { printer, makeDefault }));
      },

      remove(printerId) {
        if (!api) return Promise.resolve(null);
        return change(() => api.invoke('printers.remove', { printerId }));
      },

      configure(input) {
        if (!api) return Promise.resolve(null);
        return change(() => api.invoke('printers.configure', input));
      },

      async test(printerId) {
        if (!api || get().testing.includes(printerId)) return;
        set((s) => ({ testing: [...s.testing, printerId] }));
        let result: PrintingState['tests'][string];
        try {
          result = await api.invoke('printers.test', { printerId });
        } catch (error) {
          result = { printerId, ok: false, error: fail(error), output: null, paperLow: false };
        }
        set((s) => ({ testing: s.testing.filter((id) => id !== printerId), tests: { ...s.tests, [printerId]: result } }));
      },

      async loadRecentCharges() {
        if (!api) return;
        try {
          set({ recentCharges: await api.invoke('charges.history', { limit: RECENT_CHARGES }) });
        } catch (error) {
          set({ loadError: fail(error) });
        }
      },

      async reprint(chargeId, copy) {
        if (!api || get().reprinting) return;
        set({ reprinting: true, reprintResult: null });
        try {
          const outcome = await api.invoke('receipts.reprint', { chargeId, copy });
          set({ reprinting: false, reprintResult: { outcome, error: null } });
        } catch (error) {
          set({ reprinting: false, reprintResult: { outcome: null, error: fail(error) } });
        }
      },

      async retry(jobId, printerId) {
        if (!api || get().retrying.includes(jobId)) return null;
        const { [jobId]: _dropped, ...rest } = get().retryErrors;
        set((s) => ({ retrying: [...s.retrying, jobId], retryErrors: rest }));
        try {
          const outcome = await api.invoke('printJobs.retry', { jobId, ...(printerId ? { printerId } : {}) });
          set((s) => ({ retrying: s.retrying.filter((id) => id !== jobId) }));
          return outcome;
        } catch (error) {
          const e = fail(error);
          set((s) => ({ retrying: s.retrying.filter((id) => id !== jobId), retryErrors: { ...s.retryErrors, [jobId]: e } }));
          return null;
        }
      },
    };
  });
}
