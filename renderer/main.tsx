import './styles/app.css';
import './styles/auth.css';
import './styles/printing.css';
import './styles/setup.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App.js';
import { createApi } from './api/client.js';
import { withActivity } from './api/activity.js';
import { applyLocale, createI18n, detectLocale } from './i18n/index.js';
import { createAppStore } from './store/appStore.js';
import { StoreProvider } from './store/context.js';
import { createAuthStore } from './store/auth.js';
import { AuthProvider } from './store/authContext.js';
import { createCounterStore } from './store/counter.js';
import { CounterProvider } from './store/counterContext.js';
import { loadVolume, webAudioPlayer } from './sound/cues.js';
import { createPrintingStore } from './store/printing.js';
import { PrintingProvider } from './store/printingContext.js';
import { createAdjustStore } from './store/adjust.js';
import { AdjustProvider } from './store/adjustContext.js';
import { createIncidentsStore } from './store/incidents.js';
import { IncidentsProvider } from './store/incidentsContext.js';
import { createSettingsStore } from './store/settings.js';
import { SettingsProvider } from './store/settingsContext.js';
import { createSetupStore } from './store/setup.js';
import { SetupProvider } from './store/setupContext.js';
import { createDataDirStore } from './store/dataDir.js';
import { DataDirProvider } from './store/dataDirContext.js';
import { applyStoredComfort } from './settings/comfort.js';

const locale = detectLocale();
const i18n = createI18n(locale);
document.documentElement.lang = locale;
applyStoredComfort();

const baseApi = createApi();
const auth = createAuthStore({ api: baseApi });
auth.getState().start();
// Each command that counts as activity moves the manager's automatic sign-out on: re-read it.
const api = withActivity(baseApi, () => auth.getState().noteActivity());
const store = createAppStore({ api, locale, onLocaleChange: (next) => applyLocale(i18n, next) });
store.getState().start();
const counter = createCounterStore({
  api,
  player: webAudioPlayer(),
  volume: loadVolume(),
  // The cashier called the manager (M, or the button): open the manager sign-in.
  onManagerRequest: () => {
    const state = auth.getState();
    if (state.status && !state.status.session && !state.signInOpen) {
      if (state.status.needsSetup) state.showSetup();
      else state.openSignIn();
    }
  },
});
counter.getState().start();
const printing = createPrintingStore({ api });
printing.getState().start();
const adjust = createAdjustStore({ api });
adjust.getState().start();
const incidents = createIncidentsStore({ api });
incidents.getState().start();
const settings = createSettingsStore({ api });
const setup = createSetupStore({ api });
setup.getState().start();
const dataDir = createDataDirStore({ api });
dataDir.getState().start();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <StoreProvider store={store}>
        <AuthProvider store={auth}>
          <CounterProvider store={counter}>
            <PrintingProvider store={printing}>
              <AdjustProvider store={adjust}>
                <IncidentsProvider store={incidents}>
                  <SettingsProvider store={settings}>
                    <SetupProvider store={setup}>
                      <DataDirProvider store={dataDir}>
                        <App />
                      </DataDirProvider>
                    </SetupProvider>
                  </SettingsProvider>
                </IncidentsProvider>
              </AdjustProvider>
            </PrintingProvider>
          </CounterProvider>
        </AuthProvider>
      </StoreProvider>
    </I18nextProvider>
  </StrictMode>,
);
