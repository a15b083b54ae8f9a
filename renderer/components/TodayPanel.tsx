import { useTranslation } from 'react-i18next';
import { formatMinor } from '../format/money.js';
import { useAppStore } from '../store/context.js';

const ROWS = ['charges', 'pending', 'confirmed', 'flagged'] as const;

export function TodayPanel() {
  const { t } = useTranslation();
  const today = useAppStore((s) => s.today);
  const locale = useAppStore((s) => s.locale);
  return (
    <section className="today" data-testid="today-panel" aria-labelledby="today-title">
      <h2 id="today-title" className="today__title">
        {t('today.title')}
      </h2>
      {!today ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <dl className="today__list">
          {ROWS.map((row) => (
            <div key={row} className={`today__row today__row--${row}`} data-testid={`today-${row}`}>
              <dt>{t(`today.${row}`)}</dt>
              <dd>
                <span className="today__count">{new Intl.NumberFormat(locale).format(today[row].count)}</span>
                <span className="today__sum">{formatMinor(today[row].amountMinor, today.currency, locale)}</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
