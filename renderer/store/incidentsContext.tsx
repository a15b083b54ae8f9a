import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { createIncidentsStore } from './incidents.js';
import type { IncidentsActions, IncidentsState, IncidentsStore } from './incidents.js';

/** Without a provider (a screen rendered on its own) the incidents store is inert: no API. */
const inert = createIncidentsStore({ api: null });
const IncidentsContext = createContext<IncidentsStore>(inert);

export function IncidentsProvider({ store, children }: { store: IncidentsStore; children: ReactNode }) {
  return <IncidentsContext.Provider value={store}>{children}</IncidentsContext.Provider>;
}

/** Select from the incidents store; return primitives or stable references. */
export function useIncidents<T>(selector: (state: IncidentsState & IncidentsActions) => T): T {
  return useStore(useContext(IncidentsContext), selector);
}
