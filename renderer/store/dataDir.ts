/**
 * The data folder as the wizard's folders step and Settings show it: where it is and why, and
 * "Move data to…" with its progress, result and errors. Its own small store; the core checks who
 * may move.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape, ApiEvent, EventPayload } from '../../electron/contract/api.js';
import type { DataDirState } from '../../electron/contract/commands/dataDir.js';
import { loadOnEachOpen, shapeOf, toApiError } from '../api/wire.js';
import type { RendererApi } from '../api/wire.js';

export interface DataDirStoreState {
  /** null until the core answered once. */
  state: DataDirState | null;
  busy: boolean;
  progress: EventPayload<'datadir.progress'> | null;
  error: ApiErrorShape | null;
  /** The folder of the last refusal "already holds a ledger": it may be used as it is. */
  offerExisting: string | null;
}

export interface DataDirActions {
  start(): () => void;
  load(): Promise<void>;
  move(folder: string, useExisting?: boolean): Promise<void>;
  restart(): Promise<void>;
}

export type DataDirStore = StoreApi<DataDirStoreState & DataDirActions>;

export function createDataDirStore({ api }: { api: RendererApi | null }): DataDirStore {
  return createStore<DataDirStoreState & DataDirActions>()((set, get) => ({
    state: null,
    busy: false,
    progress: null,
    error: null,
    offerExisting: null,

    start() {
      if (!api) return () => undefined;
      const offEvents = api.subscribe((event: ApiEvent) => {
        if (event.name === 'datadir.progress' && get().busy) set({ progress: event.payload });
      });
      const offConnection = loadOnEachOpen(api, () => void get().load());
      return () => {
        offEvents();
        offConnection();
      };
    },

    async load() {
      if (!api) return;
      try {
        set({ state: await api.invoke('datadir.get', {}) });
      } catch {
        // Not reachable now: loaded again when the connection is back.
      }
    },

    async move(folder, useExisting = false) {
      if (!api || get().busy) return;
      set({ busy: true, progress: null, error: null, offerExisting: null });
      try {
        set({ state: await api.invoke('datadir.move', { folder, useExisting }), busy: false, progress: null });
      } catch (error) {
        const shape = shapeOf(toApiError(error));
        set({ busy: false, progress: null, error: shape, offerExisting: shape.code === 'datadir.holds_ledger' ? (shape.params?.folder ?? folder) : null });
      }
    },

    async restart() {
      if (!api) return;
      try {
        await api.invoke('datadir.restart', {});
      } catch (error) {
        set({ error: shapeOf(toApiError(error)) });
      }
    },
  }));
}
