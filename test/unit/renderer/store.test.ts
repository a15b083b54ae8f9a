import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../electron/contract/api.js';
import type { Charge } from '../../../electron/contract/schemas.js';
import { HISTORY_PAGE_SIZE, TODAY_REFRESH_MS, createAppStore, selectCurrent } from '../../../renderer/store/appStore.js';
import { charge, status, today } from './fixtures.js';
import { deferred, fakeApi, tick } from './fakeApi.js';
import type { Handlers } from './fakeApi.js';

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  vi.useRealTimers();
});

async function started(handlers: Handlers = {}, queue: Charge[] = [charge({ id: 3 }), charge({ id: 1 }), charge({ id: 2 })]) {
  const fake = fakeApi({
    'status.get': () => status(),
    'charges.queue': () => queue,
    'charges.today': () => today(),
    ...handlers,
  });
  const onLocaleChange = vi.fn();
  const store = createAppStore({ api: fake.api, onLocaleChange });
  stops.push(store.getState().start());
  await vi.waitFor(() => expect(store.getState().queueLoaded).toBe(true), { interval: 2 });
  await tick();
  return { fake, store, onLocaleChange };
}

const ids = (charges: Charge[]) => charges.map((c) => c.id);

describe('app store', () => {
  it('loads status, queue (oldest first) and totals when the core is reachable', async () => {
    const { store } = await started();
    const state = store.getState();
    expect(ids(state.queue)).toEqual([1, 2, 3]);
    expect(state.currentId).toBe(1);
    expect(state.status?.operator).toBe('Wang Fang');
    expect(state.today?.pending.count).toBe(2);
  });

  it('applies charge.changed incrementally, without re-fetching the queue', async () => {
    const { fake, store } = await started();
    fake.emit({ name: 'charge.changed', payload: charge({ id: 4 }) });
    expect(ids(store.getState().queue)).toEqual([1, 2, 3, 4]);
    expect(store.getState().currentId).toBe(1);

    // The charge on screen was confirmed elsewhere: the next one takes its place.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 1, status: 'confirmed' }) });
    expect(ids(store.getState().queue)).toEqual([2, 3, 4]);
    expect(store.getState().currentId).toBe(2);

    // A charge gaining a flag is replaced in place.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 3, flags: [{ kind: 'digit_slip', params: { factor: 10 } }] }) });
    expect(store.getState().queue[1]?.flags).toHaveLength(1);
    expect(fake.callsTo('charges.queue')).toHaveLength(1);
  });

  it('re-fetches today totals once after a burst of changes', async () => {
    const { fake } = await started();
    vi.useFakeTimers();
    const before = fake.callsTo('charges.today').length;
    for (let id = 10; id < 15; id++) fake.emit({ name: 'charge.changed', payload: charge({ id }) });
    vi.advanceTimersByTime(TODAY_REFRESH_MS + 1);
    expect(fake.callsTo('charges.today').length).toBe(before + 1);
  });

  it('replays events that arrive while a queue fetch is in flight', async () => {
    const { fake, store } = await started();
    const slow = deferred<Charge[]>();
    fake.handlers['charges.queue'] = () => slow.promise;
    const refresh = store.getState().refreshQueue();
    // While the (stale) snapshot is on its way: 1 is confirmed, 5 arrives.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 1, status: 'confirmed' }) });
    fake.emit({ name: 'charge.changed', payload: charge({ id: 5 }) });
    slow.resolve([charge({ id: 1 }), charge({ id: 2 }), charge({ id: 3 })]);
    await refresh;
    expect(ids(store.getState().queue)).toEqual([2, 3, 5]);
  });

  it('moves between waiting charges and stays put at the ends', async () => {
    const { store } = await started();
    const { move } = store.getState();
    move(1);
    move(1);
    move(1);
    expect(selectCurrent(store.getState())?.id).toBe(3);
    move(-1);
    expect(store.getState().currentId).toBe(2);
  });

  it('confirms: removes the charge, shows the next, clears the last error', async () => {
    const { store } = await started({ 'charges.confirm': ({ chargeId }) => charge({ id: chargeId, status: 'confirmed' }) });
    store.setState({ lastError: { code: 'internal', message: 'old' } });
    await expect(store.getState().confirm(1)).resolves.toBe(true);
    expect(ids(store.getState().queue)).toEqual([2, 3]);
    expect(store.getState().currentId).toBe(2);
    expect(store.getState().lastError).toBeNull();
    expect(store.getState().confirmingId).toBeNull();
  });

  it('ignores a second confirm while one is in flight', async () => {
    const answer = deferred<Charge>();
    const { fake, store } = await started({ 'charges.confirm': () => answer.promise });
    const first = store.getState().confirm(1);
    await expect(store.getState().confirm(2)).resolves.toBe(false);
    answer.resolve(charge({ id: 1, status: 'confirmed' }));
    await first;
    expect(fake.callsTo('charges.confirm')).toEqual([{ name: 'charges.confirm', input: { chargeId: 1 } }]);
  });

  it('shows charge.not_pending with its code and re-fetches the queue', async () => {
    const { fake, store } = await started({
      'charges.confirm': () => {
        throw new ApiError('charge.not_pending', 'charge 1 is voided', { chargeId: '1' });
      },
    });
    fake.handlers['charges.queue'] = () => [charge({ id: 2 }), charge({ id: 3 })];
    await expect(store.getState().confirm(1)).resolves.toBe(false);
    expect(store.getState().lastError).toEqual({ code: 'charge.not_pending', message: 'charge 1 is voided', params: { chargeId: '1' } });
    await vi.waitFor(() => expect(ids(store.getState().queue)).toEqual([2, 3]));
    expect(store.getState().currentId).toBe(2);
  });

  it('updates status from link.state and status.changed, and turns notices into toasts', async () => {
    const { fake, store } = await started();
    fake.emit({ name: 'link.state', payload: { kind: 'reconnecting', backend: 'node-hid', attempt: 3, nextRetryMs: 4000, reason: 'unplugged' } });
    expect(store.getState().status?.link).toMatchObject({ kind: 'reconnecting', attempt: 3 });
    fake.emit({ name: 'status.changed', payload: status({ simulator: false, operator: 'Li Na' }) });
    expect(store.getState().status).toMatchObject({ simulator: false, operator: 'Li Na' });
    fake.emit({ name: 'notice', payload: { level: 'error', code: 'db.disk_full', params: {} } });
    expect(store.getState().toasts).toEqual([{ id: 1, level: 'error', code: 'db.disk_full', params: {} }]);
    store.getState().dismissToast(1);
    expect(store.getState().toasts).toEqual([]);
  });

  it('re-fetches everything after the connection to the core comes back', async () => {
    const { fake, store } = await started();
    fake.setConnection({ kind: 'reconnecting', attempt: 1, nextRetryMs: 500 });
    expect(store.getState().connection.kind).toBe('reconnecting');
    fake.handlers['charges.queue'] = () => [charge({ id: 3 })];
    fake.setConnection({ kind: 'open' });
    await vi.waitFor(() => expect(ids(store.getState().queue)).toEqual([3]));
    expect(fake.callsTo('status.get')).toHaveLength(2);
    expect(store.getState().currentId).toBe(3);
  });

  it('does not show a banner for refresh failures while disconnected', async () => {
    const { fake, store } = await started();
    fake.setConnection({ kind: 'reconnecting', attempt: 1, nextRetryMs: 500 });
    store.getState().showError(new ApiError('transport.disconnected', 'not sent'));
    expect(store.getState().lastError).toBeNull();
    store.getState().showError(new ApiError('db.corrupt', 'bad page'));
    expect(store.getState().lastError?.code).toBe('db.corrupt');
  });

  it('sets the locale and tells i18n once', async () => {
    const { store, onLocaleChange } = await started();
    store.getState().setLocale('zh-CN');
    store.getState().setLocale('zh-CN');
    expect(store.getState().locale).toBe('zh-CN');
    expect(onLocaleChange).toHaveBeenCalledTimes(1);
  });

  it('toggles the simulator with sim.setEnabled and keeps the returned status', async () => {
    const { fake, store } = await started({ 'sim.setEnabled': ({ enabled }) => status({ simulator: enabled }) });
    await store.getState().setSimEnabled(false);
    expect(store.getState().status?.simulator).toBe(false);
    expect(fake.callsTo('sim.setEnabled')).toEqual([{ name: 'sim.setEnabled', input: { enabled: false } }]);
  });

  it('simulates a charge and reports sim.disabled as the last error', async () => {
    const { store } = await started({ 'sim.charge': () => ({ trace: '000319' }) });
    await expect(store.getState().simCharge({ amountMinor: 12800 })).resolves.toBe('000319');
    const { store: off } = await started({
      'sim.charge': () => {
        throw new ApiError('sim.disabled', 'simulator is off');
      },
    });
    await expect(off.getState().simCharge({ amountMinor: 12800 })).resolves.toBeNull();
    expect(off.getState().lastError?.code).toBe('sim.disabled');
  });
});

