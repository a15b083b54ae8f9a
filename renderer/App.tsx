import { useEffect, useRef, useState } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { ErrorBanner } from './components/ErrorBanner.js';
import { SimPanel } from './components/SimPanel.js';
import { Toasts } from './components/Toasts.js';
import { SetupWizard } from './components/setup/SetupWizard.js';
import { SignInDialog } from './components/auth/SignInDialog.js';
import { TopBar } from './components/TopBar.js';
import type { Tab } from './components/TopBar.js';
import { CounterScreen } from './screens/CounterScreen.js';
import { HistoryScreen } from './screens/HistoryScreen.js';
import { BatchScreen } from './screens/BatchScreen.js';
import { StaffScreen } from './screens/StaffScreen.js';
import { PrintersScreen } from './screens/PrintersScreen.js';
import { AdjustScreen } from './screens/AdjustScreen.js';
import { IncidentsScreen } from './screens/IncidentsScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { useAppStore } from './store/context.js';
import { useAdjust } from './store/adjustContext.js';
import { useIncidents } from './store/incidentsContext.js';

export function App({ initialTab = 'counter' }: { initialTab?: Tab }) {
  const [tab, setTab] = useState<Tab>(initialTab);
  const waiting = useAppStore((s) => Math.max(s.queueTotal, s.queue.length));
  // "Void / refund" opened from the counter, History or the manager's M flow shows its screen.
  const adjustOpened = useAdjust((s) => s.openSeq);
  const seenAdjustOpen = useRef(adjustOpened);
  useEffect(() => {
    if (adjustOpened === seenAdjustOpen.current) return;
    seenAdjustOpen.current = adjustOpened;
    setTab('adjust');
  }, [adjustOpened]);
  // The History tab's switch between the charges and the incident log.
  const logNav = useIncidents((s) => s.nav);
  const seenLogNav = useRef(logNav.seq);
  useEffect(() => {
    if (logNav.seq === seenLogNav.current) return;
    seenLogNav.current = logNav.seq;
    setTab(logNav.target);
  }, [logNav]);
  return (
    <div className="app">
      <TopBar tab={tab} onTab={setTab} waiting={waiting} />
      <SimPanel />
      <ConnectionBanner />
      <ErrorBanner />
      <SetupWizard hidden={tab !== 'counter'} />
      <main className="app__main">{tab === 'counter' ? <CounterScreen /> : tab === 'staff' ? <StaffScreen /> : tab === 'printers' ? <PrintersScreen /> : tab === 'batch' ? <BatchScreen /> : tab === 'adjust' ? <AdjustScreen /> : tab === 'incidents' ? <IncidentsScreen /> : tab === 'settings' ? <SettingsScreen /> : <HistoryScreen />}</main>
      <SignInDialog keyEnabled={tab === 'counter'} />
      <Toasts />
    </div>
  );
}
