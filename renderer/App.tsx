import { useState } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { ErrorBanner } from './components/ErrorBanner.js';
import { SimPanel } from './components/SimPanel.js';
import { Toasts } from './components/Toasts.js';
import { TopBar } from './components/TopBar.js';
import type { Tab } from './components/TopBar.js';
import { CounterScreen } from './screens/CounterScreen.js';
import { HistoryScreen } from './screens/HistoryScreen.js';
import { useAppStore } from './store/context.js';

export function App({ initialTab = 'counter' }: { initialTab?: Tab }) {
  const [tab, setTab] = useState<Tab>(initialTab);
  const waiting = useAppStore((s) => s.queue.length);
  return (
    <div className="app">
      <TopBar tab={tab} onTab={setTab} waiting={waiting} />
      <SimPanel />
      <ConnectionBanner />
      <ErrorBanner />
      <main className="app__main">{tab === 'counter' ? <CounterScreen /> : <HistoryScreen />}</main>
      <Toasts />
    </div>
  );
}
