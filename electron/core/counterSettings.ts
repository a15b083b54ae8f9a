/**
 * The counter settings (blind re-key, the flag rules' thresholds), kept in the ledger's settings
 * store under one key and validated against the contract's schema on the way in and out.
 */
import { ApiError } from '../contract/api.js';
import { CounterSettings, DEFAULT_COUNTER_SETTINGS } from '../contract/counterSchemas.js';
import type { FlagSettings } from '../domain/flags.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Logger } from './logger.js';

export const COUNTER_SETTINGS_KEY = 'counter.settings';

/** Stored settings over the defaults (a setting added later gets its default). */
const Stored = CounterSettings.partial().passthrough();

/**
 * The current settings. A stored value that no longer validates is reported and replaced by the
 * defaults for reading, so a bad setting can never stop charges from being recorded.
 */
export function readCounterSettings(ledger: Ledger, log?: Pick<Logger, 'error'>): CounterSettings {
  try {
    const stored = ledger.settings.get(COUNTER_SETTINGS_KEY, Stored) ?? {};
    const known = Object.fromEntries(Object.entries(stored).filter(([k]) => k in DEFAULT_COUNTER_SETTINGS));
    return CounterSettings.parse({ ...DEFAULT_COUNTER_SETTINGS, ...known });
  } catch (error) {
    log?.error('settings.counter_invalid', { message: (error as Error).message });
    return { ...DEFAULT_COUNTER_SETTINGS };
  }
}

/** Applies a validated patch; audit `settings.changed` (no row when nothing changed). */
export function updateCounterSettings(ledger: Ledger, patch: Partial<CounterSettings>, actor: string): CounterSettings {
  const next = CounterSettings.safeParse({ ...readCounterSettings(ledger), ...patch });
  if (!next.success) {
    const issue = next.error.issues[0];
    throw new ApiError('settings.invalid', `Invalid counter setting ${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}`.trim(), {
      field: String(issue?.path[0] ?? ''),
    });
  }
  ledger.settings.set(COUNTER_SETTINGS_KEY, next.data, actor);
  return next.data;
}

export function flagSettingsOf(s: CounterSettings): FlagSettings {
  return {
    duplicateWindowMinutes: s.duplicateWindowMinutes,
    ceilingMinor: s.ceilingMinor,
    medianMultiple: s.medianMultiple,
    minSampleForMedian: s.minSampleForMedian,
  };
}
