import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Charge } from '../../electron/contract/schemas.js';
import { FlagList } from '../components/FlagList.js';
import { TodayPanel } from '../components/TodayPanel.js';
import { FlagDialog } from '../components/counter/FlagDialog.js';
import { RekeyForm } from '../components/counter/RekeyForm.js';
import { SoundControl } from '../components/counter/SoundControl.js';
import { formatTerminalTime } from '../format/charge.js';
import { currencyInfo } from '../format/currency.js';
import { formatMinor } from '../format/money.js';
import { selectCurrent } from '../store/appStore.js';
import { hasRole } from '../store/auth.js';
import { useAuth } from '../store/authContext.js';
import { useAppStore, useAppStoreApi } from '../store/context.js';
import type { CounterState } from '../store/counter.js';
import { useCounter, useCounterStoreApi } from '../store/counterContext.js';
import { rechargeOfCharge } from '../store/adjust.js';
import { useAdjust } from '../store/adjustContext.js';
import { RechargeChip } from '../components/adjust/RechargeChip.js';
import { currentIndex } from '../store/queue.js';
import { usePaintMark } from '../perf/paintMarks.js';
import { CONFIRM_ARM_MS, counterKeyAction } from './counterKeys.js';
import '../styles/counter.css';

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

/** The re-key state of a charge: what blind mode shows and whether Confirm may be pressed. */
export interface RekeyView {
  /** Blind mode and not re-keyed yet: the amount stays hidden. */
  hidden: boolean;
  /** The till and the terminal disagree: flag it or call the manager. */
  mismatch: boolean;
  /** The re-keyed amount that matched (sent with the confirmation). */
  matchedMinor: number | undefined;
}

export function rekeyView(charge: Charge, state: Pick<CounterState, 'settings' | 'rekeys'>): RekeyView {
  const mismatch = charge.flags.some((f) => f.kind === 'rekey_mismatch');
  const result = state.rekeys[charge.id];
  const matchedMinor = result?.match ? result.rekeyedMinor : undefined;
  const blind = state.settings?.blindRekey === true;
  return { hidden: blind && !mismatch && matchedMinor === undefined, mismatch, matchedMinor };
}

function MismatchBanner({ charge }: { charge: Charge }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const openFlag = useCounter((s) => s.openFlag);
  const requestManager = useCounter((s) => s.requestManager);
  const flag = charge.flags.find((f) => f.kind === 'rekey_mismatch');
  const rekeyed = flag?.params.rekeyedMinor;
  const money = (minor: number) => formatMinor(minor, charge.currency, locale);
  return (
    <div className="mismatch" role="alert" data-testid="counter-mismatch">
      <p className="mismatch__title">{t('counter.mismatch.title')}</p>
      <p className="mismatch__text">
        {typeof rekeyed === 'number' && Number.isSafeInteger(rekeyed)
          ? t('counter.mismatch.text', { charged: money(charge.amountMinor), rekeyed: money(rekeyed) })
          : t('counter.mismatch.textNoRekey')}
      </p>
      <div className="mismatch__actions">
        <button type="button" className="button button--danger" data-testid="mismatch-flag" onClick={() => openFlag(charge.id, typeof rekeyed === 'number' ? rekeyed : null)}>
          {t('counter.flag.button')} <kbd>F</kbd>
        </button>
        <button type="button" className="button button--secondary" data-testid="mismatch-manager" onClick={() => requestManager(charge.id)}>
          {t('counter.manager.button')} <kbd>M</kbd>
        </button>
      </div>
    </div>
  );
}

