import { describe, expect, it, vi } from 'vitest';
import { ApiError, commands } from '../../../electron/contract/api.js';
import { createDispatcher, type CommandHandlers } from '../../../electron/core/dispatch.js';
import { VISA_PAN, grouped } from '../../support/testPan.js';

function fakeHandlers(overrides: Partial<CommandHandlers> = {}): CommandHandlers {
  const fail = () => {
    throw new Error('not used');
  };
  const base = Object.fromEntries(Object.keys(commands).map((name) => [name, fail])) as unknown as CommandHandlers;
  return { ...base, ...overrides };
}

const ctx = { transport: 'ws' as const, sessionId: 's1' };
const log = { warn: vi.fn(), error: vi.fn() };

const charge = {
  id: 1,
  terminalId: '10293847',
  merchantId: '898310058120001',
  batch: '000027',
  trace: '000318',
  rrn: '331822000318',
  authCode: '83K2Q1',
  amountMinor: 128000,
  currency: '156',
  panMasked: '622848******1234',
  entryMode: 'C',
  brand: 'UnionPay Debit',
  terminalTime: '20261123143005',
  receivedAt: '2026-11-23T06:30:05.000Z',
  status: 'confirmed',
  flags: [],
  confirmedBy: 'cashier',
  confirmedAt: '2026-11-23T06:30:09.000Z',
};

describe('the API boundary', () => {
  it('passes valid input to the handler and validates its output', async () => {
    const confirm = vi.fn(() => charge);
    const dispatch = createDispatcher(fakeHandlers({ 'charges.confirm': confirm as never }), log);
    await expect(dispatch('charges.confirm', { chargeId: 1 }, ctx)).resolves.toEqual(charge);
    expect(confirm).toHaveBeenCalledWith({ chargeId: 1 }, ctx);
  });

  it.each([
    ['a string id', { chargeId: '1' }],
    ['a float id', { chargeId: 1.5 }],
    ['a negative id', { chargeId: -3 }],
    ['an extra field', { chargeId: 1, actor: 'owner' }],
    ['nothing', undefined],
    ['an array', [1]],
  ])('rejects %s with validation.failed before any handler runs', async (_label, input) => {
    const confirm = vi.fn();
    const dispatch = createDispatcher(fakeHandlers({ 'charges.confirm': confirm as never }), log);
    await expect(dispatch('charges.confirm', input, ctx)).rejects.toMatchObject({ code: 'validation.failed' });
    expect(confirm).not.toHaveBeenCalled();
  });

  it('rejects unknown and prototype-polluting command names', async () => {
    const dispatch = createDispatcher(fakeHandlers(), log);
    for (const name of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      await expect(dispatch(name, {}, ctx)).rejects.toMatchObject({ code: 'api.unknown_command' });
    }
  });

  it('rejects garbage amounts for the simulator: floats, negatives, zero, beyond 12 digits', async () => {
    const dispatch = createDispatcher(fakeHandlers({ 'sim.charge': (() => ({ trace: '000001' })) as never }), log);
    for (const amountMinor of [12.5, -1, 0, 1e12, Number.NaN, '128.00']) {
      await expect(dispatch('sim.charge', { amountMinor }, ctx)).rejects.toMatchObject({ code: 'validation.failed' });
    }
    await expect(dispatch('sim.charge', { amountMinor: 12800 }, ctx)).resolves.toEqual({ trace: '000001' });
  });

  it('refuses an unmasked card number even from the simulator panel', async () => {
    const dispatch = createDispatcher(fakeHandlers({ 'sim.charge': (() => ({ trace: '000001' })) as never }), log);
    await expect(dispatch('sim.charge', { panMasked: grouped(VISA_PAN, ' ') }, ctx)).rejects.toMatchObject({ code: 'validation.failed' });
  });

  it('keeps domain error codes and hides internal errors behind "internal"', async () => {
    const dispatch = createDispatcher(
      fakeHandlers({
        'charges.confirm': (() => {
          throw Object.assign(new Error('charge 9 is not waiting for confirmation'), { code: 'charge.not_pending', params: { id: '9' } });
        }) as never,
        'charges.queue': (() => {
          throw new TypeError('cannot read x of undefined');
        }) as never,
      }),
      log,
    );
    const notPending = await dispatch('charges.confirm', { chargeId: 9 }, ctx).catch((e: unknown) => e);
    expect(notPending).toBeInstanceOf(ApiError);
    expect(notPending).toMatchObject({ code: 'charge.not_pending', params: { id: '9' } });
    await expect(dispatch('charges.queue', {}, ctx)).rejects.toMatchObject({ code: 'internal' });
    expect(log.error).toHaveBeenCalled();
  });

  it('refuses output that breaks the contract (a float amount from a buggy handler)', async () => {
    const dispatch = createDispatcher(fakeHandlers({ 'charges.queue': (() => [{ ...charge, amountMinor: 1280.0001 }]) as never }), log);
    await expect(dispatch('charges.queue', {}, ctx)).rejects.toMatchObject({ code: 'internal' });
  });
});
