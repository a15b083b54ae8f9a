import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { createDataDirStore } from './dataDir.js';
import type { DataDirActions, DataDirStore, DataDirStoreState } from './dataDir.js';

/** Without a provider (a screen rendered on its own) the store is inert: no API. */
const inert = createDataDirStore({ api: null });
const DataDirContext = createContext<DataDirStore>(inert);

export function DataDirProvider({ store, children }: { store: DataDirStore; children: ReactNode }) {
  return <DataDirContext.Provider value={store}>{children}</DataDirContext.Provider>;
}

export function useDataDir<T>(selector: (state: DataDirStoreState & DataDirActions) => T): T {
  return useStore(useContext(DataDirContext), selector);
}
