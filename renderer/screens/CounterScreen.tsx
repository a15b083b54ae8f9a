import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Charge } from '../../electron/contract/schemas.js';
import { FlagList } from '../components/FlagList.js';
import { TodayPanel } from '../components/TodayPanel.js';
import { formatTerminalTime } from '../format/charge.js';
import { currencyInfo } from '../format/currency.js';
import { formatMinor } from '../format/money.js';
import { selectCurrent } from '../store/appStore.js';
import { useAppStore, useAppStoreApi } from '../store/context.js';
import { currentIndex } from '../store/queue.js';
import { CONFIRM_ARM_MS, counterKeyAction } from './counterKeys.js';

/** Shorter strings can be larger; every size stays ≥ 96 px (see .amount--* in app.css). */
function amountSizeClass(text: string): string {
  if (text.length <= 10) return 'amount--xl';
  if (text.length <= 14) return 'amount--l';
  return 'amount--m';
}

/** What the cashier must have seen: a new flag or amount on the same charge re-arms too. */
function viewKey(charge: Charge | null): string | null {
  return charge && `${charge.id}:${charge.amountMinor}:${charge.status}:${charge.flags.map((f) => f.kind).join(',')}`;
}

/**
 * Whether Confirm (button or Enter) is live for this view. When one charge replaces another on
 * screen (after a confirm, or a flag arriving), it is held off for CONFIRM_ARM_MS so a double
 * press cannot confirm a charge nobody looked at. A charge appearing on an empty screen is live
 * at once: no earlier press can have been meant for something else.
 */
function useArmed(key: string | null): boolean {
  const [view, setView] = useState<{ key: string | null; armed: boolean }>({ key: null, armed: false });
  if (view.key !== key) {
    // Adjusting state to a changed prop during render (React's documented pattern).
    setView({ key, armed: view.key === null });
  }
  useEffect(() => {
    if (key === null || view.armed) return;
    const timer = setTimeout(() => setView({ key, armed: true }), CONFIRM_ARM_MS);
    return () => clearTimeout(timer);
  }, [key, view.armed]);
  return key !== null && view.key === key && view.armed;
}

function ChargeView({ charge, armed }: { charge: Charge; armed: boolean }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const total = useAppStore((s) => s.queue.length);
  const index = useAppStore((s) => currentIndex(s.queue, s.currentId));
  const confirming = useAppStore((s) => s.confirmingId !== null);
  const connected = useAppStore((s) => s.connection.kind === 'open');
  const move = useAppStore((s) => s.move);
  const confirm = useAppStore((s) => s.confirm);

  const amount = formatMinor(charge.amountMinor, charge.currency, locale);
  // An unknown code is already part of the formatted amount.
  const alpha = currencyInfo(charge.currency)?.alpha;
  const canConfirm = armed && !confirming && connected;

  return (
    <article className={`charge${charge.flags.length > 0 ? ' charge--flagged' : ''}`} data-charge-id={charge.id} aria-labelledby="charge-amount">
      <header className="charge__head">
        <button type="button" className="button button--nav" data-testid="queue-prev" disabled={index <= 0} onClick={() => move(-1)}>
          <span aria-hidden="true">←</span> {t('counter.previous')}
        </button>
        <p className="charge__position" data-testid="queue-count">
          {t('counter.position', { position: index + 1, total })}
        </p>
        <button
          type="button"
          className="button button--nav"
          data-testid="queue-next"
          disabled={index >= total - 1}
          onClick={() => move(1)}
        >
          {t('counter.next')} <span aria-hidden="true">→</span>
        </button>
      </header>

      <div className="charge__amount-row">
        <p id="charge-amount" className={`amount ${amountSizeClass(amount)}`} data-testid="counter-amount">
          {amount}
        </p>
        {alpha && (
          <span className="charge__currency" data-testid="counter-currency">
            {alpha}
          </span>
        )}
      </div>

      <p className="charge__card" data-testid="counter-card">
        <span className="charge__brand">{charge.brand ?? t('counter.unknownBrand')}</span>
        <span className="charge__pan">{charge.panMasked}</span>
      </p>

      {/* Only this part may scroll: the amount, the card and Confirm always stay in view. */}
      <div className="charge__body">
        <FlagList flags={charge.flags} money={(minor) => formatMinor(minor, charge.currency, locale)} />

        <dl className="charge__details">
        <div>
          <dt>{t('counter.entryMode')}</dt>
          <dd data-testid="counter-entry-mode">{t(`entryMode.${charge.entryMode}`)}</dd>
        </div>
        <div>
          <dt>{t('counter.terminalTime')}</dt>
          <dd data-testid="counter-time">{formatTerminalTime(charge.terminalTime, locale)}</dd>
        </div>
        <div>
          <dt>{t('counter.terminalId')}</dt>
          <dd data-testid="counter-terminal">{charge.terminalId}</dd>
        </div>
        <div>
          <dt>{t('counter.batchTrace')}</dt>
          <dd data-testid="counter-trace">{t('counter.batchTraceValue', { batch: charge.batch, trace: charge.trace })}</dd>
        </div>
        <div>
          <dt>{t('counter.authCode')}</dt>
          <dd>{charge.authCode}</dd>
        </div>
        </dl>
      </div>

      <div className="charge__actions">
        <button
          type="button"
          className="button button--confirm"
          data-testid="confirm-button"
          disabled={!canConfirm}
          aria-busy={confirming || undefined}
          onClick={() => void confirm(charge.id)}
        >
          {confirming ? t('counter.confirming') : t('counter.confirm')}
        </button>
        <p className="charge__hint">{t('counter.keyboardHint')}</p>
      </div>
    </article>
  );
}

export function CounterScreen() {
  const { t } = useTranslation();
  const store = useAppStoreApi();
  const current = useAppStore(selectCurrent);
  const loaded = useAppStore((s) => s.queueLoaded);
  const armed = useArmed(viewKey(current));
  // The key handler reads what was last committed to the screen through a ref.
  const latest = useRef({ current, armed });
  useLayoutEffect(() => {
    latest.current = { current, armed };
  }, [current, armed]);

  useEffect(() => {
    function onKeyDown(e: KeyboardEvent) {
      const action = counterKeyAction(e);
      if (!action) return;
      const state = store.getState();
      if (action === 'next' || action === 'prev') {
        e.preventDefault();
        state.move(action === 'next' ? 1 : -1);
        return;
      }
      const { current: shown, armed: isArmed } = latest.current;
      // Confirm exactly what is on screen, never whatever the store moved to meanwhile.
      if (!shown || !isArmed || state.confirmingId !== null || state.connection.kind !== 'open') return;
      if (selectCurrent(state)?.id !== shown.id) return;
      e.preventDefault();
      void state.confirm(shown.id);
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);

  return (
    <section className="counter" data-testid="counter-screen" aria-label={t('nav.counter')}>
      <div className="counter__main">
        {!loaded ? (
          <p className="counter__loading muted">{t('common.loading')}</p>
        ) : current ? (
          <ChargeView charge={current} armed={armed} />
        ) : (
          <div className="empty" data-testid="counter-empty">
            <span className="empty__mark" aria-hidden="true">
              ✓
            </span>
            <p className="empty__title">{t('counter.emptyTitle')}</p>
            <p className="empty__text muted">{t('counter.emptyText')}</p>
          </div>
        )}
      </div>
      <aside className="counter__side">
        <TodayPanel />
      </aside>
    </section>
  );
}
