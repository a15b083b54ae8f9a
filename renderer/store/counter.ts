/**
 * The counter's own state beside the app store: the counter settings (blind re-key), this screen's
 * re-key results, the flag dialog, the "manager needed" call, the open batch and settling it, and
 * the flag sound cues. It listens to the same pushed events as the app store.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape, ApiEvent, CommandInput } from '../../electron/contract/api.js';
import type { BatchStatus, CounterSettings, FlagCause, SettlementReport } from '../../electron/contract/counterSchemas.js';
import type { Charge, FlagKind } from '../../electron/contract/schemas.js';
import { loadOnEachOpen, shapeOf, toApiError } from '../api/wire.js';
import type { RendererApi } from '../api/wire.js';
import { DEFAULT_VOLUME, newFlagKinds, saveVolume, type CuePlayer, type Volume } from '../sound/cues.js';

/** Quiet period before the batch status is re-fetched after charge changes. */
export const BATCH_REFRESH_MS = 300;
/**
 * While charges keep arriving, at most one batch status a second: it sums the whole open batch in
 * the core, and a flood of tens of thousands of charges must not spend the core's time on it.
 */
export const BATCH_BUSY_REFRESH_MS = 1000;
/** How many charges' flags are remembered to tell new flags from known ones. */
const SEEN_LIMIT = 2000;

/** The outcome of re-keying a charge on this screen. */
export interface RekeyResult {
  chargeId: number;
  rekeyedMinor: number;
  match: boolean;
}

/** The flag dialog, open for one charge; `intendedMinor` prefills it (the re-keyed amount). */
export interface FlagDraft {
  chargeId: number;
  intendedMinor: number | null;
}

export interface CounterState {
  settings: CounterSettings | null;
  batch: BatchStatus | null;
  rekeys: Record<number, RekeyResult>;
  rekeyingId: number | null;
  rekeyError: ApiErrorShape | null;
  flagDraft: FlagDraft | null;
  flagging: boolean;
  flagError: ApiErrorShape | null;
  /** The cashier called the manager (M): shown until a manager signs in or it is dismissed. */
  managerRequest: { chargeId: number | null } | null;
  settling: boolean;
  settleResult: SettlementReport | null;
  settleError: ApiErrorShape | null;
  savingSettings: boolean;
  settingsError: ApiErrorShape | null;
  volume: Volume;
  /** The kinds of the last cue played (shown to assistive tech and tests). */
  lastCue: FlagKind[];
}

export interface FlagInput {
  chargeId: number;
  intendedMinor: number;
  cause: FlagCause;
  note?: string;
}

export interface CounterActions {
  start(): () => void;
  refreshSettings(): Promise<void>;
  refreshBatch(): Promise<void>;
  rekey(chargeId: number, rekeyedMinor: number): Promise<RekeyResult | null>;
  openFlag(chargeId: number, intendedMinor?: number | null): void;
  closeFlag(): void;
  flag(input: FlagInput): Promise<boolean>;
  /** The cashier calls the manager; `onManagerRequest` (the sign-in dialog) is told. */
  requestManager(chargeId?: number | null): void;
  clearManagerRequest(): void;
  settle(): Promise<SettlementReport | null>;
  dismissSettleResult(): void;
  updateSettings(patch: CommandInput<'settings.counter.update'>): Promise<boolean>;
  setVolume(volume: Volume): void;
}

export type CounterStore = StoreApi<CounterState & CounterActions>;

export interface CounterStoreOptions {
  api: RendererApi | null;
  player?: CuePlayer;
  volume?: Volume;
  /** Called when the cashier calls the manager (e.g. to open the sign-in dialog). */
  onManagerRequest?: () => void;
}

