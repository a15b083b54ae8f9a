/**
 * The simulator switch replaces the terminal link (a real terminal is disconnected): the core allows
 * it to managers only, and the screen says so — disabled, with the reason, until a manager signs in.
 */
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it } from 'vitest';
import type { AuthStatus } from '../../../electron/contract/commands/auth.js';
import { SimPanel } from '../../../renderer/components/SimPanel.js';
import { createI18n } from '../../../renderer/i18n/index.js';
import { createAppStore } from '../../../renderer/store/appStore.js';
import { createAuthStore } from '../../../renderer/store/auth.js';
import { AuthProvider } from '../../../renderer/store/authContext.js';
import { StoreProvider } from '../../../renderer/store/context.js';
import { fakeApi } from './fakeApi.js';
import { status } from './fixtures.js';

const users: AuthStatus['users'] = [{ id: 2, name: 'Zhang Min', role: 'manager', locked: false, lockedUntil: null }];
const manager: AuthStatus = { needsSetup: false, session: { userId: 2, name: 'Zhang Min', role: 'manager', expiresAt: new Date(Date.now() + 60_000).toISOString() }, users };
const cashier: AuthStatus = { needsSetup: false, session: null, users };

function paint(auth: AuthStatus, locale: 'en' | 'zh-CN' = 'en'): string {
  const app = createAppStore({ api: fakeApi().api, locale });
  app.setState({ status: status({ simulator: true }), connection: { kind: 'open' } });
  app.getInitialState = app.getState;
  const authStore = createAuthStore({ api: null });
  authStore.setState({ status: auth });
  authStore.getInitialState = authStore.getState;
  return renderToString(
    <I18nextProvider i18n={createI18n(locale)}>
      <StoreProvider store={app}>
        <AuthProvider store={authStore}>
          <SimPanel />
        </AuthProvider>
      </StoreProvider>
    </I18nextProvider>,
  );
}

const toggle = (html: string) => html.match(/<input[^>]*data-testid="sim-toggle"[^>]*>/)?.[0] ?? '';

describe('the simulator switch', () => {
  it.each(['en', 'zh-CN'] as const)('is disabled for the cashier, with the reason (%s)', (locale) => {
    const html = paint(cashier, locale);
    expect(toggle(html)).toMatch(/disabled=""/);
    expect(html).toContain(`title="${createI18n(locale).t('sim.managerOnly')}"`);
  });

  it('works for a signed-in manager', () => {
    const html = paint(manager);
    expect(toggle(html)).not.toBe('');
    expect(toggle(html)).not.toMatch(/disabled/);
    expect(html).not.toContain('title=');
  });
});
