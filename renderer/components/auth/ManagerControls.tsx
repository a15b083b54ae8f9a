import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { hasRole } from '../../store/auth.js';
import { useAuth } from '../../store/authContext.js';
import { formatCountdown, roleLabel } from './authText.js';
import { useNow } from './useNow.js';

/**
 * Top bar, right side: the "Manager" button (sign in; on first run, set up), or, while someone is
 * signed in on this screen, a badge with their name and the time left before the automatic
 * sign-out, and a sign-out button.
 */
export function ManagerControls() {
  const { t } = useTranslation();
  const status = useAuth((s) => s.status);
  const openSignIn = useAuth((s) => s.openSignIn);
  const showSetup = useAuth((s) => s.showSetup);
  const signOut = useAuth((s) => s.signOut);
  const refresh = useAuth((s) => s.refresh);
  const session = status?.session ?? null;
  const now = useNow(session !== null);
  const left = session ? Date.parse(session.expiresAt) - now : 0;
  const expired = session !== null && left <= 0;

  // The core ends the sign-in on its own; ask it once the time is up (and again shortly after, in
  // case this screen's clock runs a little ahead).
  useEffect(() => {
    if (!expired) return;
    void refresh();
    const retry = setInterval(() => void refresh(), 1000);
    return () => clearInterval(retry);
  }, [expired, refresh]);

  if (!status) return null;
  if (!session) {
    return (
      <button
        type="button"
        className="button button--ghost manager-button"
        data-testid="manager-button"
        aria-keyshortcuts="M"
        onClick={() => (status.needsSetup ? showSetup() : openSignIn())}
      >
        {t('auth.manager.button')}
        <kbd className="manager-button__key" aria-hidden="true">
          M
        </kbd>
      </button>
    );
  }
  const urgent = left <= 10_000;
  return (
    <div className="manager-mode">
      <p
        className={`manager-badge${urgent ? ' manager-badge--urgent' : ''}`}
        data-testid="manager-badge"
        data-role={session.role}
        aria-live="off"
      >
        <span className="manager-badge__who" title={session.name}>
          {session.name}
        </span>
        <span className="manager-badge__line">
          <span className="manager-badge__role">{roleLabel(t, session.role)}</span>
          <span aria-hidden="true"> · </span>
          <span className="manager-badge__time" data-testid="manager-countdown" title={t('auth.manager.countdownHint')}>
            <span className="visually-hidden">{t('auth.manager.countdown')} </span>
            {formatCountdown(left)}
          </span>
        </span>
      </p>
      <button type="button" className="button button--ghost" data-testid="signout-button" onClick={() => void signOut()}>
        {t('auth.manager.signOut')}
      </button>
    </div>
  );
}

/** The owner-only "Staff" tab, for the top bar's tabs. */
export function StaffTab({ current, onSelect }: { current: boolean; onSelect: () => void }) {
  const { t } = useTranslation();
  const owner = useAuth((s) => hasRole(s.status, 'owner'));
  if (!owner) return null;
  return (
    <button type="button" className="tab" data-testid="nav-staff" aria-current={current ? 'page' : undefined} onClick={onSelect}>
      {t('auth.staff.nav')}
    </button>
  );
}
