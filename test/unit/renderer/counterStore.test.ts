import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../electron/contract/api.js';
import { DEFAULT_COUNTER_SETTINGS, type BatchStatus, type SettlementReport } from '../../../electron/contract/counterSchemas.js';
import type { Charge, FlagKind } from '../../../electron/contract/schemas.js';
import { BATCH_REFRESH_MS, createCounterStore } from '../../../renderer/store/counter.js';
import { CUES, newFlagKinds, type CuePlayer } from '../../../renderer/sound/cues.js';
import { counterKeyAction, type KeyLike } from '../../../renderer/screens/counterKeys.js';
import { rekeyView } from '../../../renderer/screens/CounterScreen.js';
import { charge } from './fixtures.js';
import { fakeApi, tick } from './fakeApi.js';
import type { Handlers } from './fakeApi.js';

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  vi.useRealTimers();
});

function batch(overrides: Partial<BatchStatus> = {}): BatchStatus {
  return {
    batch: '000027',
    terminalId: '10293847',
    currency: '156',
    totals: { sales: { count: 1, amountMinor: 128000 }, voids: { count: 0, amountMinor: 0 }, refunds: { count: 0, amountMinor: 0 } },
    confirmed: 0,
    pending: 1,
    flagged: 0,
    blockers: [],
    inDoubtSeq: null,
    lastSettlement: null,
    ...overrides,
  };
}

function report(overrides: Partial<SettlementReport> = {}): SettlementReport {
  const t = { count: 1, amountMinor: 100 };
  const zero = { count: 0, amountMinor: 0 };
  return {
    settlementId: 1,
    batch: '000027',
    nextBatch: '000028',
    terminalId: '10293847',
    currency: '156',
    settledBy: 'manager:Li Na',
    settledAt: '2026-11-23T10:00:00.000Z',
    requestSeq: '000004',
    rows: [
      { category: 'sales', terminal: t, ledger: t, countDifference: 0, amountDifference: 0, matched: true },
      { category: 'voids', terminal: zero, ledger: zero, countDifference: 0, amountDifference: 0, matched: true },
      { category: 'refunds', terminal: zero, ledger: zero, countDifference: 0, amountDifference: 0, matched: true },
    ],
    netTerminalMinor: 100,
    netLedgerMinor: 100,
    matched: true,
    incidentId: null,
    ...overrides,
  };
}

function recordingPlayer() {
  const plays: Array<{ kinds: FlagKind[]; volume: number }> = [];
  const player: CuePlayer = { play: (kinds, volume) => plays.push({ kinds: [...kinds], volume }) };
  return { player, plays };
}

async function started(handlers: Handlers = {}, queue: Charge[] = []) {
  const fake = fakeApi({
    'settings.counter.get': () => DEFAULT_COUNTER_SETTINGS,
    'batch.status': () => batch(),
    'charges.queue': () => queue,
    ...handlers,
  });
  const { player, plays } = recordingPlayer();
  const onManagerRequest = vi.fn();
  const store = createCounterStore({ api: fake.api, player, volume: 0.5, onManagerRequest });
  stops.push(store.getState().start());
  await vi.waitFor(() => expect(store.getState().batch).not.toBeNull(), { interval: 2 });
  await tick();
  return { fake, store, plays, onManagerRequest };
}

const slip = { kind: 'digit_slip' as const, params: { slip: 'times10', intendedMinor: 12800 } };
const mismatch = { kind: 'rekey_mismatch' as const, params: { rekeyedMinor: 12800, differenceMinor: 115200 } };
const duplicate = { kind: 'possible_duplicate' as const, params: { otherTrace: '000001', otherId: 1, minutes: 2 } };