describe('history in the store', () => {
  /** Charges id n..1, newest first, like the core returns them. */
  const newestFirst = (from: number, count: number) => Array.from({ length: count }, (_, i) => charge({ id: from - i, trace: String(from - i).padStart(6, '0') }));

  it('queries, pages with beforeId, and stops at the end', async () => {
    const total = HISTORY_PAGE_SIZE + 50;
    const { fake, store } = await started({
      'charges.history': (input) => newestFirst((input.beforeId ?? total + 1) - 1, Math.min(input.limit ?? 200, (input.beforeId ?? total + 1) - 1)),
    });
    await store.getState().queryHistory({ status: 'confirmed' });
    let history = store.getState().history;
    expect(history.rows).toHaveLength(HISTORY_PAGE_SIZE);
    expect(history.done).toBe(false);
    await store.getState().loadMoreHistory();
    history = store.getState().history;
    expect(history.rows).toHaveLength(total);
    expect(history.done).toBe(true);
    expect(fake.callsTo('charges.history').map((c) => c.input)).toEqual([
      { status: 'confirmed', limit: HISTORY_PAGE_SIZE },
      { status: 'confirmed', beforeId: total - HISTORY_PAGE_SIZE + 1, limit: HISTORY_PAGE_SIZE },
    ]);
    await store.getState().loadMoreHistory();
    expect(fake.callsTo('charges.history')).toHaveLength(2);
  });

  it('drops a stale response when the filter changed meanwhile', async () => {
    const slow = deferred<Charge[]>();
    const { fake, store } = await started();
    fake.handlers['charges.history'] = () => slow.promise;
    const first = store.getState().queryHistory({});
    fake.handlers['charges.history'] = () => [charge({ id: 9, panMasked: '411111******1111' })];
    await store.getState().queryHistory({ last4: '1111' });
    slow.resolve(newestFirst(5, 5));
    await first;
    expect(ids(store.getState().history.rows)).toEqual([9]);
    expect(store.getState().history.query).toEqual({ last4: '1111' });
  });

  it('applies pushed changes to loaded rows through the active filter', async () => {
    const { fake, store } = await started({ 'charges.history': () => [charge({ id: 2 }), charge({ id: 1 })] });
    await store.getState().queryHistory({ status: 'pending' });
    fake.emit({ name: 'charge.changed', payload: charge({ id: 5 }) });
    expect(ids(store.getState().history.rows)).toEqual([5, 2, 1]);
    fake.emit({ name: 'charge.changed', payload: charge({ id: 2, status: 'confirmed' }) });
    expect(ids(store.getState().history.rows)).toEqual([5, 1]);
    fake.emit({ name: 'charge.changed', payload: charge({ id: 6, status: 'voided' }) });
    expect(ids(store.getState().history.rows)).toEqual([5, 1]);
    expect(fake.callsTo('charges.history')).toHaveLength(1);
  });
});
