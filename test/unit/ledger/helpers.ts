import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach } from 'vitest';
import type { NewCharge } from '../../../electron/domain/charge.js';
import { LedgerError } from '../../../electron/ledger/errors.js';

const dirs = { test: [] as string[], file: [] as string[] };

/** A fresh temp directory, removed after the test (or, with 'file', after the test file). */
export function tempDir(scope: 'test' | 'file' = 'test'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'countersign-ledger-'));
  dirs[scope].push(dir);
  return dir;
}

afterEach(() => {
  while (dirs.test.length) rmSync(dirs.test.pop() as string, { recursive: true, force: true });
});
afterAll(() => {
  while (dirs.file.length) rmSync(dirs.file.pop() as string, { recursive: true, force: true });
});

export function tempLedgerFile(scope: 'test' | 'file' = 'test'): string {
  return path.join(tempDir(scope), 'ledger.db');
}

/** A settable clock; each call returns the current time and then moves it on by `stepMs`. */
export function testClock(startIso = '2026-03-10T02:00:00.000Z', stepMs = 1000) {
  let now = Date.parse(startIso);
  const clock = () => {
    const at = new Date(now);
    now += stepMs;
    return at;
  };
  clock.set = (iso: string | Date) => {
    now = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  };
  return clock;
}

let traceCounter = 0;

/** A plausible CH charge. Masked PANs only (first 6, last 4). */
export function newCharge(over: Partial<NewCharge> = {}): NewCharge {
  traceCounter++;
  return {
    terminalId: '10293847',
    merchantId: '898310058120001',
    batch: '000027',
    trace: String(traceCounter).padStart(6, '0'),
    rrn: `33182200${String(traceCounter % 10000).padStart(4, '0')}`,
    authCode: '83K2Q1',
    amountMinor: 12800,
    currency: '156',
    panMasked: '622848******1234',
    entryMode: 'C',
    brand: 'UnionPay Debit',
    aid: null,
    txClass: null,
    merchantName: null,
    responseCode: '00',
    terminalTime: '20260310100000',
    ...over,
  };
}

/** Runs `fn` and returns the LedgerError it throws (fails the test if it throws anything else or nothing). */
export function ledgerErrorOf(fn: () => unknown): LedgerError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw new Error(`expected a LedgerError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a LedgerError, nothing was thrown');
}

export async function ledgerErrorOfAsync(fn: () => Promise<unknown>): Promise<LedgerError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw new Error(`expected a LedgerError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a LedgerError, nothing was thrown');
}

/** A second, raw connection to the ledger file: what someone with the sqlite3 shell has. */
export function tamperer(file: string): Database.Database {
  const raw = new Database(file);
  raw.pragma('busy_timeout = 5000');
  return raw;
}