describe('flag sound cues', () => {
  it('one cue per new flag kind of a waiting charge; nothing for known flags or charges no longer waiting', async () => {
    const known = charge({ id: 5, flags: [duplicate] });
    const { fake, store, plays } = await started({}, [known]);
    // A new charge arrives flagged.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 6, flags: [duplicate] }) });
    // The same flags again: silent.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 6, flags: [duplicate] }) });
    // A known charge (from the queue) gains a re-key mismatch and a slip: only those two.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 5, flags: [duplicate, mismatch, slip] }) });
    // Confirmed or flagged charges call for nobody.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 7, status: 'flagged', flags: [slip] }) });
    expect(plays).toEqual([
      { kinds: ['possible_duplicate'], volume: 0.5 },
      { kinds: ['rekey_mismatch', 'digit_slip'], volume: 0.5 },
    ]);
    expect(store.getState().lastCue).toEqual(['rekey_mismatch', 'digit_slip']);
  });

  it('the volume the cashier picked is used and remembered', async () => {
    const { fake, store, plays } = await started();
    store.getState().setVolume(0);
    fake.emit({ name: 'charge.changed', payload: charge({ id: 9, flags: [slip] }) });
    expect(plays.at(-1)).toEqual({ kinds: ['digit_slip'], volume: 0 });
    expect(store.getState().volume).toBe(0);
  });

  it('every flag kind has its own cue; newFlagKinds lists each new kind once', () => {
    const shapes = Object.values(CUES).map((notes) => JSON.stringify(notes));
    expect(new Set(shapes).size).toBe(Object.keys(CUES).length);
    expect(newFlagKinds(undefined, charge({ flags: [slip, slip, duplicate] }))).toEqual(['digit_slip', 'possible_duplicate']);
    expect(newFlagKinds(charge({ flags: [slip] }), charge({ flags: [slip] }))).toEqual([]);
  });
});

describe('re-key, flag, manager', () => {
  it('re-key results are kept per charge; the flag dialog is prefilled from the re-key', async () => {
    const { store, fake } = await started({ 'charges.rekey': ({ chargeId, rekeyedMinor }) => ({ match: rekeyedMinor === 128000, charge: charge({ id: chargeId }) }) });
    expect(await store.getState().rekey(1, 12800)).toEqual({ chargeId: 1, rekeyedMinor: 12800, match: false });
    expect(await store.getState().rekey(2, 128000)).toEqual({ chargeId: 2, rekeyedMinor: 128000, match: true });
    expect(fake.callsTo('charges.rekey').map((c) => c.input)).toEqual([
      { chargeId: 1, rekeyedMinor: 12800 },
      { chargeId: 2, rekeyedMinor: 128000 },
    ]);
    store.getState().openFlag(1);
    expect(store.getState().flagDraft).toEqual({ chargeId: 1, intendedMinor: 12800 });
    store.getState().openFlag(3);
    expect(store.getState().flagDraft).toEqual({ chargeId: 3, intendedMinor: null });
    // The charge left the queue (confirmed): its re-key is forgotten.
    fake.emit({ name: 'charge.changed', payload: charge({ id: 2, status: 'confirmed' }) });
    expect(store.getState().rekeys[2]).toBeUndefined();
  });

  it('flagging sends what the cashier entered and closes the dialog; a refusal keeps it open with the reason', async () => {
    let fail = true;
    const { store, fake } = await started({
      'charges.flag': (input) => {
        if (fail) throw new ApiError('charge.not_flaggable', 'already flagged', { status: 'flagged' });
        return { charge: charge({ id: input.chargeId, status: 'flagged' }), incident: {} as never };
      },
    });
    store.getState().openFlag(1, 12800);
    expect(await store.getState().flag({ chargeId: 1, intendedMinor: 12800, cause: 'operator_error', note: '  extra zero ' })).toBe(false);
    expect(store.getState().flagError?.code).toBe('charge.not_flaggable');
    expect(store.getState().flagDraft).not.toBeNull();
    fail = false;
    expect(await store.getState().flag({ chargeId: 1, intendedMinor: 12800, cause: 'operator_error', note: '  extra zero ' })).toBe(true);
    expect(store.getState().flagDraft).toBeNull();
    expect(fake.callsTo('charges.flag').at(-1)?.input).toEqual({ chargeId: 1, intendedMinor: 12800, cause: 'operator_error', note: 'extra zero' });
  });

  it('calling the manager is a visible state and tells the sign-in', async () => {
    const { store, onManagerRequest } = await started();
    store.getState().requestManager(4);
    expect(store.getState().managerRequest).toEqual({ chargeId: 4 });
    expect(onManagerRequest).toHaveBeenCalledTimes(1);
    store.getState().clearManagerRequest();
    expect(store.getState().managerRequest).toBeNull();
  });

  it('blind mode: the amount is hidden until re-keyed; a match allows confirming with the amount; a mismatch never', () => {
    const blind = { ...DEFAULT_COUNTER_SETTINGS, blindRekey: true };
    const c = charge({ id: 1, amountMinor: 128000 });
    expect(rekeyView(c, { settings: blind, rekeys: {} })).toEqual({ hidden: true, mismatch: false, matchedMinor: undefined });
    expect(rekeyView(c, { settings: blind, rekeys: { 1: { chargeId: 1, rekeyedMinor: 128000, match: true } } })).toEqual({
      hidden: false,
      mismatch: false,
      matchedMinor: 128000,
    });
    const bad = charge({ id: 1, flags: [mismatch] });
    expect(rekeyView(bad, { settings: blind, rekeys: { 1: { chargeId: 1, rekeyedMinor: 12800, match: false } } })).toEqual({
      hidden: false,
      mismatch: true,
      matchedMinor: undefined,
    });
    expect(rekeyView(c, { settings: DEFAULT_COUNTER_SETTINGS, rekeys: {} }).hidden).toBe(false);
    expect(rekeyView(c, { settings: null, rekeys: {} }).hidden).toBe(false);
  });
});

