import { useTranslation } from 'react-i18next';
import type { RechargeView } from '../../../electron/contract/commands/adjustments.js';
import '../../styles/adjust.css';

/** "Correct amount · linked to incident #N", beside a charge that is the 补刷 of an incident. */
export function RechargeChip({ recharge }: { recharge: RechargeView }) {
  const { t } = useTranslation();
  return (
    <span className="chip chip--recharge" data-testid="recharge-link" data-incident-id={recharge.incidentId} data-charge-id={recharge.chargeId ?? ''}>
      ↺ {t('adjust.recharge.chip', { incident: recharge.incidentId })}
    </span>
  );
}
