/** Words and numbers of the incident screens: errors in the user's language, money, times. */
import type { TFunction } from 'i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import { formatMinor } from '../../format/money.js';
import { translateError } from '../../i18n/translate.js';

/** `incidents.errors.<code with _>` (incident.* and export.* codes), else the app's usual error text. */
export function incidentErrorText(t: TFunction, error: ApiErrorShape): string {
  const params: Record<string, string> = { ...(error.params ?? {}) };
  if (params.status) params.status = t(`incidents.status.${params.status}`, { defaultValue: params.status });
  return t(`incidents.errors.${error.code.replace(/\./g, '_')}`, { ...params, defaultValue: translateError(t, { ...error, params }) });
}

export function money(minor: number | null | undefined, currency: string | null | undefined, locale: string): string {
  return minor === null || minor === undefined ? '—' : formatMinor(minor, currency ?? null, locale);
}

/** ISO 8601 → the user's local date and time, short. */
export function when(iso: string | null | undefined, locale: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}

/** Today (local) as YYYY-MM-DD, and a number of days before it. */
export function localDay(offsetDays = 0, now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + offsetDays);
  return `${String(d.getFullYear()).padStart(4, '0')}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
