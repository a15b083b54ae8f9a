import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { createAdjustStore } from './adjust.js';
import type { AdjustActions, AdjustState, AdjustStore } from './adjust.js';

/** Without a provider (a screen rendered on its own) the void/refund store is inert: no API. */
const inert = createAdjustStore({ api: null });
const AdjustContext = createContext<AdjustStore>(inert);

export function AdjustProvider({ store, children }: { store: AdjustStore; children: ReactNode }) {
  return <AdjustContext.Provider value={store}>{children}</AdjustContext.Provider>;
}

export function useAdjustStoreApi(): AdjustStore {
  return useContext(AdjustContext);
}

/** Select from the void/refund store; return primitives or stable references. */
export function useAdjust<T>(selector: (state: AdjustState & AdjustActions) => T): T {
  return useStore(useContext(AdjustContext), selector);
}