export function createCounterStore({ api, player, volume = DEFAULT_VOLUME, onManagerRequest }: CounterStoreOptions): CounterStore {
  let batchRequest = 0;
  let settingsRequest = 0;
  let batchTimer: ReturnType<typeof setTimeout> | null = null;
  let lastBatchRefresh = -Infinity;
  /** Flags of each charge as last seen, to cue only what is new. */
  const seen = new Map<number, Charge>();

  function remember(charge: Charge): void {
    seen.delete(charge.id);
    seen.set(charge.id, charge);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.keys().next().value as number);
  }

  return createStore<CounterState & CounterActions>()((set, get) => {
    /** At most one refetch per quiet period, however many changes arrive (a flood never starves it). */
    function scheduleBatchRefresh(): void {
      if (batchTimer) return;
      const wait = Math.max(BATCH_REFRESH_MS, lastBatchRefresh + BATCH_BUSY_REFRESH_MS - Date.now());
      batchTimer = setTimeout(() => {
        batchTimer = null;
        lastBatchRefresh = Date.now();
        void get().refreshBatch();
      }, wait);
    }

    function onCharge(charge: Charge): void {
      const previous = seen.get(charge.id);
      remember(charge);
      // Only a charge still waiting for the cashier calls for attention.
      if (charge.status === 'pending') {
        const kinds = newFlagKinds(previous, charge);
        if (kinds.length > 0) {
          set({ lastCue: kinds });
          player?.play(kinds, get().volume);
        }
      }
      // This screen's re-key of a charge no longer waiting is done with.
      if (charge.status !== 'pending' && get().rekeys[charge.id]) {
        set((s) => {
          const rekeys = { ...s.rekeys };
          delete rekeys[charge.id];
          return { rekeys };
        });
      }
      scheduleBatchRefresh();
    }

    function onEvent(event: ApiEvent): void {
      switch (event.name) {
        case 'charge.changed':
          onCharge(event.payload);
          break;
        case 'counter.settings':
          settingsRequest++;
          set({ settings: event.payload });
          break;
        case 'batch.settled':
          scheduleBatchRefresh();
          break;
      }
    }

    async function seedSeen(): Promise<void> {
      if (!api) return;
      try {
        for (const charge of await api.invoke('charges.queue', {})) if (!seen.has(charge.id)) remember(charge);
      } catch {
        // not connected: the next connection seeds again
      }
    }

    return {
      settings: null,
      batch: null,
      rekeys: {},
      rekeyingId: null,
      rekeyError: null,
      flagDraft: null,
      flagging: false,
      flagError: null,
      managerRequest: null,
      settling: false,
      settleResult: null,
      settleError: null,
      savingSettings: false,
      settingsError: null,
      volume,
      lastCue: [],

      start() {
        if (!api) return () => undefined;
        const offEvents = api.subscribe(onEvent);
        const offConnection = loadOnEachOpen(api, () => {
          void seedSeen();
          void get().refreshSettings();
          void get().refreshBatch();
        });
        return () => {
          offEvents();
          offConnection();
          if (batchTimer) clearTimeout(batchTimer);
          batchTimer = null;
        };
      },

      async refreshSettings() {
        if (!api) return;
        const mine = ++settingsRequest;
        try {
          const settings = await api.invoke('settings.counter.get', {});
          if (mine === settingsRequest) set({ settings });
        } catch {
          // not connected: refreshed on the next connection
        }
      },

      async refreshBatch() {
        if (!api) return;
        const mine = ++batchRequest;
        try {
          const batch = await api.invoke('batch.status', {});
          if (mine === batchRequest) set({ batch });
        } catch {
          // not connected: refreshed on the next connection
        }
      },

      async rekey(chargeId, rekeyedMinor) {
        if (!api || get().rekeyingId !== null) return null;
        set({ rekeyingId: chargeId, rekeyError: null });
        try {
          const { match } = await api.invoke('charges.rekey', { chargeId, rekeyedMinor });
          const result: RekeyResult = { chargeId, rekeyedMinor, match };
          set((s) => ({ rekeys: { ...s.rekeys, [chargeId]: result } }));
          return result;
        } catch (error) {
          set({ rekeyError: shapeOf(toApiError(error)) });
          return null;
        } finally {
          set({ rekeyingId: null });
        }
      },

      openFlag(chargeId, intendedMinor) {
        const prefill = intendedMinor ?? get().rekeys[chargeId]?.rekeyedMinor ?? null;
        set({ flagDraft: { chargeId, intendedMinor: prefill }, flagError: null });
      },

      closeFlag: () => set({ flagDraft: null, flagError: null }),

      async flag(input) {
        if (!api || get().flagging) return false;
        set({ flagging: true, flagError: null });
        try {
          const { charge } = await api.invoke('charges.flag', {
            chargeId: input.chargeId,
            intendedMinor: input.intendedMinor,
            cause: input.cause,
            ...(input.note?.trim() ? { note: input.note.trim() } : {}),
          });
          remember(charge);
          set((s) => ({
            flagDraft: null,
            managerRequest: s.managerRequest?.chargeId === input.chargeId ? null : s.managerRequest,
          }));
          scheduleBatchRefresh();
          return true;
        } catch (error) {
          set({ flagError: shapeOf(toApiError(error)) });
          return false;
        } finally {
          set({ flagging: false });
        }
      },

      requestManager(chargeId = null) {
        set({ managerRequest: { chargeId } });
        onManagerRequest?.();
      },

      clearManagerRequest: () => set({ managerRequest: null }),

      async settle() {
        if (!api || get().settling) return null;
        set({ settling: true, settleError: null, settleResult: null });
        try {
          const report = await api.invoke('batch.settle', {});
          set({ settleResult: report });
          return report;
        } catch (error) {
          set({ settleError: shapeOf(toApiError(error)) });
          return null;
        } finally {
          set({ settling: false });
          void get().refreshBatch();
        }
      },

      dismissSettleResult: () => set({ settleResult: null, settleError: null }),

      async updateSettings(patch) {
        if (!api || get().savingSettings) return false;
        set({ savingSettings: true, settingsError: null });
        try {
          const settings = await api.invoke('settings.counter.update', patch);
          settingsRequest++;
          set({ settings });
          return true;
        } catch (error) {
          set({ settingsError: shapeOf(toApiError(error)) });
          return false;
        } finally {
          set({ savingSettings: false });
        }
      },

      setVolume(next) {
        saveVolume(next);
        set({ volume: next });
      },
    };
  });
}