function ManagerNeeded() {
  const { t } = useTranslation();
  const request = useCounter((s) => s.managerRequest);
  const clear = useCounter((s) => s.clearManagerRequest);
  const managerIn = useAuth((s) => hasRole(s.status, 'manager'));
  const openAdjust = useAdjust((s) => s.open);
  // A manager signed in on this screen: the call is answered (a call about a charge offers its void/refund).
  useEffect(() => {
    if (managerIn && request && request.chargeId === null) clear();
  }, [managerIn, request, clear]);
  if (!request) return null;
  if (managerIn) {
    if (request.chargeId === null) return null;
    const chargeId = request.chargeId;
    return (
      <div className="manager-needed manager-needed--here" role="status" data-testid="manager-here">
        <p className="manager-needed__text">{t('adjust.managerHere')}</p>
        <button
          type="button"
          className="button button--secondary"
          data-testid="manager-adjust"
          onClick={() => {
            clear();
            openAdjust(chargeId);
          }}
        >
          {t('adjust.open')}
        </button>
        <button type="button" className="button button--ghost" data-testid="manager-here-dismiss" onClick={clear}>
          {t('adjust.managerHereDismiss')}
        </button>
      </div>
    );
  }
  return (
    <div className="manager-needed" role="status" data-testid="manager-needed">
      <p className="manager-needed__title">{t('counter.manager.needed')}</p>
      <p className="manager-needed__text">{t('counter.manager.neededText')}</p>
      <button type="button" className="button button--ghost" data-testid="manager-needed-dismiss" onClick={clear}>
        {t('counter.manager.dismiss')}
      </button>
    </div>
  );
}

function ChargeView({ charge, armed }: { charge: Charge; armed: boolean }) {
  const { t } = useTranslation();
  const locale = useAppStore((s) => s.locale);
  const total = useAppStore((s) => Math.max(s.queueTotal, s.queue.length));
  const index = useAppStore((s) => currentIndex(s.queue, s.currentId));
  const confirming = useAppStore((s) => s.confirmingId !== null);
  const connected = useAppStore((s) => s.connection.kind === 'open');
  const move = useAppStore((s) => s.move);
  const confirm = useAppStore((s) => s.confirm);
  const settings = useCounter((s) => s.settings);
  const rekeys = useCounter((s) => s.rekeys);
  const openFlag = useCounter((s) => s.openFlag);
  const requestManager = useCounter((s) => s.requestManager);
  const openAdjust = useAdjust((s) => s.open);
  const recharge = useAdjust((s) => rechargeOfCharge(s.recharges, charge.id));
  const rekey = rekeyView(charge, { settings, rekeys });
  // `npm run bench` times report-to-pixels and keypress-to-paint by this mark (off otherwise).
  usePaintMark(charge.trace);

  const amount = formatMinor(charge.amountMinor, charge.currency, locale);
  // An unknown code is already part of the formatted amount.
  const alpha = currencyInfo(charge.currency)?.alpha;
  const canConfirm = armed && !confirming && connected && !rekey.hidden && !rekey.mismatch;
  const classes = ['charge', charge.flags.length > 0 ? 'charge--flagged' : '', rekey.mismatch ? 'charge--mismatch' : ''].filter(Boolean).join(' ');

  return (
    <article className={classes} data-charge-id={charge.id} aria-labelledby="charge-amount">
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

      {rekey.hidden ? (
        <div className="charge__amount-row charge__amount-row--hidden">
          <p id="charge-amount" className="amount amount--hidden" data-testid="counter-amount" data-hidden="true">
            {t('counter.hiddenAmount')}
          </p>
          <p className="charge__hidden-hint muted">{t('counter.hiddenAmountHint')}</p>
          <RekeyForm charge={charge} />
        </div>
      ) : (
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
      )}
      {rekey.matchedMinor !== undefined && !rekey.mismatch && (
        <p className="rekey-match" role="status" data-testid="rekey-match">
          ✓ {t('counter.rekey.match')}
        </p>
      )}

      <p className="charge__card" data-testid="counter-card">
        <span className="charge__brand">{charge.brand ?? t('counter.unknownBrand')}</span>
        <span className="charge__pan">{charge.panMasked}</span>
      </p>

      {recharge && <RechargeChip recharge={recharge} />}

      {rekey.mismatch && <MismatchBanner charge={charge} />}

      {/* Only this part may scroll: the amount, the card and Confirm always stay in view. */}
      {/* Focusable, so that the keyboard can scroll it too. */}
      <div className="charge__body" tabIndex={0}>
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
          onClick={() => void confirm(charge.id, rekey.matchedMinor)}
        >
          {confirming ? t('counter.confirming') : t('counter.confirm')}
        </button>
        <div className="charge__secondary">
          <button type="button" className="button button--danger" data-testid="flag-button" aria-keyshortcuts="F" onClick={() => openFlag(charge.id)}>
            {t('counter.flag.button')} <kbd>F</kbd>
          </button>
          <button
            type="button"
            className="button button--secondary"
            data-testid="counter-manager"
            aria-keyshortcuts="M"
            onClick={() => requestManager(charge.id)}
          >
            {t('counter.manager.button')} <kbd>M</kbd>
          </button>
          <button type="button" className="button button--ghost" data-testid="adjust-open" onClick={() => openAdjust(charge.id)}>
            {t('adjust.open')}
          </button>
        </div>
        <p className="charge__hint">{t(settings?.blindRekey ? 'counter.keyboardHintBlind' : 'counter.keyboardHintFull')}</p>
      </div>
    </article>
  );
}

