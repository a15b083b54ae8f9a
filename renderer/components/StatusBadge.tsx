import { useTranslation } from 'react-i18next';
import type { ChargeStatus } from '../../electron/contract/schemas.js';

export function StatusBadge({ status }: { status: ChargeStatus }) {
  const { t } = useTranslation();
  return <span className={`status status--${status}`}>{t(`status.${status}`)}</span>;
}
