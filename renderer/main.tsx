import './styles/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './App.js';
import { createApi } from './api/client.js';
import { applyLocale, createI18n, detectLocale } from './i18n/index.js';
import { createAppStore } from './store/appStore.js';
import { StoreProvider } from './store/context.js';

const locale = detectLocale();
const i18n = createI18n(locale);
document.documentElement.lang = locale;

const store = createAppStore({ api: createApi(), locale, onLocaleChange: (next) => applyLocale(i18n, next) });
store.getState().start();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </I18nextProvider>
  </StrictMode>,
);
