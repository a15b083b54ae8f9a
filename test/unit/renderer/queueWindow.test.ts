import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Charge } from '../../../electron/contract/schemas.js';
import { TODAY_REFRESH_MS, createAppStore, selectCurrent } from '../../../renderer/store/appStore.js';
import { BATCH_BUSY_REFRESH_MS, BATCH_REFRESH_MS, createCounterStore } from '../../../renderer/store/counter.js';
import { QUEUE_LOW_WATER, QUEUE_WINDOW, appendWindowPage, placeCharge, sortedIndex } from '../../../renderer/store/queue.js';
import { charge, status, today } from './fixtures.js';
import { fakeApi, tick } from './fakeApi.js';

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  vi.useRealTimers();
});

const ids = (charges: readonly Charge[]) => charges.map((c) => c.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('queue window (pure)', () => {
  it('keeps rows while there is room, then only ids; a departure leaves either', () => {
    const beyond: number[] = [];
    let queue: Charge[] = [];
    for (const id of range(1, 5)) queue = placeCharge(queue, beyond, charge({ id }), 3);
    expect(ids(queue)).toEqual([1, 2, 3]);
    expect(beyond).toEqual([4, 5]);
    // An id already known is not counted twice; a departure beyond the rows leaves the ids.
    queue = placeCharge(queue, beyond, charge({ id: 5, flags: [{ kind: 'digit_slip', params: { factor: 10 } }] }), 3);
    queue = placeCharge(queue, beyond, charge({ id: 4, status: 'confirmed' }), 3);
    expect(beyond).toEqual([5]);
    // A row that leaves makes no room for an id (the rows stay a prefix of the queue).
    queue = placeCharge(queue, beyond, charge({ id: 2, status: 'voided' }), 3);
    expect(ids(queue)).toEqual([1, 3]);
    queue = placeCharge(queue, beyond, charge({ id: 6 }), 3);
    expect(ids(queue)).toEqual([1, 3]);
    expect(beyond).toEqual([5, 6]);
  });

  it('a page after the rows is appended and takes its ids (and stale ones in its range) out', () => {
    const beyond = [4, 5, 6, 7, 9];
    const queue = appendWindowPage([charge({ id: 1 }), charge({ id: 3 })], beyond, [charge({ id: 4 }), charge({ id: 6 }), charge({ id: 7 })]);
    expect(ids(queue)).toEqual([1, 3, 4, 6, 7]);
    expect(beyond).toEqual([9]);
    expect(sortedIndex([1, 3, 5], 4)).toBe(2);
  });
});

describe('app store under a flood', () => {
  async function flooded(pending: number) {
    const all = range(1, pending).map((id) => charge({ id }));
    const fake = fakeApi({
      'status.get': () => status(),
      'charges.queue': (input) => all.filter((c) => c.status === 'pending' && c.id > (input.afterId ?? 0)).slice(0, QUEUE_WINDOW),
      'charges.pendingIds': () => all.filter((c) => c.status === 'pending').map((c) => c.id),
      'charges.today': () => today(),
    });
    const store = createAppStore({ api: fake.api });
    stops.push(store.getState().start());
    await vi.waitFor(() => expect(store.getState().queueLoaded).toBe(true), { interval: 2 });
    await tick();
    return { fake, store, all };
  }

  it('holds a bounded window of rows and counts the whole queue', async () => {
    const { fake, store, all } = await flooded(1500);
    expect(store.getState().queue).toHaveLength(QUEUE_WINDOW);
    expect(store.getState().queueTotal).toBe(1500);
    for (const id of range(1501, 3500)) {
      const c = charge({ id });
      all.push(c);
      fake.emit({ name: 'charge.changed', payload: c });
    }
    expect(store.getState().queue).toHaveLength(QUEUE_WINDOW);
    expect(store.getState().queueTotal).toBe(3500);
    // Changes beyond the window count too.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 3000, status: 'voided' }) });
    fake.emit({ name: 'charge.changed', payload: charge({ id: 2, status: 'confirmed' }) });
    expect(store.getState().queueTotal).toBe(3498);
    // 2,000 pushes, no re-fetch of the queue.
    expect(fake.callsTo('charges.queue')).toHaveLength(1);
  });

  it('at the window end, → shows the next charge once the next page is here', async () => {
    const { fake, store } = await flooded(1200);
    store.setState({ currentId: QUEUE_WINDOW - QUEUE_LOW_WATER });
    store.getState().move(1);
    await vi.waitFor(() => expect(fake.callsTo('charges.queue')).toHaveLength(2));
    expect(fake.callsTo('charges.queue')[1]!.input).toEqual({ afterId: QUEUE_WINDOW });
    await vi.waitFor(() => expect(store.getState().queue).toHaveLength(1000));
    expect(store.getState().queueTotal).toBe(1200);
    store.setState({ currentId: 1000 });
    store.getState().move(1);
    await vi.waitFor(() => expect(selectCurrent(store.getState())?.id).toBe(1001));
    expect(store.getState().queue).toHaveLength(1200);
    expect(store.getState().queueTotal).toBe(1200);
  });

  it('a burst of N changes re-fetches today totals a bounded number of times, even while it lasts', async () => {
    const { fake } = await flooded(10);
    vi.useFakeTimers();
    const before = fake.callsTo('charges.today').length;
    // 1,000 a second for 2 s.
    for (let id = 100; id < 2100; id++) {
      fake.emit({ name: 'charge.changed', payload: charge({ id }) });
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(TODAY_REFRESH_MS + 1);
    const refetches = fake.callsTo('charges.today').length - before;
    expect(refetches).toBeGreaterThanOrEqual(2000 / TODAY_REFRESH_MS - 1); // the flood does not starve them
    expect(refetches).toBeLessThanOrEqual(2000 / TODAY_REFRESH_MS + 1);
  });
});

describe('counter store under a flood', () => {
  it('re-fetches the batch status a bounded number of times during a burst', async () => {
    const fake = fakeApi({
      'charges.queue': () => [],
      'settings.counter.get': () => ({}) as never,
      'batch.status': () => ({}) as never,
    });
    const store = createCounterStore({ api: fake.api });
    stops.push(store.getState().start());
    await tick();
    vi.useFakeTimers();
    const before = fake.callsTo('batch.status').length;
    for (let id = 1; id <= 1500; id++) {
      fake.emit({ name: 'charge.changed', payload: charge({ id }) });
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(BATCH_REFRESH_MS + 1);
    const refetches = fake.callsTo('batch.status').length - before;
    // The first after BATCH_REFRESH_MS, then one a BATCH_BUSY_REFRESH_MS while the burst lasts.
    expect(refetches).toBeGreaterThanOrEqual(Math.floor(1500 / BATCH_BUSY_REFRESH_MS));
    expect(refetches).toBeLessThanOrEqual(Math.ceil(1500 / BATCH_BUSY_REFRESH_MS) + 1);
  });
});
