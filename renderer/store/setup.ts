/**
 * The first-run wizard's and the Settings screen's view of the setup: the shop profile, the
 * terminal (devices, choice, connection test), the backup folder and the backups. Its own small
 * store; every change goes through the contract and the core checks who may make it.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape, ApiEvent } from '../../electron/contract/api.js';
import type { BackupsState, ConnectionTest, SetupState, ShopProfile, TerminalChoice, TerminalList } from '../../electron/contract/commands/setup.js';
import { loadOnEachOpen, shapeOf, toApiError } from '../api/wire.js';
import type { RendererApi } from '../api/wire.js';

export interface SetupStoreState {
  /** null until the core answered once. */
  setup: SetupState | null;
  terminals: TerminalList | null;
  terminalsLoading: boolean;
  testing: boolean;
  test: ConnectionTest | null;
  testError: ApiErrorShape | null;
  backups: BackupsState | null;
  backingUp: boolean;
  backupError: ApiErrorShape | null;
}

export interface SetupActions {
  start(): () => void;
  load(): Promise<void>;
  /** Each returns null on success, else the error to show beside the step. */
  saveShop(shop: ShopProfile): Promise<ApiErrorShape | null>;
  loadTerminals(): Promise<void>;
  chooseTerminal(choice: TerminalChoice): Promise<ApiErrorShape | null>;
  testConnection(): Promise<void>;
  setBackupFolder(folder: string | null): Promise<ApiErrorShape | null>;
  complete(): Promise<ApiErrorShape | null>;
  loadBackups(): Promise<void>;
  takeBackup(): Promise<void>;
}

export type SetupStore = StoreApi<SetupStoreState & SetupActions>;

export function createSetupStore({ api }: { api: RendererApi | null }): SetupStore {
  return createStore<SetupStoreState & SetupActions>()((set, get) => {
    const fail = (error: unknown): ApiErrorShape => shapeOf(toApiError(error));
    async function change(run: (api: RendererApi) => Promise<SetupState>): Promise<ApiErrorShape | null> {
      if (!api) return null;
      try {
        set({ setup: await run(api) });
        return null;
      } catch (error) {
        return fail(error);
      }
    }
    return {
      setup: null,
      terminals: null,
      terminalsLoading: false,
      testing: false,
      test: null,
      testError: null,
      backups: null,
      backingUp: false,
      backupError: null,

      start() {
        if (!api) return () => undefined;
        const offEvents = api.subscribe((event: ApiEvent) => {
          // The link moved (unplug, reconnect, another terminal): what is listed as running is stale.
          if (event.name === 'link.state' && get().terminals) void get().loadTerminals();
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
          set({ setup: await api.invoke('setup.get', {}) });
        } catch {
          // Not reachable now: the wizard waits for the connection to come back.
        }
      },

      saveShop: (shop) => change((a) => a.invoke('setup.saveShop', { shop })),

      async loadTerminals() {
        if (!api) return;
        set({ terminalsLoading: true });
        try {
          set({ terminals: await api.invoke('setup.terminals', {}), terminalsLoading: false });
        } catch {
          set({ terminalsLoading: false });
        }
      },

      async chooseTerminal(choice) {
        if (!api) return null;
        try {
          const terminals = await api.invoke('setup.chooseTerminal', { choice });
          set({ terminals, test: null, testError: null });
          await get().load();
          return null;
        } catch (error) {
          return fail(error);
        }
      },

      async testConnection() {
        if (!api || get().testing) return;
        set({ testing: true, testError: null });
        try {
          set({ test: await api.invoke('setup.testConnection', {}), testing: false });
        } catch (error) {
          set({ test: null, testError: fail(error), testing: false });
        }
      },

      setBackupFolder: async (folder) => {
        const error = await change((a) => a.invoke('setup.setBackupFolder', { folder }));
        if (!error) await get().loadBackups();
        return error;
      },

      complete: () => change((a) => a.invoke('setup.complete', {})),

      async loadBackups() {
        if (!api) return;
        try {
          set({ backups: await api.invoke('backups.list', {}) });
        } catch (error) {
          set({ backupError: fail(error) });
        }
      },

      async takeBackup() {
        if (!api || get().backingUp) return;
        set({ backingUp: true, backupError: null });
        try {
          set({ backups: await api.invoke('backups.take', {}), backingUp: false });
        } catch (error) {
          set({ backingUp: false, backupError: fail(error) });
        }
      },
    };
  });
}
