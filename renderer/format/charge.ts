/** Pure display helpers for charge fields other than money. */

/**
 * Terminal local time as on the wire (YYYYMMDDhhmmss) → a Date whose UTC fields equal the
 * terminal's wall clock. Format it with `timeZone: 'UTC'` so no timezone conversion happens.
 * Returns null for anything that is not a real calendar time.
 */
export function parseTerminalTime(raw: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(raw);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number.parseInt(part, 10)) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const roundTrips =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return roundTrips ? date : null;
}

export type TimeStyle = 'full' | 'short';

/** "23 Nov 2026, 14:30:05" (en) / "2026年11月23日 14:30:05" (zh-CN); the raw string if unparsable. */
export function formatTerminalTime(raw: string, locale: string, style: TimeStyle = 'full'): string {
  const date = parseTerminalTime(raw);
  if (!date) return raw;
  const key = `${locale}|${style}`;
  let format = timeFormats.get(key);
  if (!format) {
    const options: Intl.DateTimeFormatOptions =
      style === 'full'
        ? { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC', hourCycle: 'h23' }
        : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC', hourCycle: 'h23' };
    format = new Intl.DateTimeFormat(locale, options);
    timeFormats.set(key, format);
  }
  return format.format(date);
}

/** Building an Intl.DateTimeFormat costs far more than using one: the counter formats on every render. */
const timeFormats = new Map<string, Intl.DateTimeFormat>();
