import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent, KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import type { AuthUser } from '../../../electron/contract/commands/auth.js';
import type { KeyLike } from '../../screens/counterKeys.js';
import { useAuth, useAuthStoreApi } from '../../store/authContext.js';
import { describeAuthError, formatCountdown } from './authText.js';
import { useNow } from './useNow.js';

const TEXT_ENTRY = 'input, select, textarea, [contenteditable=""], [contenteditable="true"]';

/** The M key opens the manager sign-in: a plain press, not held, not while typing somewhere. */
export function isManagerKey(e: KeyLike): boolean {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.repeat || e.isComposing) return false;
  if (e.key !== 'm' && e.key !== 'M') return false;
  const el = e.target as { closest?: (selector: string) => unknown } | null;
  return !(typeof el?.closest === 'function' && el.closest(TEXT_ENTRY) != null);
}

const ROLE_ORDER = ['manager', 'owner', 'cashier'] as const;

/** Managers first: they are who the counter calls for. */
function defaultUser(users: AuthUser[]): number | null {
  for (const role of ROLE_ORDER) {
    const user = users.find((u) => u.role === role && !u.locked) ?? users.find((u) => u.role === role);
    if (user) return user.id;
  }
  return null;
}

/** Digits only; full-width digits (Chinese IMEs) count as digits. */
export function pinDigits(raw: string): string {
  return raw.normalize('NFKC').replace(/[^0-9]/g, '').slice(0, 12);
}

function SignInForm() {
  const { t } = useTranslation();
  const users = useAuth((s) => s.status?.users ?? null);
  const signIn = useAuth((s) => s.signIn);
  const close = useAuth((s) => s.closeSignIn);
  const [userId, setUserId] = useState<number | null>(() => defaultUser(users ?? []));
  const [pin, setPin] = useState('');
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [busy, setBusy] = useState(false);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const userFieldId = useId();
  const pinFieldId = useId();
  const errorId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal();
    pinRef.current?.focus();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, []);

  const list = users ?? [];
  const selected = list.find((u) => u.id === userId) ?? null;
  const lockedUntil = error?.code === 'auth.locked' ? (error.params?.until ?? null) : selected?.locked ? selected.lockedUntil : null;
  const now = useNow(lockedUntil !== null || error !== null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (userId === null || pin === '' || busy) return;
    setBusy(true);
    try {
      const result = await signIn(userId, pin);
      setError(result);
      setPin('');
      if (result) pinRef.current?.focus();
    } finally {
      setBusy(false);
    }
  }

  // Keys typed here belong to the dialog: never to the counter behind it (Enter would confirm).
  const keepKeys = (e: ReactKeyboardEvent) => e.stopPropagation();

  let message: string | null = null;
  if (error) message = describeAuthError(t, error, now);
  else if (selected?.locked && selected.lockedUntil) {
    message = t('auth.signIn.lockedFor', { name: selected.name, time: formatCountdown(Date.parse(selected.lockedUntil) - now) });
  }

  return (
    <dialog
      ref={dialogRef}
      className="signin-dialog"
      data-testid="signin-dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
      onKeyDown={keepKeys}
    >
      <form className="signin-dialog__form" onSubmit={(e) => void submit(e)} noValidate>
        <h2 id={titleId} className="signin-dialog__title">
          {t('auth.signIn.title')}
        </h2>
        {list.length === 0 ? (
          <p className="muted">{t('auth.signIn.noUsers')}</p>
        ) : (
          <>
            <label className="field" htmlFor={userFieldId}>
              <span className="field__label">{t('auth.signIn.user')}</span>
              <select
                id={userFieldId}
                className="input"
                data-testid="signin-user"
                value={userId ?? ''}
                onChange={(e) => {
                  setUserId(Number(e.target.value));
                  setError(null);
                }}
              >
                {(['owner', 'manager', 'cashier'] as const).map((role) => {
                  const group = list.filter((u) => u.role === role);
                  return group.length === 0 ? null : (
                    <optgroup key={role} label={t(`auth.rolesPlural.${role}`)}>
                      {group.map((u) => (
                        <option key={u.id} value={u.id}>
                          {u.name}
                        </option>
                      ))}
                    </optgroup>
                  );
                })}
              </select>
            </label>
            <label className="field" htmlFor={pinFieldId}>
              <span className="field__label">{t('auth.signIn.pin')}</span>
              <input
                id={pinFieldId}
                ref={pinRef}
                className="input input--pin"
                data-testid="signin-pin"
                type="password"
                inputMode="numeric"
                pattern="[0-9]*"
                autoComplete="off"
                maxLength={12}
                value={pin}
                aria-invalid={error ? true : undefined}
                aria-describedby={message ? errorId : undefined}
                onChange={(e) => setPin(pinDigits(e.target.value))}
              />
            </label>
          </>
        )}
        {message && (
          <p id={errorId} className="signin-dialog__error" data-testid="signin-error" data-code={error?.code ?? 'auth.locked'} role="alert">
            {message}
          </p>
        )}
        <div className="signin-dialog__actions">
          <button type="button" className="button button--ghost" onClick={close}>
            {t('auth.signIn.cancel')}
          </button>
          <button type="submit" className="button button--secondary" data-testid="signin-submit" disabled={busy || userId === null || pin === ''}>
            {busy ? t('auth.signIn.submitting') : t('auth.signIn.submit')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The manager sign-in dialog, and the M key that opens it (while `keyEnabled`, i.e. on the counter). */
export function SignInDialog({ keyEnabled }: { keyEnabled: boolean }) {
  const store = useAuthStoreApi();
  const open = useAuth((s) => s.signInOpen);

  useEffect(() => {
    if (!keyEnabled) return;
    function onKeyDown(e: KeyboardEvent) {
      if (!isManagerKey(e)) return;
      const state = store.getState();
      if (!state.status || state.status.session || state.signInOpen) return;
      e.preventDefault();
      if (state.status.needsSetup) state.showSetup();
      else state.openSignIn();
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store, keyEnabled]);

  return open ? <SignInForm /> : null;
}
