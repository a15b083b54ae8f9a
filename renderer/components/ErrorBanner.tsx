import { useTranslation } from 'react-i18next';
import { translateError } from '../i18n/translate.js';
import { useAppStore } from '../store/context.js';

export function ErrorBanner() {
  const { t } = useTranslation();
  const error = useAppStore((s) => s.lastError);
  const dismiss = useAppStore((s) => s.dismissError);
  if (!error) return null;
  return (
    <div className="banner banner--error" data-testid="error-banner" data-code={error.code} role="alert">
      <span className="banner__text">{translateError(t, error)}</span>
      <code className="banner__code">{error.code}</code>
      <button type="button" className="button button--ghost" data-testid="error-dismiss" onClick={dismiss}>
        {t('common.dismiss')}
      </button>
    </div>
  );
}
