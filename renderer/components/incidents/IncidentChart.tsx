/**
 * Incidents by cause per week: stacked bars drawn as SVG by React. No charting library: the few
 * rectangles and labels need none, nothing is injected into the page (no <style> elements, no
 * inline style attributes — colours come from classes in incidents.css), so the strict CSP holds,
 * and the chart renders the same in tests (renderToString) as on screen.
 */
import { useTranslation } from 'react-i18next';
import type { IncidentDashboard } from '../../../electron/contract/commands/incidents.js';

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { left: 36, right: 8, top: 12, bottom: 34 };

/** Round up to a "nice" axis maximum (1, 2, 5 × 10^n). */
export function niceMax(n: number): number {
  if (n <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
  return 10 * p;
}

export function IncidentChart({ dashboard }: { dashboard: IncidentDashboard }) {
  const { t } = useTranslation();
  const { weeks, causes } = dashboard;
  const totals = weeks.map((w) => causes.reduce((s, c) => s + (w.counts[c] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, weeks.length);
  const barW = Math.max(6, slot * 0.6);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = [0, max / 2, max].filter((v, i, a) => Number.isInteger(v) && a.indexOf(v) === i);
  const used = causes.filter((c) => weeks.some((w) => (w.counts[c] ?? 0) > 0));

  return (
    <figure className="incident-chart" data-testid="incidents-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('incidents.dashboard.chartLabel')} className="incident-chart__svg">
        <title>{t('incidents.dashboard.chartTitle')}</title>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} className="incident-chart__grid" />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end" className="incident-chart__axis">
              {v}
            </text>
          </g>
        ))}
        {weeks.map((w, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          let base = 0;
          return (
            <g key={w.weekStart} data-testid="chart-week" data-week={w.weekStart} data-total={totals[i]}>
              {causes.map((c) => {
                const n = w.counts[c] ?? 0;
                if (n === 0) return null;
                const top = y(base + n);
                const rect = (
                  <rect key={c} x={x} y={top} width={barW} height={y(base) - top} className={`incident-chart__bar incident-chart__bar--${c}`} data-cause={c} data-count={n}>
                    <title>{`${t('incidents.dashboard.weekOf', { date: w.weekStart })}: ${t(`incidents.cause.${c}`)} ${n}`}</title>
                  </rect>
                );
                base += n;
                return rect;
              })}
              <text x={x + barW / 2} y={HEIGHT - PAD.bottom + 16} textAnchor="middle" className="incident-chart__axis">
                {w.weekStart.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="incident-chart__legend">
        {(used.length ? used : causes).map((c) => (
          <span key={c} className="incident-chart__key">
            <svg viewBox="0 0 10 10" className="incident-chart__swatch" aria-hidden="true">
              <rect width="10" height="10" className={`incident-chart__bar incident-chart__bar--${c}`} />
            </svg>
            {t(`incidents.cause.${c}`)}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
