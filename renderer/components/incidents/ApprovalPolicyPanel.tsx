import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';
import { useIncidents } from '../../store/incidentsContext.js';
import { incidentErrorText } from './text.js';

/**
 * Four-eyes on resolutions: how many people can approve. Only in a shop with a single approver
 * may the owner allow that person to approve their own proposals (audited by the core).
 */
export function ApprovalPolicyPanel() {
  const { t } = useTranslation();
  const approval = useIncidents((s) => s.approval);
  const error = useIncidents((s) => s.approvalError);
  const load = useIncidents((s) => s.loadApproval);
  const setSelfApproval = useIncidents((s) => s.setSelfApproval);
  const owner = useAuth((s) => hasRole(s.status, 'owner'));

  useEffect(() => {
    void load();
  }, [load, owner]);

  if (!approval) return null;
  const single = approval.approvers <= 1;
  return (
    <section className="incident-approval" data-testid="approval-policy" data-approvers={approval.approvers} data-self-approval={approval.selfApprovalApplies}>
      <h3>{t('incidents.approval.title')}</h3>
      <p className="muted">{single ? t('incidents.approval.single') : t('incidents.approval.fourEyes', { n: approval.approvers })}</p>
      {owner && single && (
        <label className="field field--inline">
          <input
            type="checkbox"
            data-testid="approval-self-toggle"
            checked={approval.selfApprovalAllowed}
            onChange={(e) => void setSelfApproval(e.target.checked)}
          />
          <span>{t('incidents.approval.allowSelf')}</span>
        </label>
      )}
      {error && (
        <p className="banner banner--error" role="alert" data-testid="approval-error">
          {incidentErrorText(t, error)}
        </p>
      )}
    </section>
  );
}
