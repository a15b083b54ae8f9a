import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../store/context.js';
import { useIncidents } from '../../store/incidentsContext.js';
import { ApprovalPolicyPanel } from './ApprovalPolicyPanel.js';
import { IncidentChart } from './IncidentChart.js';
import { incidentErrorText, money, when } from './text.js';

const WEEK_CHOICES = [4, 8, 12, 26];

/** Incidents by cause per week, the money at risk / returned / held, and what is held until paid out. */
export function IncidentDashboardView() {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const dashboard = useIncidents((s) => s.dashboard);
  const weeks = useIncidents((s) => s.dashboardWeeks);
  const error = useIncidents((s) => s.dashboardError);
  const load = useIncidents((s) => s.loadDashboard);
  const items = useIncidents((s) => s.items);
  const open = useIncidents((s) => s.open);
  const setView = useIncidents((s) => s.setView);

  // Again whenever an incident changed (the list hears every change).
  useEffect(() => {
    void load();
  }, [load, items]);

  if (error) {
    return (
      <div className="banner banner--error" role="alert">
        <span className="banner__text">{incidentErrorText(t, error)}</span>
      </div>
    );
  }
  if (!dashboard) return <p className="muted">{t('incidents.loading')}</p>;
  const total = Object.values(dashboard.byStatus).reduce((a, b) => a + b, 0);
  return (
    <div className="incident-dashboard" data-testid="incidents-dashboard">
      <div className="incident-dashboard__head">
        <h3>{t('incidents.dashboard.chartTitle')}</h3>
        <label className="field field--inline">
          <span className="field__label">{t('incidents.dashboard.weeks')}</span>
          <select className="input" data-testid="dashboard-weeks" value={weeks} onChange={(e) => void load(Number(e.target.value))}>
            {WEEK_CHOICES.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">{t('incidents.dashboard.total', { n: total })}</span>
      </div>
      <IncidentChart dashboard={dashboard} />
      <div className="incident-money">
        {(dashboard.money.length ? dashboard.money : [{ currency: null, atRiskMinor: 0, returnedMinor: 0, suspenseMinor: 0 }]).map((m) => (
          <div className="incident-money__row" key={m.currency ?? 'none'} data-currency={m.currency ?? ''}>
            <div className="incident-money__tile incident-money__tile--risk" data-testid="money-at-risk" data-minor={m.atRiskMinor}>
              <span className="incident-money__label">{t('incidents.dashboard.atRisk')}</span>
              <span className="incident-money__value">{money(m.atRiskMinor, m.currency, locale)}</span>
            </div>
            <div className="incident-money__tile incident-money__tile--returned" data-testid="money-returned" data-minor={m.returnedMinor}>
              <span className="incident-money__label">{t('incidents.dashboard.returned')}</span>
              <span className="incident-money__value">{money(m.returnedMinor, m.currency, locale)}</span>
            </div>
            <div className="incident-money__tile incident-money__tile--suspense" data-testid="money-suspense" data-minor={m.suspenseMinor}>
              <span className="incident-money__label">{t('incidents.dashboard.suspense')}</span>
              <span className="incident-money__value">{money(m.suspenseMinor, m.currency, locale)}</span>
            </div>
          </div>
        ))}
      </div>
      <h3>{t('incidents.dashboard.suspenseList')}</h3>
      {dashboard.suspense.length === 0 ? (
        <p className="muted" data-testid="suspense-empty">
          {t('incidents.dashboard.noSuspense')}
        </p>
      ) : (
        <ul className="incident-list-plain">
          {dashboard.suspense.map((s) => (
            <li key={s.id} data-testid="suspense-row" data-incident-id={s.id} data-minor={s.suspenseMinor}>
              <button
                type="button"
                className="button button--ghost"
                onClick={() => {
                  setView('list');
                  void open(s.id);
                }}
              >
                #{s.id} · {t(`incidents.kind.${s.kind}`)} · {money(s.suspenseMinor, s.currency, locale)} · {s.contactMasked ?? '—'} · {when(s.updatedAt, locale)}
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('incidents.dashboard.byStatus')}</h3>
      <ul className="incident-status-counts">
        {Object.entries(dashboard.byStatus).map(([status, n]) => (
          <li key={status}>
            <span className={`incident-status incident-status--${status}`}>{t(`incidents.status.${status}`)}</span> {n}
          </li>
        ))}
      </ul>
      <ApprovalPolicyPanel />
    </div>
  );
}
