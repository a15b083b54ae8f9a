import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { createCounterStore } from './counter.js';
import type { CounterActions, CounterState, CounterStore } from './counter.js';

/** Without a provider (a screen rendered on its own) the counter store is inert: no API, no sound. */
const inert = createCounterStore({ api: null });
const CounterContext = createContext<CounterStore>(inert);

export function CounterProvider({ store, children }: { store: CounterStore; children: ReactNode }) {
  return <CounterContext.Provider value={store}>{children}</CounterContext.Provider>;
}

export function useCounterStoreApi(): CounterStore {
  return useContext(CounterContext);
}

/** Select from the counter store; return primitives or stable references. */
export function useCounter<T>(selector: (state: CounterState & CounterActions) => T): T {
  return useStore(useContext(CounterContext), selector);
}
