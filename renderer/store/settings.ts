/** The Settings screen's state: the audit chain check it runs on demand. */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape } from '../../electron/contract/api.js';
import type { AuditVerification } from '../../electron/contract/schemas.js';
import { shapeOf, toApiError } from '../api/wire.js';
import type { RendererApi } from '../api/wire.js';

export interface SettingsState {
  /** The audit chain's newest entry as last read (status pushes do not follow every audit row). */
  head: { seq: number; hash: string } | null;
  headLoaded: boolean;
  verifying: boolean;
  verification: AuditVerification | null;
  verifyError: ApiErrorShape | null;
}

export interface SettingsActions {
  /** Reads the audit chain head afresh. */
  refreshHead(): Promise<void>;
  /** Runs `audit.verify` over the whole chain. */
  verifyAudit(): Promise<void>;
}

export type SettingsStore = StoreApi<SettingsState & SettingsActions>;

export function createSettingsStore({ api }: { api: RendererApi | null }): SettingsStore {
  return createStore<SettingsState & SettingsActions>()((set, get) => ({
    head: null,
    headLoaded: false,
    verifying: false,
    verification: null,
    verifyError: null,
    async refreshHead() {
      if (!api) return;
      try {
        const status = await api.invoke('status.get', {});
        set({ head: status.auditHead, headLoaded: true });
      } catch {
        // Not reachable now: the head from the last status stays on screen.
      }
    },
    async verifyAudit() {
      if (!api || get().verifying) return;
      set({ verifying: true, verifyError: null });
      try {
        const verification = await api.invoke('audit.verify', {});
        set({ verifying: false, verification });
        await get().refreshHead();
      } catch (error) {
        set({ verifying: false, verification: null, verifyError: shapeOf(toApiError(error)) });
      }
    },
  }));
}
