/**
 * The void/refund screen's state: which charge it is about (opened from the counter, History or a
 * search), its preview, the request in progress and the terminal's answer — kept current by the
 * pushed `adjustment.changed` events, so an answer that only QT found later replaces "no answer
 * yet" without a reload — and the correct-amount (补刷) links shown beside charges everywhere.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape, ApiEvent, CommandInput } from '../../electron/contract/api.js';
import type { AdjustmentPreview, AdjustmentView, RechargeView } from '../../electron/contract/commands/adjustments.js';
import type { PrintJob, PrintOutcome } from '../../electron/contract/commands/printing.js';
import type { Charge } from '../../electron/contract/schemas.js';
import { loadOnEachOpen, shapeOf, toApiError } from '../api/wire.js';
import type { RendererApi } from '../api/wire.js';

/** sending: recorded and on its way; waiting: the terminal has it; answered: its answer (or its loss) is in. */
export type AdjustStep = 'sending' | 'waiting' | 'answered';

export interface AdjustOutcomeView {
  adjustment: AdjustmentView;
  /** One per copy; filled from the print queue when the answer came later (through QT). */
  receipts: PrintOutcome[];
  /** The terminal's answer was not in when `execute` returned: its receipts come from the print queue. */
  lateReceipts: boolean;
}

export interface AdjustState {
  /** The charge on the screen. */
  chargeId: number | null;
  /** Bumped by every `open`: the app shows the screen. */
  openSeq: number;
  preview: AdjustmentPreview | null;
  previewLoading: boolean;
  previewError: ApiErrorShape | null;
  query: string;
  results: Charge[] | null;
  searching: boolean;
  searchError: ApiErrorShape | null;
  step: AdjustStep | null;
  outcome: AdjustOutcomeView | null;
  executeError: ApiErrorShape | null;
  /** Correct-amount requests and links by id. */
  recharges: Record<number, RechargeView>;
  recharging: boolean;
  rechargeError: ApiErrorShape | null;
}

export interface AdjustActions {
  start(): () => void;
  /** Shows the screen, about `chargeId` (or the search when null). */
  open(chargeId: number | null): void;
  loadPreview(): Promise<void>;
  setQuery(query: string): void;
  search(query: string): Promise<void>;
  execute(input: CommandInput<'adjust.execute'>): Promise<boolean>;
  expectRecharge(incidentId: number, amountMinor: number): Promise<boolean>;
  loadRecharges(): Promise<void>;
}

export type AdjustStore = StoreApi<AdjustState & AdjustActions>;

/** The incident a charge is the correct amount (补刷) of, if any. */
export function rechargeOfCharge(recharges: Record<number, RechargeView>, chargeId: number): RechargeView | null {
  for (const r of Object.values(recharges)) if (r.state === 'linked' && r.chargeId === chargeId) return r;
  return null;
}

/** A print job of an adjustment's receipt, as the outcome of its copy. */
function jobOutcome(job: PrintJob): PrintOutcome {
  return { jobId: job.id, copy: job.copy, printerId: job.printerId, state: job.state, error: job.lastError, output: job.output, paperLow: false };
}

