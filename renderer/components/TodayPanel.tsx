import { useTranslation } from 'react-i18next';
import { formatMinor } from '../format/money.js';
import { useAppStore } from '../store/context.js';
import { useCounter } from '../store/counterContext.js';

const ROWS = [
  ['charges', 'today.charges'],
  ['pending', 'today.pending'],
  ['confirmed', 'today.confirmed'],
  ['flagged', 'today.flagged'],
  ['voided', 'counter.today.voided'],
  ['refunded', 'counter.today.refunded'],
] as const;

export function TodayPanel() {
  const { t } = useTranslation();
  const today = useAppStore((s) => s.today);
  const locale = useAppStore((s) => s.locale);
  const batch = useCounter((s) => s.batch);
  const number = new Intl.NumberFormat(locale);
  return (
    <section className="today" data-testid="today-panel" aria-labelledby="today-title">
      <h2 id="today-title" className="today__title">
        {t('today.title')}
      </h2>
      {!today ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <dl className="today__list">
          {ROWS.map(([row, label]) => (
            <div key={row} className={`today__row today__row--${row}`} data-testid={`today-${row}`} data-count={today[row].count}>
              <dt>{t(label)}</dt>
              <dd>
                <span className="today__count">{number.format(today[row].count)}</span>
                <span className="today__sum">{formatMinor(today[row].amountMinor, today.currency, locale)}</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {batch && (
        <div className="today__batch" data-testid="today-batch" data-batch={batch.batch ?? ''} data-blockers={batch.blockerCount ?? batch.blockers.length}>
          <p className="today__batch-label">{t('counter.today.openBatch')}</p>
          <p className="today__batch-value">
            {batch.batch
              ? t('counter.today.openBatchValue', { batch: batch.batch, count: number.format(batch.totals.sales.count) })
              : t('counter.today.noBatch')}
          </p>
          {batch.blockers.length > 0 && (
            <p className="today__batch-blockers">{t('counter.today.blockers', { n: batch.blockerCount ?? batch.blockers.length })}</p>
          )}
        </div>
      )}
    </section>
  );
}
