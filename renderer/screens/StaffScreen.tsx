import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../electron/contract/api.js';
import { describeAuthError, formatCountdown, roleLabel } from '../components/auth/authText.js';
import { pinDigits } from '../components/auth/SignInDialog.js';
import { useNow } from '../components/auth/useNow.js';
import { hasRole } from '../store/auth.js';
import { useAuth } from '../store/authContext.js';

type NewRole = 'manager' | 'cashier';

/** Owner only: the accounts, and a form to add a manager or a cashier. */
export function StaffScreen() {
  const { t } = useTranslation();
  const status = useAuth((s) => s.status);
  const createUser = useAuth((s) => s.createUser);
  const [name, setName] = useState('');
  const [role, setRole] = useState<NewRole>('manager');
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [created, setCreated] = useState<{ name: string; role: NewRole } | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const users = status?.users ?? [];
  const now = useNow(users.some((u) => u.locked), 1000);

  if (!hasRole(status, 'owner')) {
    return (
      <section className="staff" data-testid="staff-screen" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`} className="staff__title">
          {t('auth.staff.title')}
        </h2>
        <p className="muted" data-testid="staff-owner-only">
          {t('auth.staff.ownerOnly')}
        </p>
      </section>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setCreated(null);
    try {
      const result = await createUser({ name, role, pin });
      setError(result);
      if (!result) {
        setCreated({ name: name.trim(), role });
        setName('');
        setPin('');
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="staff" data-testid="staff-screen" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="staff__title">
        {t('auth.staff.title')}
      </h2>
      <form className="staff__form" onSubmit={(e) => void submit(e)} noValidate aria-label={t('auth.staff.createTitle')}>
        <h3 className="staff__subtitle">{t('auth.staff.createTitle')}</h3>
        <div className="staff__fields">
          <label className="field" htmlFor={`${id}-name`}>
            <span className="field__label">{t('auth.staff.name')}</span>
            <input
              id={`${id}-name`}
              className="input input--name"
              data-testid="staff-name"
              autoComplete="off"
              maxLength={40}
              value={name}
              aria-invalid={error && error.code !== 'auth.weak_pin' ? true : undefined}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <label className="field" htmlFor={`${id}-role`}>
            <span className="field__label">{t('auth.staff.role')}</span>
            <select id={`${id}-role`} className="input" data-testid="staff-role" value={role} onChange={(e) => setRole(e.target.value as NewRole)}>
              <option value="manager">{roleLabel(t, 'manager')}</option>
              <option value="cashier">{roleLabel(t, 'cashier')}</option>
            </select>
          </label>
          <label className="field" htmlFor={`${id}-pin`}>
            <span className="field__label">{t('auth.staff.pin')}</span>
            <input
              id={`${id}-pin`}
              className="input input--pin"
              data-testid="staff-pin"
              type="password"
              inputMode="numeric"
              pattern="[0-9]*"
              autoComplete="new-password"
              maxLength={12}
              value={pin}
              aria-invalid={error?.code === 'auth.weak_pin' ? true : undefined}
              onChange={(e) => setPin(pinDigits(e.target.value))}
            />
          </label>
          <button type="submit" className="button button--secondary" data-testid="staff-create" disabled={busy}>
            {busy ? t('auth.staff.creating') : t('auth.staff.create')}
          </button>
        </div>
        <p className="muted staff__hint">{t('auth.setup.pinHint')}</p>
        {error && (
          <p className="staff__error" data-testid="staff-error" data-code={error.code} role="alert">
            {describeAuthError(t, error, Date.now())}
          </p>
        )}
        {created && (
          <p className="staff__created" data-testid="staff-created" role="status">
            {t('auth.staff.created', { name: created.name, role: roleLabel(t, created.role) })}
          </p>
        )}
      </form>

      <table className="staff__table" aria-label={t('auth.staff.listTitle')}>
        <thead>
          <tr>
            <th scope="col">{t('auth.staff.colName')}</th>
            <th scope="col">{t('auth.staff.colRole')}</th>
            <th scope="col">{t('auth.staff.colState')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id} data-testid="staff-row" data-user-id={user.id} data-role={user.role} data-locked={user.locked}>
              <td>{user.name}</td>
              <td>{roleLabel(t, user.role)}</td>
              <td className={user.locked ? 'staff__locked' : undefined}>
                {user.locked && user.lockedUntil
                  ? t('auth.staff.lockedFor', { time: formatCountdown(Date.parse(user.lockedUntil) - now) })
                  : t('auth.staff.active')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
