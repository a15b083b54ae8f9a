/** Pure history-filter logic: the filter bar's strings → a contract HistoryFilter, and matching. */
import type { Charge, ChargeStatus, HistoryFilter } from '../../electron/contract/schemas.js';
import { parseMajor } from '../format/money.js';
import type { MoneyParseError } from '../format/money.js';

/** What the filter bar holds (all strings, as typed). */
export interface HistoryForm {
  status: ChargeStatus | '';
  flaggedOnly: boolean;
  last4: string;
  fromDate: string;
  toDate: string;
  minAmount: string;
  maxAmount: string;
}

export const EMPTY_HISTORY_FORM: HistoryForm = {
  status: '',
  flaggedOnly: false,
  last4: '',
  fromDate: '',
  toDate: '',
  minAmount: '',
  maxAmount: '',
};

/** The part of HistoryFilter the user chooses (paging fields are added by the store). */
export type HistoryQuery = Omit<HistoryFilter, 'beforeId' | 'limit'>;

export type HistoryFormError =
  | { field: 'last4'; code: 'history.error.last4' }
  | { field: 'dates'; code: 'history.error.dates' }
  | { field: 'minAmount' | 'maxAmount'; code: MoneyParseError['code']; max?: number }
  | { field: 'amounts'; code: 'history.error.amounts' };

export type HistoryFormResult = { ok: true; query: HistoryQuery } | { ok: false; errors: HistoryFormError[] };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `digits`: the minor-unit exponent used to read the amount bounds (the shop's currency). */
export function buildHistoryQuery(form: HistoryForm, digits: number): HistoryFormResult {
  const errors: HistoryFormError[] = [];
  const query: HistoryQuery = {};
  if (form.status) query.status = form.status;
  if (form.flaggedOnly) query.flagged = true;
  const last4 = form.last4.trim();
  if (last4) {
    if (/^\d{1,4}$/.test(last4)) query.last4 = last4;
    else errors.push({ field: 'last4', code: 'history.error.last4' });
  }
  if (DATE.test(form.fromDate)) query.fromDate = form.fromDate;
  if (DATE.test(form.toDate)) query.toDate = form.toDate;
  if (query.fromDate && query.toDate && query.fromDate > query.toDate) {
    errors.push({ field: 'dates', code: 'history.error.dates' });
  }
  for (const field of ['minAmount', 'maxAmount'] as const) {
    if (form[field].trim() === '') continue;
    const parsed = parseMajor(form[field], digits);
    if (!parsed.ok) {
      errors.push({ field, code: parsed.error.code, ...('max' in parsed.error ? { max: parsed.error.max } : {}) });
    } else if (field === 'minAmount') query.minAmountMinor = parsed.minor;
    else query.maxAmountMinor = parsed.minor;
  }
  if (query.minAmountMinor !== undefined && query.maxAmountMinor !== undefined && query.minAmountMinor > query.maxAmountMinor) {
    errors.push({ field: 'amounts', code: 'history.error.amounts' });
  }
  return errors.length ? { ok: false, errors } : { ok: true, query };
}

export function isFlagged(charge: Charge): boolean {
  return charge.flags.length > 0 || charge.status === 'flagged';
}

/** YYYY-MM-DD of an ISO instant in this machine's time zone (the core runs on the same machine). */
export function localDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${String(d.getFullYear()).padStart(4, '0')}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Client-side mirror of the core's history filter, used only to place pushed changes into the
 * loaded rows. Like the core, dates are the local date the host received the charge.
 */
export function matchesQuery(charge: Charge, query: HistoryQuery): boolean {
  if (query.status && charge.status !== query.status) return false;
  if (query.flagged && !isFlagged(charge)) return false;
  if (query.last4 && !charge.panMasked.endsWith(query.last4)) return false;
  const date = localDate(charge.receivedAt);
  if (query.fromDate && date < query.fromDate) return false;
  if (query.toDate && date > query.toDate) return false;
  if (query.minAmountMinor !== undefined && charge.amountMinor < query.minAmountMinor) return false;
  if (query.maxAmountMinor !== undefined && charge.amountMinor > query.maxAmountMinor) return false;
  return true;
}

/**
 * Apply one changed charge to loaded history rows (newest first). A charge inside the loaded
 * range is replaced, inserted or removed by the filter; one older than everything loaded is left
 * for paging to fetch (unless every page is loaded).
 */
export function applyToHistory(rows: Charge[], charge: Charge, query: HistoryQuery, allLoaded: boolean): Charge[] {
  const index = rows.findIndex((c) => c.id === charge.id);
  const matches = matchesQuery(charge, query);
  if (index !== -1) {
    if (!matches) return rows.filter((c) => c.id !== charge.id);
    const next = [...rows];
    next[index] = charge;
    return next;
  }
  if (!matches) return rows;
  const oldest = rows[rows.length - 1];
  if (oldest && charge.id < oldest.id && !allLoaded) return rows;
  const insertAt = rows.findIndex((c) => c.id < charge.id);
  if (insertAt === -1) return [...rows, charge];
  return [...rows.slice(0, insertAt), charge, ...rows.slice(insertAt)];
}

/** Append a fetched page, dropping ids already present (a pushed change may have landed first). */
export function appendPage(rows: Charge[], page: Charge[]): Charge[] {
  const seen = new Set(rows.map((c) => c.id));
  return [...rows, ...page.filter((c) => !seen.has(c.id))];
}