export function CounterScreen() {
  const { t } = useTranslation();
  const store = useAppStoreApi();
  const counter = useCounterStoreApi();
  const current = useAppStore(selectCurrent);
  const loaded = useAppStore((s) => s.queueLoaded);
  const flagDraft = useCounter((s) => s.flagDraft);
  const flagCharge = useAppStore((s) => (flagDraft ? (s.queue.find((c) => c.id === flagDraft.chargeId) ?? null) : null));
  const closeFlag = useCounter((s) => s.closeFlag);
  const armed = useArmed(viewKey(current));
  // The key handler reads what was last committed to the screen through a ref.
  const latest = useRef({ current, armed });
  useLayoutEffect(() => {
    latest.current = { current, armed };
  }, [current, armed]);

  // The charge being flagged left the queue (flagged, confirmed elsewhere): the dialog goes too.
  useEffect(() => {
    if (flagDraft && !flagCharge) closeFlag();
  }, [flagDraft, flagCharge, closeFlag]);

  useEffect(() => {
    function onKeyDown(e: KeyboardEvent) {
      const action = counterKeyAction(e);
      if (!action || action === 'manager') return;
      const state = store.getState();
      const counterState = counter.getState();
      if (counterState.flagDraft) return; // the dialog has the keyboard
      if (action === 'next' || action === 'prev') {
        e.preventDefault();
        state.move(action === 'next' ? 1 : -1);
        return;
      }
      const { current: shown, armed: isArmed } = latest.current;
      if (!shown || selectCurrent(state)?.id !== shown.id) return;
      if (action === 'flag') {
        e.preventDefault();
        const flag = shown.flags.find((f) => f.kind === 'rekey_mismatch');
        const rekeyed = flag?.params.rekeyedMinor;
        counterState.openFlag(shown.id, typeof rekeyed === 'number' ? rekeyed : null);
        return;
      }
      // Confirm exactly what is on screen, never whatever the store moved to meanwhile.
      if (!isArmed || state.confirmingId !== null || state.connection.kind !== 'open') return;
      const rekey = rekeyView(shown, counterState);
      if (rekey.hidden || rekey.mismatch) return;
      e.preventDefault();
      void state.confirm(shown.id, rekey.matchedMinor);
    }
    // M is taken before the manager sign-in's own handler (which opens its dialog): the counter
    // records the call, and shows "Manager needed" until a manager is signed in.
    function onKeyDownCapture(e: KeyboardEvent) {
      if (counterKeyAction(e) !== 'manager' || counter.getState().flagDraft) return;
      counter.getState().requestManager(latest.current.current?.id ?? null);
    }
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keydown', onKeyDownCapture, true);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('keydown', onKeyDownCapture, true);
    };
  }, [store, counter]);

  return (
    <section className="counter" data-testid="counter-screen" aria-label={t('nav.counter')}>
      <div className="counter__main">
        <ManagerNeeded />
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
        <SoundControl />
      </aside>
      {flagDraft && flagCharge && <FlagDialog key={flagDraft.chargeId} charge={flagCharge} intendedMinor={flagDraft.intendedMinor} />}
    </section>
  );
}