describe('batch and settings', () => {
  it('re-fetches the batch status once after a burst of charge changes', async () => {
    const { fake } = await started();
    vi.useFakeTimers();
    const before = fake.callsTo('batch.status').length;
    for (let id = 10; id < 15; id++) fake.emit({ name: 'charge.changed', payload: charge({ id }) });
    vi.advanceTimersByTime(BATCH_REFRESH_MS + 1);
    expect(fake.callsTo('batch.status').length).toBe(before + 1);
  });

  it('settle: the report on success; the refusal (blocked) otherwise, and the status is re-read either way', async () => {
    let blocked = true;
    const { store, fake } = await started({
      'batch.settle': () => {
        if (blocked) throw new ApiError('batch.blocked', 'blocked', { count: '1', traces: '000002' });
        return report();
      },
    });
    const before = fake.callsTo('batch.status').length;
    expect(await store.getState().settle()).toBeNull();
    expect(store.getState().settleError).toMatchObject({ code: 'batch.blocked', params: { count: '1', traces: '000002' } });
    blocked = false;
    expect(await store.getState().settle()).toEqual(report());
    expect(store.getState().settleResult).toEqual(report());
    expect(store.getState().settleError).toBeNull();
    expect(fake.callsTo('batch.status').length).toBe(before + 2);
  });

  it('settings: loaded at start, saved through the API, and pushed changes from elsewhere are applied', async () => {
    const { store, fake } = await started({ 'settings.counter.update': (patch) => ({ ...DEFAULT_COUNTER_SETTINGS, ...patch }) as never });
    expect(store.getState().settings).toEqual(DEFAULT_COUNTER_SETTINGS);
    expect(await store.getState().updateSettings({ blindRekey: true })).toBe(true);
    expect(store.getState().settings?.blindRekey).toBe(true);
    fake.emit({ name: 'counter.settings', payload: { ...DEFAULT_COUNTER_SETTINGS, ceilingMinor: 500 } });
    expect(store.getState().settings).toEqual({ ...DEFAULT_COUNTER_SETTINGS, ceilingMinor: 500 });
    fake.handlers['settings.counter.update'] = () => {
      throw new ApiError('auth.required', 'A manager must sign in for this.');
    };
    expect(await store.getState().updateSettings({ blindRekey: false })).toBe(false);
    expect(store.getState().settingsError?.code).toBe('auth.required');
  });
});

describe('counter keys', () => {
  const key = (k: string, over: Partial<KeyLike> = {}): KeyLike => ({
    key: k,
    repeat: false,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    defaultPrevented: false,
    target: null,
    ...over,
  });
  /** An element inside these tags: `closest(list)` finds it when the list names one of them. */
  const inside = (...tags: string[]) =>
    ({ closest: (list: string) => (list.split(',').some((part) => tags.includes(part.trim())) ? {} : null) }) as unknown as EventTarget;

  it('F flags and M calls the manager (either case), not when held, typed into a field, or inside a dialog', () => {
    expect(counterKeyAction(key('f'))).toBe('flag');
    expect(counterKeyAction(key('F'))).toBe('flag');
    expect(counterKeyAction(key('m'))).toBe('manager');
    expect(counterKeyAction(key('M'))).toBe('manager');
    expect(counterKeyAction(key('f', { repeat: true }))).toBeNull();
    expect(counterKeyAction(key('m', { ctrlKey: true }))).toBeNull();
    expect(counterKeyAction(key('f', { target: inside('input') }))).toBeNull();
    expect(counterKeyAction(key('m', { target: inside('textarea') }))).toBeNull();
    expect(counterKeyAction(key('Enter', { target: inside('dialog') }))).toBeNull();
    expect(counterKeyAction(key('f', { target: inside('section') }))).toBe('flag');
  });
});