export function createAdjustStore({ api }: { api: RendererApi | null }): AdjustStore {
  let previewRequest = 0;
  let searchRequest = 0;
  let previewTimer: ReturnType<typeof setTimeout> | null = null;

  return createStore<AdjustState & AdjustActions>()((set, get) => {
    const fail = (error: unknown): ApiErrorShape => shapeOf(toApiError(error));

    function schedulePreview(): void {
      if (previewTimer) clearTimeout(previewTimer);
      previewTimer = setTimeout(() => {
        previewTimer = null;
        void get().loadPreview();
      }, 150);
    }

    function onAdjustment(adjustment: AdjustmentView): void {
      const { chargeId, step, outcome } = get();
      if (adjustment.chargeId !== chargeId) return;
      if (step === 'sending' && adjustment.state === 'sent' && !outcome) set({ step: 'waiting' });
      if (outcome && outcome.adjustment.id === adjustment.id && adjustment.state !== 'sent') {
        set({ outcome: { ...outcome, adjustment }, step: 'answered' });
      }
      schedulePreview();
    }

    function onPrintJob(job: PrintJob): void {
      const { outcome } = get();
      if (!outcome || job.chargeId !== outcome.adjustment.chargeId || job.reprint) return;
      if (job.kind !== (outcome.adjustment.kind === 'void' ? 'VOID' : 'REFUND')) return;
      // The copies of an answer that came later (`execute` returned its own), or a change to one shown.
      const shown = outcome.receipts.some((r) => r.jobId === job.id);
      if (!shown && (!outcome.lateReceipts || outcome.adjustment.resolvedAt === null || job.createdAt < outcome.adjustment.resolvedAt)) return;
      const receipts = [...outcome.receipts.filter((r) => r.copy !== job.copy), jobOutcome(job)].sort((a, b) => a.copy.localeCompare(b.copy));
      set({ outcome: { ...outcome, receipts } });
    }

    function onEvent(event: ApiEvent): void {
      switch (event.name) {
        case 'adjustment.changed':
          onAdjustment(event.payload);
          break;
        case 'adjustment.recharge':
          set((s) => ({ recharges: { ...s.recharges, [event.payload.id]: event.payload } }));
          if (event.payload.incidentId === get().preview?.incident?.id) schedulePreview();
          break;
        case 'printJob.changed':
          onPrintJob(event.payload);
          break;
        case 'charge.changed':
          if (event.payload.id === get().chargeId && get().preview) schedulePreview();
          break;
      }
    }

    return {
      chargeId: null,
      openSeq: 0,
      preview: null,
      previewLoading: false,
      previewError: null,
      query: '',
      results: null,
      searching: false,
      searchError: null,
      step: null,
      outcome: null,
      executeError: null,
      recharges: {},
      recharging: false,
      rechargeError: null,

      start() {
        if (!api) return () => undefined;
        const offEvents = api.subscribe(onEvent);
        const offConnection = loadOnEachOpen(api, () => void get().loadRecharges());
        return () => {
          offEvents();
          offConnection();
          if (previewTimer) clearTimeout(previewTimer);
          previewTimer = null;
        };
      },

      open(chargeId) {
        // A request still in progress keeps its screen: the manager must see its answer.
        if (get().step === 'sending' || get().step === 'waiting') {
          set((s) => ({ openSeq: s.openSeq + 1 }));
          return;
        }
        previewRequest++;
        set((s) => ({
          chargeId,
          openSeq: s.openSeq + 1,
          preview: null,
          previewError: null,
          previewLoading: false,
          step: null,
          outcome: null,
          executeError: null,
          rechargeError: null,
        }));
      },

      async loadPreview() {
        const { chargeId } = get();
        if (!api || chargeId === null) return;
        const mine = ++previewRequest;
        set({ previewLoading: true });
        try {
          const preview = await api.invoke('adjust.preview', { chargeId });
          if (mine === previewRequest) set({ preview, previewError: null, previewLoading: false });
        } catch (error) {
          if (mine === previewRequest) set({ previewError: fail(error), previewLoading: false });
        }
      },

      setQuery: (query) => set({ query }),

      async search(query) {
        if (!api) return;
        const mine = ++searchRequest;
        set({ searching: true, searchError: null, query });
        try {
          const results = await api.invoke('adjust.find', { query });
          if (mine === searchRequest) set({ results, searching: false });
        } catch (error) {
          if (mine === searchRequest) set({ searchError: fail(error), searching: false, results: null });
        }
      },

      async execute(input) {
        if (!api || get().step === 'sending' || get().step === 'waiting') return false;
        set({ step: 'sending', outcome: null, executeError: null, rechargeError: null });
        try {
          const result = await api.invoke('adjust.execute', input);
          // An event may already have brought a newer state (QT found the answer meanwhile).
          const current = get().outcome?.adjustment;
          const adjustment = current && current.id === result.adjustment.id && current.state !== 'sent' ? current : result.adjustment;
          set({ step: 'answered', outcome: { adjustment, receipts: result.receipts, lateReceipts: result.adjustment.state !== 'approved' } });
          void get().loadPreview();
          return result.adjustment.state === 'approved';
        } catch (error) {
          set({ step: null, executeError: fail(error) });
          void get().loadPreview();
          return false;
        }
      },

      async expectRecharge(incidentId, amountMinor) {
        if (!api || get().recharging) return false;
        set({ recharging: true, rechargeError: null });
        try {
          const recharge = await api.invoke('adjust.expectRecharge', { incidentId, amountMinor });
          set((s) => ({ recharges: { ...s.recharges, [recharge.id]: recharge }, recharging: false }));
          void get().loadPreview();
          return true;
        } catch (error) {
          set({ rechargeError: fail(error), recharging: false });
          return false;
        }
      },

      async loadRecharges() {
        if (!api) return;
        try {
          const list = await api.invoke('adjust.recharges', {});
          set((s) => {
            const recharges = { ...s.recharges };
            for (const r of list) if (!recharges[r.id] || recharges[r.id]!.state === 'waiting') recharges[r.id] = r;
            return { recharges };
          });
        } catch {
          // not connected: loaded again on the next connection
        }
      },
    };
  });
}
