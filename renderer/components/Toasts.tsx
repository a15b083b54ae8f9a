import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { translateToast } from '../i18n/translate.js';
import type { Toast } from '../store/appStore.js';
import { useAppStore } from '../store/context.js';

const TOAST_MS: Record<Toast['level'], number> = { success: 4000, info: 6000, warning: 10_000, error: 15_000 };

function ToastItem({ toast }: { toast: Toast }) {
  const { t } = useTranslation();
  const dismiss = useAppStore((s) => s.dismissToast);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(toast.id), TOAST_MS[toast.level]);
    return () => clearTimeout(timer);
  }, [dismiss, toast.id, toast.level]);
  return (
    <li className={`toast toast--${toast.level}`} data-testid="toast" data-code={toast.code} data-level={toast.level}>
      <span className="toast__text">{translateToast(t, toast)}</span>
      <button type="button" className="button button--ghost" onClick={() => dismiss(toast.id)}>
        {t('common.dismiss')}
      </button>
    </li>
  );
}

export function Toasts() {
  const toasts = useAppStore((s) => s.toasts);
  return (
    <ol className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} />
      ))}
    </ol>
  );
}
