/** Texts of the setup steps (pure, testable without a DOM). */
import type { TFunction } from 'i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import type { ConnectionTest } from '../../../electron/contract/commands/setup.js';
import { translateError } from '../../i18n/translate.js';

/** The wizard's steps, in order: the owner first (only a manager may change what follows). */
export const SETUP_STEPS = ['accounts', 'shop', 'terminal', 'printer', 'folders', 'summary'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/** Every `setup.errors.*` the core can answer (the locale test checks each has a sentence). */
export const SETUP_ERROR_KEYS = [
  'setup.errors.folder.not_absolute',
  'setup.errors.folder.not_a_folder',
  'setup.errors.folder.unreadable',
  'setup.errors.folder.no_parent',
  'setup.errors.folder.not_writable',
  'setup.errors.shop.unknown_currency',
  'setup.errors.backups.failed',
  'setup.errors.backups.unavailable',
] as const;

export function describeSetupError(t: TFunction, error: ApiErrorShape): string {
  // The boundary refuses a relative path before the folder check runs: say what a full path looks like.
  if (error.code === 'validation.failed' && error.params?.command === 'setup.setBackupFolder') return t('setup.errors.folder.invalid_path');
  return translateError(t, error);
}

/** One line for a connection test: the round trip, or the specific failure. */
export function describeConnectionTest(t: TFunction, test: ConnectionTest): string {
  if (test.ok) return t('setup.terminal.test.ok', { ms: test.ms, seq: test.seq ?? '—', rc: test.rc ?? '—' });
  return t(`setup.terminal.test.failure.${test.failure ?? 'not_connected'}`, { ms: test.ms, detail: test.detail ?? '' });
}

/** What the terminal reported about itself, if anything. */
export function describeTerminalFields(t: TFunction, test: ConnectionTest): string {
  const parts = [
    test.terminalId ? t('setup.terminal.test.terminalId', { id: test.terminalId }) : t('setup.terminal.test.noTerminalId'),
    test.terminalStatus ? t('setup.terminal.test.status', { status: test.terminalStatus, paper: test.paper ?? '—' }) : t('setup.terminal.test.noStatus'),
  ];
  return parts.join(' · ');
}

/** Bytes in a short human form (backups list). */
export function formatSize(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}
