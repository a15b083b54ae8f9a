import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import { useAuth } from '../../store/authContext.js';
import { describeAuthError } from '../auth/authText.js';
import { pinDigits } from '../auth/SignInDialog.js';

type Field = 'ownerName' | 'ownerPin' | 'managerName' | 'managerPin';
const FIELDS: readonly Field[] = ['ownerName', 'ownerPin', 'managerName', 'managerPin'];
const TEST_IDS: Record<Field, string> = {
  ownerName: 'setup-owner-name',
  ownerPin: 'setup-owner-pin',
  managerName: 'setup-manager-name',
  managerPin: 'setup-manager-pin',
};

/** The owner creates themself and the first manager (and is signed in); once done, who they are. */
export function AccountsStep({ onDone }: { onDone(): void }) {
  const { t } = useTranslation();
  const status = useAuth((s) => s.status);
  const setupOwner = useAuth((s) => s.setupOwner);
  const [values, setValues] = useState<Record<Field, string>>({ ownerName: '', ownerPin: '', managerName: '', managerPin: '' });
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [busy, setBusy] = useState(false);
  const baseId = useId();

  if (status && !status.needsSetup) {
    const owner = status.users.find((u) => u.role === 'owner');
    const managers = status.users.filter((u) => u.role === 'manager');
    return (
      <p data-testid="setup-accounts-done">
        {t('setup.accounts.done', { owner: owner?.name ?? '—', managers: managers.map((m) => m.name).join(', ') || '—' })}
      </p>
    );
  }

  const errorField = (error?.params?.field as Field | undefined) ?? null;
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const failure = await setupOwner(values);
      setError(failure);
      if (!failure) onDone();
    } finally {
      setBusy(false);
    }
  }

  const labels: Record<Field, string> = {
    ownerName: t('auth.setup.ownerName'),
    ownerPin: t('auth.setup.ownerPin'),
    managerName: t('auth.setup.managerName'),
    managerPin: t('auth.setup.managerPin'),
  };

  return (
    <form className="setup-panel__form" onSubmit={(e) => void submit(e)} noValidate>
      {FIELDS.map((field) => {
        const pin = field.endsWith('Pin');
        return (
          <label key={field} className="field setup-field" htmlFor={`${baseId}-${field}`}>
            <span className="field__label">{labels[field]}</span>
            <input
              id={`${baseId}-${field}`}
              className={`input ${pin ? 'input--pin' : 'input--name'}`}
              data-testid={TEST_IDS[field]}
              type={pin ? 'password' : 'text'}
              inputMode={pin ? 'numeric' : undefined}
              pattern={pin ? '[0-9]*' : undefined}
              autoComplete="off"
              maxLength={pin ? 12 : 40}
              value={values[field]}
              aria-invalid={errorField === field ? true : undefined}
              onChange={(e) => setValues((v) => ({ ...v, [field]: pin ? pinDigits(e.target.value) : e.target.value }))}
            />
          </label>
        );
      })}
      <div className="setup-panel__actions">
        <button type="submit" className="button button--secondary" data-testid="setup-submit" disabled={busy}>
          {busy ? t('auth.setup.submitting') : t('auth.setup.submit')}
        </button>
      </div>
      <p className="setup-panel__hint muted">{t('auth.setup.pinHint')}</p>
      {error && (
        <p className="setup-panel__error" data-testid="setup-error" data-code={error.code} role="alert">
          {errorField ? `${labels[errorField]}: ` : ''}
          {describeAuthError(t, error, Date.now())}
        </p>
      )}
    </form>
  );
}
