/**
 * Local calendar dates (the shop's, i.e. the process time zone) as ranges of ISO 8601 UTC instants,
 * so that "today" and "from 2025-11-01 to 2025-11-30" can be asked of `received_at` (stored in UTC,
 * as `Date.prototype.toISOString` writes it, which sorts as text in time order).
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Local midnight at the start of `date` (YYYY-MM-DD), or null if it is not a real calendar date. */
export function localMidnight(date: string): Date | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const at = new Date(y, mo - 1, d, 0, 0, 0, 0);
  // Date normalises 2025-02-30 to 2025-03-02: refuse those. setFullYear handles years 0..99.
  at.setFullYear(y);
  if (at.getFullYear() !== y || at.getMonth() !== mo - 1 || at.getDate() !== d) return null;
  return at;
}

/**
 * `[fromIso, toIsoExclusive)` covering the local dates `from`..`to`, both inclusive. Either end may
 * be omitted (open range). Returns null if a date is not a real calendar date.
 * DST-safe: the end is the next local midnight, not "+24 h".
 */
export function localDateRange(
  from: string | undefined,
  to: string | undefined,
): { fromIso: string | undefined; toIsoExclusive: string | undefined } | null {
  let fromIso: string | undefined;
  let toIsoExclusive: string | undefined;
  if (from !== undefined) {
    const start = localMidnight(from);
    if (!start) return null;
    fromIso = start.toISOString();
  }
  if (to !== undefined) {
    const start = localMidnight(to);
    if (!start) return null;
    const next = new Date(start.getTime());
    next.setDate(next.getDate() + 1); // keeps the local wall time (00:00) across DST changes
    next.setHours(0, 0, 0, 0);
    toIsoExclusive = next.toISOString();
  }
  return { fromIso, toIsoExclusive };
}

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDateOf(at: Date): string {
  const y = String(at.getFullYear()).padStart(4, '0');
  const m = String(at.getMonth() + 1).padStart(2, '0');
  const d = String(at.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}
