/**
 * Accounts and manager mode on this screen: what `auth.status` says for this transport session,
 * the sign-in dialog, first-run setup. Its own small store (the counter's store knows nothing of
 * it); it re-asks the core whenever `auth.changed` is pushed, the connection comes back, or a
 * command that counts as activity moved the sign-in's end on.
 */
import { createStore } from 'zustand/vanilla';
import type { StoreApi } from 'zustand/vanilla';
import type { ApiErrorShape, CommandInput } from '../../electron/contract/api.js';
import type { AuthStatus } from '../../electron/contract/commands/auth.js';
import { loadOnEachOpen, shapeOf, toApiError } from '../api/wire.js';
import type { RendererApi } from '../api/wire.js';

/** Quiet period before the status is re-fetched after activity (a burst of commands → one fetch). */
export const ACTIVITY_REFRESH_MS = 300;

export interface AuthState {
  /** null until the core answered once. */
  status: AuthStatus | null;
  signInOpen: boolean;
  /** The owner chose "later" on the first-run panel (for this screen, until reload). */
  setupDismissed: boolean;
}

export interface AuthActions {
  start(): () => void;
  refresh(): Promise<void>;
  /** A command that counts as activity went out: the sign-in's end moved. */
  noteActivity(): void;
  openSignIn(): void;
  closeSignIn(): void;
  dismissSetup(): void;
  showSetup(): void;
  /** Each returns null on success, else the error to show where the user typed. */
  setupOwner(input: CommandInput<'auth.setupOwner'>): Promise<ApiErrorShape | null>;
  signIn(userId: number, pin: string): Promise<ApiErrorShape | null>;
  signOut(): Promise<ApiErrorShape | null>;
  createUser(input: CommandInput<'auth.createUser'>): Promise<ApiErrorShape | null>;
}

export type AuthStore = StoreApi<AuthState & AuthActions>;

/** Whether the signed-in role is at least `role` (owner > manager > cashier). */
export function hasRole(status: AuthStatus | null, role: 'manager' | 'owner'): boolean {
  const current = status?.session?.role;
  if (!current) return false;
  return role === 'manager' ? current === 'manager' || current === 'owner' : current === 'owner';
}

export function createAuthStore({ api }: { api: RendererApi | null }): AuthStore {
  let request = 0;
  let activityTimer: ReturnType<typeof setTimeout> | null = null;

  return createStore<AuthState & AuthActions>()((set, get) => {
    function apply(status: AuthStatus) {
      request++; // newer than any status fetch still in flight
      set((state) => ({ status, signInOpen: status.session ? false : state.signInOpen }));
    }

    async function run<T>(fn: (api: RendererApi) => Promise<T>, onOk: (value: T) => void): Promise<ApiErrorShape | null> {
      if (!api) return { code: 'transport.disconnected', message: 'not connected' };
      try {
        onOk(await fn(api));
        return null;
      } catch (error) {
        return shapeOf(toApiError(error));
      }
    }

    return {
      status: null,
      signInOpen: false,
      setupDismissed: false,

      start() {
        if (!api) return () => undefined;
        const offEvents = api.subscribe((event) => {
          if (event.name === 'auth.changed') void get().refresh();
        });
        // A new connection is a new session on the core: nobody is signed in on it any more.
        const offConnection = loadOnEachOpen(api, () => void get().refresh());
        return () => {
          offEvents();
          offConnection();
          if (activityTimer) clearTimeout(activityTimer);
          activityTimer = null;
        };
      },

      async refresh() {
        if (!api) return;
        const mine = ++request;
        try {
          const status = await api.invoke('auth.status', {});
          if (mine === request) set((state) => ({ status, signInOpen: state.signInOpen && !status.session }));
        } catch {
          // Not connected: the connection banner says so, and the next connection refreshes.
        }
      },

      noteActivity() {
        if (!get().status?.session) return;
        if (activityTimer) clearTimeout(activityTimer);
        activityTimer = setTimeout(() => {
          activityTimer = null;
          void get().refresh();
        }, ACTIVITY_REFRESH_MS);
      },

      openSignIn: () => set({ signInOpen: true }),
      closeSignIn: () => set({ signInOpen: false }),
      dismissSetup: () => set({ setupDismissed: true }),
      showSetup: () => set({ setupDismissed: false }),

      setupOwner: (input) => run((a) => a.invoke('auth.setupOwner', input), apply),

      signIn: (userId, pin) =>
        run(
          (a) => a.invoke('auth.signIn', { userId, pin }),
          (status) => apply(status),
        ).then(async (error) => {
          // A lock changes what the user list shows.
          if (error?.code === 'auth.locked') await get().refresh();
          return error;
        }),

      signOut: () => run((a) => a.invoke('auth.signOut', {}), apply),

      createUser: (input) => run((a) => a.invoke('auth.createUser', input), () => void get().refresh()),
    };
  });
}
