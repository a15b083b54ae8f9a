import { useTranslation } from 'react-i18next';
import { LinkBadge } from './LinkBadge.js';
import { LocaleSwitch } from './LocaleSwitch.js';
import { ManagerControls } from './auth/ManagerControls.js';
import { ManageMenu } from './nav/ManageMenu.js';
import type { ManageTarget } from './nav/ManageMenu.js';

export type Tab = 'counter' | 'history' | 'batch' | 'staff' | 'printers' | 'adjust' | 'incidents' | 'settings';

/** The cashier's tabs stay in the bar; every manager and owner screen sits in the "Manage" menu. */
function manageCurrent(tab: Tab): ManageTarget | null {
  return tab === 'printers' || tab === 'staff' || tab === 'settings' ? tab : null;
}

export function TopBar({ tab, onTab, waiting }: { tab: Tab; onTab: (tab: Tab) => void; waiting: number }) {
  const { t } = useTranslation();
  return (
    <header className="topbar">
      <h1 className="topbar__name">{t('app.name')}</h1>
      <nav className="topbar__tabs" aria-label={t('nav.label')}>
        <button
          type="button"
          className="tab"
          data-testid="nav-counter"
          aria-current={tab === 'counter' ? 'page' : undefined}
          onClick={() => onTab('counter')}
        >
          {t('nav.counter')}
          {waiting > 0 && (
            <span className="tab__count" aria-label={t('nav.waiting', { n: waiting })}>
              {waiting}
            </span>
          )}
        </button>
        <button
          type="button"
          className="tab"
          data-testid="nav-history"
          aria-current={tab === 'history' || tab === 'adjust' || tab === 'incidents' ? 'page' : undefined}
          onClick={() => onTab('history')}
        >
          {t('nav.history')}
        </button>
        <button
          type="button"
          className="tab"
          data-testid="nav-batch"
          aria-current={tab === 'batch' ? 'page' : undefined}
          onClick={() => onTab('batch')}
        >
          {t('counter.nav.batch')}
        </button>
        <ManageMenu current={manageCurrent(tab)} onSelect={onTab} />
      </nav>
      <div className="topbar__spacer" />
      <ManagerControls />
      <LinkBadge />
      <LocaleSwitch />
    </header>
  );
}
