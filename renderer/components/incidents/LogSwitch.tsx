import '../../styles/incidents.css';
import { useTranslation } from 'react-i18next';
import type { IncidentsView } from '../../store/incidents.js';
import { useIncidents } from '../../store/incidentsContext.js';

/**
 * The History tab holds two logs: the charges and the incidents (with their dashboard and export).
 * The top bar has no room for another tab at 1280 px, so the incident log lives here, one click
 * from the charges it is about.
 */
export function LogSwitch({ current }: { current: 'charges' | IncidentsView }) {
  const { t } = useTranslation();
  const navigate = useIncidents((s) => s.navigate);
  const entries: Array<{ key: 'charges' | IncidentsView; testId: string; label: string }> = [
    { key: 'charges', testId: 'nav-charges', label: t('incidents.switch.charges') },
    { key: 'list', testId: 'nav-incidents', label: t('incidents.switch.incidents') },
    { key: 'dashboard', testId: 'incidents-view-dashboard', label: t('incidents.switch.dashboard') },
    { key: 'export', testId: 'incidents-view-export', label: t('incidents.switch.export') },
  ];
  return (
    <nav className="log-switch" aria-label={t('incidents.switch.label')}>
      {entries.map((e) => (
        <button
          key={e.key}
          type="button"
          className="log-switch__button"
          data-testid={e.testId}
          aria-current={current === e.key ? 'page' : undefined}
          onClick={() => (e.key === 'charges' ? navigate('history') : navigate('incidents', e.key))}
        >
          {e.label}
        </button>
      ))}
    </nav>
  );
}
