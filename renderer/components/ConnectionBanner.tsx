import { useTranslation } from 'react-i18next';
import { useAppStore } from '../store/context.js';

/** Shown while the channel to the core itself (not the terminal link) is down. */
export function ConnectionBanner() {
  const { t } = useTranslation();
  const connection = useAppStore((s) => s.connection);
  if (connection.kind === 'open') return null;
  const text =
    connection.kind === 'reconnecting'
      ? t('core.reconnecting', { attempt: connection.attempt, seconds: Math.ceil(connection.nextRetryMs / 1000) })
      : connection.kind === 'connecting'
        ? t('core.connecting')
        : t('core.closed');
  return (
    <div className="banner banner--warn" data-testid="core-connection" data-kind={connection.kind} role="status">
      {text}
    </div>
  );
}
