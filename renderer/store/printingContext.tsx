import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import { createPrintingStore } from './printing.js';
import type { PrintingActions, PrintingState, PrintingStore } from './printing.js';

/** Without a provider (a screen rendered on its own) the printing store is inert: no API. */
const inert = createPrintingStore({ api: null });
const PrintingContext = createContext<PrintingStore>(inert);

export function PrintingProvider({ store, children }: { store: PrintingStore; children: ReactNode }) {
  return <PrintingContext.Provider value={store}>{children}</PrintingContext.Provider>;
}

/** Select from the printing store; return primitives or stable references. */
export function usePrinting<T>(selector: (state: PrintingState & PrintingActions) => T): T {
  return useStore(useContext(PrintingContext), selector);
}
