import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import { useAuth } from '../../store/authContext.js';
import { describeAuthError } from './authText.js';
import { pinDigits } from './SignInDialog.js';

type Field = 'ownerName' | 'ownerPin' | 'managerName' | 'managerPin';
const FIELDS: readonly Field[] = ['ownerName', 'ownerPin', 'managerName', 'managerPin'];
const TEST_IDS: Record<Field, string> = {
  ownerName: 'setup-owner-name',
  ownerPin: 'setup-owner-pin',
  managerName: 'setup-manager-name',
  managerPin: 'setup-manager-pin',
};

/**
 * First run: the owner creates themself and the first manager. A panel above the counter, never in
 * its way: charges keep arriving and the cashier keeps confirming; "Later" folds it away (the
 * Manager button or M brings it back). Manager actions stay refused until it is done.
 */
export function SetupPanel() {
  const { t } = useTranslation();
  const needsSetup = useAuth((s) => s.status?.needsSetup ?? false);
  const dismissed = useAuth((s) => s.setupDismissed);
  const dismiss = useAuth((s) => s.dismissSetup);
  const setupOwner = useAuth((s) => s.setupOwner);
  const [values, setValues] = useState<Record<Field, string>>({ ownerName: '', ownerPin: '', managerName: '', managerPin: '' });
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [busy, setBusy] = useState(false);
  const baseId = useId();
  if (!needsSetup || dismissed) return null;

  const errorField = (error?.params?.field as Field | undefined) ?? null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      setError(await setupOwner(values));
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
    <section className="setup-panel" data-testid="setup-panel" aria-labelledby={`${baseId}-title`}>
      <h2 id={`${baseId}-title`} className="setup-panel__title">
        {t('auth.setup.title')}
      </h2>
      <form className="setup-panel__form" onSubmit={(e) => void submit(e)} noValidate>
        {FIELDS.map((field) => {
          const pin = field.endsWith('Pin');
          return (
            // One row above the counter: the labels are read out, the placeholders show.
            <label key={field} className="setup-panel__field" htmlFor={`${baseId}-${field}`}>
              <span className="visually-hidden">{labels[field]}</span>
              <input
                id={`${baseId}-${field}`}
                className={`input ${pin ? 'input--pin' : 'input--name'}`}
                data-testid={TEST_IDS[field]}
                type={pin ? 'password' : 'text'}
                inputMode={pin ? 'numeric' : undefined}
                pattern={pin ? '[0-9]*' : undefined}
                autoComplete="off"
                placeholder={labels[field]}
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
          <button type="button" className="button button--ghost" data-testid="setup-later" onClick={dismiss}>
            {t('auth.setup.later')}
          </button>
        </div>
      </form>
      {!error && <p className="setup-panel__hint muted">{t('auth.setup.text')}</p>}
      {error && (
        <p className="setup-panel__error" data-testid="setup-error" data-code={error.code} role="alert">
          {errorField ? `${labels[errorField]}: ` : ''}
          {describeAuthError(t, error, Date.now())}
        </p>
      )}
    </section>
  );
}
