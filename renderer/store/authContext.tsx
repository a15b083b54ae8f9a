import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { createAuthStore } from './auth.js';
import type { AuthActions, AuthState, AuthStore } from './auth.js';

/** Without a provider (e.g. rendering a screen on its own) the app behaves as "not known yet". */
const inert = createAuthStore({ api: null });
const AuthContext = createContext<AuthStore>(inert);

export function AuthProvider({ store, children }: { store: AuthStore; children: ReactNode }) {
  return <AuthContext.Provider value={store}>{children}</AuthContext.Provider>;
}

export function useAuthStoreApi(): AuthStore {
  return useContext(AuthContext);
}

/** Select from the auth store; return primitives or stable references. */
export function useAuth<T>(selector: (state: AuthState & AuthActions) => T): T {
  return useStore(useContext(AuthContext), selector);
}
