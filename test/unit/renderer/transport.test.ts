import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../electron/contract/api.js';
import type { ApiEvent } from '../../../electron/contract/api.js';
import { createPreloadClient } from '../../../renderer/api/preloadClient.js';
import type { PreloadBridge } from '../../../renderer/api/preloadClient.js';
import { parseEvent, toApiError } from '../../../renderer/api/wire.js';
import { charge, today } from './fixtures.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('toApiError', () => {
  it('parses the JSON Electron wraps into the rejection message', () => {
    const shape = { code: 'charge.not_pending', message: 'charge 4 is confirmed', params: { chargeId: '4' } };
    const error = toApiError(new Error(`Error invoking remote method 'countersign:invoke': Error: ${JSON.stringify(shape)}`));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject(shape);
    expect(toApiError(new Error(JSON.stringify(shape)))).toMatchObject(shape);
  });

  it('accepts a plain shape, and never fails on garbage', () => {
    expect(toApiError({ code: 'db.disk_full', message: 'ENOSPC' })).toMatchObject({ code: 'db.disk_full', params: {} });
    expect(toApiError({ code: 'x', message: 'm', params: { n: 1, bad: { deep: true } } })).toMatchObject({ params: { n: '1' } });
    expect(toApiError(new Error('plain failure'))).toMatchObject({ code: 'internal', message: 'plain failure' });
    expect(toApiError(new Error('{not json}'))).toMatchObject({ code: 'internal', message: '{not json}' });
    expect(toApiError(new Error('{"message":"no code"}'))).toMatchObject({ code: 'internal' });
    expect(toApiError(undefined)).toMatchObject({ code: 'internal' });
    const own = new ApiError('sim.disabled', 'off');
    expect(toApiError(own)).toBe(own);
  });
});

describe('parseEvent', () => {
  it('validates against the contract schemas', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(parseEvent('charge.changed', charge())).toEqual({ name: 'charge.changed', payload: charge() });
    expect(parseEvent('charge.changed', { ...charge(), amountMinor: 1.5 })).toBeNull();
    expect(parseEvent('charge.changed', { ...charge(), currency: 'CNY' })).toBeNull();
    expect(parseEvent('link.state', { kind: 'unavailable', backend: 'simulator', reason: 'x' })).toBeNull();
    expect(parseEvent('toString', {})).toBeNull();
    expect(console.warn).toHaveBeenCalledTimes(4);
  });
});

describe('preload client', () => {
  function bridge(invoke: PreloadBridge['invoke']) {
    const listeners = new Set<(event: unknown) => void>();
    const b: PreloadBridge = {
      invoke,
      subscribe: vi.fn((listener: (event: unknown) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      }),
    };
    return { b, push: (event: unknown) => listeners.forEach((l) => l(event)), listeners };
  }

  it('invokes through the bridge and validates the result', async () => {
    const invoke = vi.fn(async () => today());
    const api = createPreloadClient(bridge(invoke).b);
    await expect(api.invoke('charges.today', {})).resolves.toEqual(today());
    expect(invoke).toHaveBeenCalledWith('charges.today', {});
    expect(api.connection()).toEqual({ kind: 'open' });
  });

  it('rejects with the ApiError parsed from the IPC error', async () => {
    const api = createPreloadClient(
      bridge(async () => {
        throw new Error(`Error invoking remote method 'x': Error: {"code":"charge.not_found","message":"no charge 9"}`);
      }).b,
    );
    await expect(api.invoke('charges.confirm', { chargeId: 9 })).rejects.toMatchObject({ code: 'charge.not_found', message: 'no charge 9' });
  });

  it('applies a batch the core coalesced (an array) in order, skipping only invalid events', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { b, push } = bridge(vi.fn());
    const client = createPreloadClient(b);
    const seen: number[] = [];
    client.subscribe((e) => {
      if (e.name === 'charge.changed') seen.push(e.payload.id);
    });
    push([
      { name: 'charge.changed', payload: charge({ id: 1 }) },
      { name: 'charge.changed', payload: { id: 'bad' } },
      { name: 'charge.changed', payload: charge({ id: 2 }) },
      { name: 'charge.changed', payload: charge({ id: 3 }) },
    ]);
    push({ name: 'charge.changed', payload: charge({ id: 4 }) });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(console.warn).toHaveBeenCalledTimes(1);
  });

  it('subscribes once, validates events, and unsubscribes on close', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { b, push, listeners } = bridge(async () => null);
    const api = createPreloadClient(b);
    const a: ApiEvent[] = [];
    const c: ApiEvent[] = [];
    const offA = api.subscribe((e) => a.push(e));
    api.subscribe((e) => c.push(e));
    expect(b.subscribe).toHaveBeenCalledTimes(1);
    push({ name: 'charge.changed', payload: charge({ id: 2 }) });
    push({ event: 'notice', payload: { level: 'info', code: 'x', params: {} } });
    push({ name: 'charge.changed', payload: { id: 2 } });
    push(null);
    offA();
    push({ name: 'status.changed', payload: { nope: true } });
    expect(a.map((e) => e.name)).toEqual(['charge.changed', 'notice']);
    expect(c.map((e) => e.name)).toEqual(['charge.changed', 'notice']);
    api.close();
    expect(listeners.size).toBe(0);
  });
});
