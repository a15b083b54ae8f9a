/**
 * Money helpers. Amounts are integer minor units end to end; the only conversions are between
 * digit strings and integers. No floating point arithmetic on money happens anywhere here:
 * Intl.NumberFormat receives a decimal STRING (exact, Intl.NumberFormat v3).
 */
import { currencyInfo, UNKNOWN_CURRENCY_DIGITS } from './currency.js';

/** Largest amount the wire (12 digits) and the contract's MinorUnits allow. */
export const MAX_MINOR = 999_999_999_999;

function assertMinor(minor: number): void {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount must be an integer of minor units, got ${String(minor)}`);
}

/**
 * Integer minor units → plain decimal string with exactly `digits` decimals:
 * (128000, 2) → "1280.00", (5, 2) → "0.05", (1280, 0) → "1280", (-5, 2) → "-0.05".
 */
export function minorToPlain(minor: number, digits: number): string {
  assertMinor(minor);
  if (!Number.isInteger(digits) || digits < 0 || digits > 6) throw new RangeError(`bad digits ${String(digits)}`);
  const negative = minor < 0;
  const abs = String(negative ? -minor : minor).padStart(digits + 1, '0');
  const intPart = abs.slice(0, abs.length - digits);
  const frac = abs.slice(abs.length - digits);
  return (negative ? '-' : '') + (digits === 0 ? intPart : `${intPart}.${frac}`);
}

export type CurrencyDisplay = 'narrowSymbol' | 'symbol' | 'code';

/**
 * Integer minor units + ISO 4217 numeric code → display string for the locale, e.g.
 * (128000, "156", "en") → "¥1,280.00". An unknown code is shown as the amount with 2 decimals
 * followed by the numeric code: "1,280.00 999".
 */
export function formatMinor(
  minor: number,
  numericCode: string | null | undefined,
  locale: string,
  display: CurrencyDisplay = 'narrowSymbol',
): string {
  const info = currencyInfo(numericCode);
  if (!info) {
    const plain = minorToPlain(minor, UNKNOWN_CURRENCY_DIGITS) as Intl.StringNumericLiteral;
    const number = numberFormat(`${locale}|plain`, () => ({
      locale,
      options: { minimumFractionDigits: UNKNOWN_CURRENCY_DIGITS, maximumFractionDigits: UNKNOWN_CURRENCY_DIGITS },
    })).format(plain);
    return numericCode ? `${number} ${numericCode}` : number;
  }
  const plain = minorToPlain(minor, info.digits) as Intl.StringNumericLiteral;
  return numberFormat(`${locale}|${info.alpha}|${display}|${info.digits}`, () => ({
    locale,
    options: { style: 'currency', currency: info.alpha, currencyDisplay: display, minimumFractionDigits: info.digits, maximumFractionDigits: info.digits },
  })).format(plain);
}

/** Building an Intl.NumberFormat costs far more than using one: the counter formats on every render. */
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(key: string, make: () => { locale: string; options: Intl.NumberFormatOptions }): Intl.NumberFormat {
  let format = numberFormats.get(key);
  if (!format) {
    const { locale, options } = make();
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(key, format);
  }
  return format;
}

export type MoneyParseError =
  | { code: 'money.empty' }
  | { code: 'money.invalid' }
  | { code: 'money.negative' }
  | { code: 'money.too_many_decimals'; max: number }
  | { code: 'money.too_large' };

export type MoneyParseResult = { ok: true; minor: number } | { ok: false; error: MoneyParseError };

/** Full-width digits/separators typed through a Chinese IME, mapped to ASCII. */
function normalizeInput(input: string): string {
  return input
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/[\uFF0E\u3002]/g, '.')
    .replace(/[\uFF0C]/g, ',')
    .replace(/[\uFF0D\u2212]/g, '-')
    .trim();
}

const PLAIN = /^(\d+)(?:\.(\d*))?$/;
const GROUPED = /^(\d{1,3}(?:,\d{3})+)(?:\.(\d*))?$/;
const LEADING_DOT = /^\.(\d+)$/;

/**
 * Major-unit input ("1280", "1,280.5", "0.05", "１２８．００") → integer minor units, with `digits`
 * the currency's exponent. Pure string work: no float is ever produced.
 */
export function parseMajor(input: string, digits: number): MoneyParseResult {
  const s = normalizeInput(input);
  if (s === '') return { ok: false, error: { code: 'money.empty' } };
  if (s.startsWith('-')) return { ok: false, error: { code: 'money.negative' } };
  let intPart: string;
  let frac: string;
  const plain = PLAIN.exec(s) ?? GROUPED.exec(s);
  if (plain) {
    intPart = (plain[1] ?? '').replace(/,/g, '');
    frac = plain[2] ?? '';
  } else {
    const dot = LEADING_DOT.exec(s);
    if (!dot) return { ok: false, error: { code: 'money.invalid' } };
    intPart = '0';
    frac = dot[1] ?? '';
  }
  if (frac.length > digits) return { ok: false, error: { code: 'money.too_many_decimals', max: digits } };
  const all = (intPart + frac.padEnd(digits, '0')).replace(/^0+(?=\d)/, '');
  if (all.length > String(MAX_MINOR).length) return { ok: false, error: { code: 'money.too_large' } };
  // At most 12 decimal digits: an exact integer conversion, no fractional value involved.
  const minor = Number.parseInt(all, 10);
  if (minor > MAX_MINOR) return { ok: false, error: { code: 'money.too_large' } };
  return { ok: true, minor };
}
