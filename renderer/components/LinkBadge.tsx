import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AppStatus } from '../../electron/contract/schemas.js';
import { useAppStore } from '../store/context.js';

export type LinkTone = 'ok' | 'busy' | 'warn' | 'bad';

export interface LinkDescription {
  tone: LinkTone;
  text: string;
  /** Secondary line, e.g. why node-hid is not used. */
  detail: string | null;
}

/** What the top bar says about the link to the terminal. */
export function describeLink(t: TFunction, status: AppStatus | null): LinkDescription {
  if (!status) return { tone: 'busy', text: t('link.loading'), detail: null };
  const { link, simulator, nodeHidProblem } = status;
  const hidProblem =
    nodeHidProblem && simulator && link.kind !== 'unavailable' ? t('link.unavailableUsingSimulator', { reason: nodeHidProblem }) : null;
  switch (link.kind) {
    case 'connected':
      return {
        tone: 'ok',
        text: link.backend === 'simulator' ? t('link.connectedSimulator') : t('link.connectedTerminal'),
        detail: hidProblem,
      };
    case 'searching':
      return {
        tone: 'busy',
        text: link.backend === 'simulator' ? t('link.searchingSimulator') : t('link.searchingTerminal'),
        detail: hidProblem,
      };
    case 'reconnecting':
      return { tone: 'warn', text: t('link.reconnecting', { attempt: link.attempt }), detail: link.reason || null };
    case 'unavailable':
      return {
        tone: 'bad',
        text: simulator ? t('link.unavailableUsingSimulator', { reason: link.reason }) : t('link.unavailable', { reason: link.reason }),
        detail: null,
      };
    case 'stopped':
      return { tone: 'bad', text: t('link.stopped'), detail: hidProblem };
  }
}

export function LinkBadge() {
  const { t } = useTranslation();
  const status = useAppStore((s) => s.status);
  const { tone, text, detail } = describeLink(t, status);
  const device = status?.link.kind === 'connected' ? t('link.device', { device: status.link.device }) : undefined;
  return (
    <div
      className={`link-badge link-badge--${tone}`}
      data-testid="link-state"
      data-kind={status?.link.kind ?? 'loading'}
      role="status"
      title={[text, detail, device].filter(Boolean).join('\n')}
    >
      <span className="link-badge__dot" aria-hidden="true" />
      <span className="link-badge__text">{text}</span>
      {detail && <span className="link-badge__detail">{detail}</span>}
    </div>
  );
}
