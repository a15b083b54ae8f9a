import { useTranslation } from 'react-i18next';
import type { ChargeFlag } from '../../electron/contract/schemas.js';
import { flagExplanation, flagTitle } from '../i18n/translate.js';
import type { MoneyFormatter } from '../i18n/translate.js';

/** Each flag with its one-line explanation (Counter screen); `money` formats in the charge's currency. */
export function FlagList({ flags, money }: { flags: ChargeFlag[]; money: MoneyFormatter }) {
  const { t } = useTranslation();
  if (flags.length === 0) return null;
  return (
    <ul className="flags" aria-label={t('counter.flagsLabel')}>
      {flags.map((flag, i) => (
        <li key={`${flag.kind}-${i}`} className="flag" data-testid="counter-flag" data-kind={flag.kind}>
          <span className="flag__icon" aria-hidden="true">
            ⚠
          </span>
          <strong className="flag__title">{flagTitle(t, flag)}</strong>
          <span className="flag__text">{flagExplanation(t, flag, money)}</span>
        </li>
      ))}
    </ul>
  );
}
