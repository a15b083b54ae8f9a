import { useState } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { ErrorBanner } from './components/ErrorBanner.js';
import { SimPanel } from './components/SimPanel.js';
import { Toasts } from './components/Toasts.js';
import { SetupPanel } from './components/auth/SetupPanel.js';
import { SignInDialog } from './components/auth/SignInDialog.js';
import { TopBar } from './components/TopBar.js';
import type { Tab } from './components/TopBar.js';
import { CounterScreen } from './screens/CounterScreen.js';
import { HistoryScreen } from './screens/HistoryScreen.js';
import { BatchScreen } from './screens/BatchScreen.js';
import { StaffScreen } from './screens/StaffScreen.js';
import { PrintersScreen } from './screens/PrintersScreen.js';
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
      <SetupPanel />
      <main className="app__main">{tab === 'counter' ? <CounterScreen /> : tab === 'staff' ? <StaffScreen /> : tab === 'printers' ? <PrintersScreen /> : tab === 'batch' ? <BatchScreen /> : <HistoryScreen />}</main>
      <SignInDialog keyEnabled={tab === 'counter'} />
      <Toasts />
    </div>
  );
}
