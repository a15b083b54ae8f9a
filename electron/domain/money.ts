/**
 * Money is integer minor units everywhere. These helpers move between minor units and decimal
 * strings by string arithmetic only: no floating point ever touches an amount.
 */

export type ParseResult = { ok: true; minor: number } | { ok: false; error: string };

/** "1,280.5" → 128050 (2 decimals) ; rejects signs, exponents, more decimals than the currency has. */
export function parseMajorToMinor(text: string, decimals = 2): ParseResult {
  const cleaned = text.trim().replace(/[,\s_]/g, '');
  if (cleaned === '') return { ok: false, error: 'enter an amount' };
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return { ok: false, error: 'use digits and at most one decimal point, e.g. 128.00' };
  const whole = match[1]!;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return { ok: false, error: `at most ${decimals} decimal places` };
  const digits = (whole + fraction.padEnd(decimals, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > 12) return { ok: false, error: 'amount is too large for the terminal (12 digits)' };
  return { ok: true, minor: Number(digits) };
}

/** 128050 → "1280.50": a plain decimal string (no grouping), suitable for Intl.NumberFormat.format. */
export function minorToDecimalString(minor: number, decimals = 2): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError('amount must be an integer number of minor units');
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(decimals + 1, '0');
  const whole = decimals ? digits.slice(0, -decimals) : digits;
  const fraction = decimals ? digits.slice(-decimals) : '';
  return `${negative ? '-' : ''}${whole}${fraction ? '.' + fraction : ''}`;
}
