import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';

/** What changes configuration needs a manager: until one is signed in, a way to sign in instead. */
export function ManagerGate({ children, testId }: { children: ReactNode; testId: string }) {
  const { t } = useTranslation();
  const canManage = useAuth((s) => hasRole(s.status, 'manager'));
  const needsSetup = useAuth((s) => s.status?.needsSetup ?? false);
  const openSignIn = useAuth((s) => s.openSignIn);
  if (canManage) return <>{children}</>;
  return (
    <div className="setup-gate" data-testid={testId}>
      <p>{needsSetup ? t('setup.gate.ownerFirst') : t('setup.gate.signIn')}</p>
      {!needsSetup && (
        <button type="button" className="button button--secondary" onClick={openSignIn}>
          {t('setup.gate.signInButton')}
        </button>
      )}
    </div>
  );
}
