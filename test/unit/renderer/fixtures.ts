import type { AppStatus, Charge, TodayTotals } from '../../../electron/contract/schemas.js';

/** A valid charge (masked PAN only, as the link delivers it); the worked example of the spec. */
export function charge(overrides: Partial<Charge> = {}): Charge {
  return {
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
    receivedAt: '2026-11-23T06:30:06.000Z',
    status: 'pending',
    flags: [],
    confirmedBy: null,
    confirmedAt: null,
    ...overrides,
  };
}

export function status(overrides: Partial<AppStatus> = {}): AppStatus {
  return {
    version: '0.1.0',
    dataDir: '/tmp/countersign',
    link: { kind: 'connected', backend: 'simulator', device: 'sim-0' },
    simulator: true,
    nodeHidProblem: null,
    operator: 'Wang Fang',
    auditHead: null,
    ...overrides,
  };
}

export function today(overrides: Partial<TodayTotals> = {}): TodayTotals {
  return {
    date: '2026-11-23',
    charges: { count: 3, amountMinor: 140800 },
    pending: { count: 2, amountMinor: 140000 },
    confirmed: { count: 1, amountMinor: 800 },
    flagged: { count: 1, amountMinor: 128000 },
    voided: { count: 0, amountMinor: 0 },
    refunded: { count: 0, amountMinor: 0 },
    currency: '156',
    ...overrides,
  };
}
