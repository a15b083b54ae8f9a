import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { createSettingsStore } from './settings.js';
import type { SettingsActions, SettingsState, SettingsStore } from './settings.js';

/** Without a provider (a screen rendered on its own) the settings store is inert: no API. */
const inert = createSettingsStore({ api: null });
const SettingsContext = createContext<SettingsStore>(inert);

export function SettingsProvider({ store, children }: { store: SettingsStore; children: ReactNode }) {
  return <SettingsContext.Provider value={store}>{children}</SettingsContext.Provider>;
}

export function useSettings<T>(selector: (state: SettingsState & SettingsActions) => T): T {
  return useStore(useContext(SettingsContext), selector);
}
