import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { createSetupStore } from './setup.js';
import type { SetupActions, SetupStore, SetupStoreState } from './setup.js';

/** Without a provider (a screen rendered on its own) the setup store is inert: no API. */
const inert = createSetupStore({ api: null });
const SetupContext = createContext<SetupStore>(inert);

export function SetupProvider({ store, children }: { store: SetupStore; children: ReactNode }) {
  return <SetupContext.Provider value={store}>{children}</SetupContext.Provider>;
}

export function useSetup<T>(selector: (state: SetupStoreState & SetupActions) => T): T {
  return useStore(useContext(SetupContext), selector);
}
