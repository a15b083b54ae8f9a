import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { currencyDigits, currencyInfo } from '../../../renderer/format/currency.js';
import { MAX_MINOR, formatMinor, minorToPlain, parseMajor } from '../../../renderer/format/money.js';

const minorUnits = fc.integer({ min: 0, max: MAX_MINOR });
const digitsArb = fc.constantFrom(0, 2, 3);

describe('minorToPlain', () => {
  it('builds the decimal string from integer minor units', () => {
    expect(minorToPlain(128000, 2)).toBe('1280.00');
    expect(minorToPlain(5, 2)).toBe('0.05');
    expect(minorToPlain(0, 2)).toBe('0.00');
    expect(minorToPlain(1280, 0)).toBe('1280');
    expect(minorToPlain(1, 3)).toBe('0.001');
    expect(minorToPlain(-5, 2)).toBe('-0.05');
    expect(minorToPlain(MAX_MINOR, 2)).toBe('9999999999.99');
  });

  it('refuses non-integers instead of rounding them', () => {
    expect(() => minorToPlain(12.5, 2)).toThrow(RangeError);
    expect(() => minorToPlain(Number.NaN, 2)).toThrow(RangeError);
    expect(() => minorToPlain(2 ** 60, 2)).toThrow(RangeError);
  });
});

describe('formatMinor', () => {
  it('formats the worked example as yuan', () => {
    expect(formatMinor(128000, '156', 'en')).toBe('¥1,280.00');
    expect(formatMinor(128000, '156', 'zh-CN')).toBe('¥1,280.00');
  });

  it('uses the currency exponent from ISO 4217', () => {
    expect(formatMinor(1280, '392', 'en')).toBe('¥1,280'); // JPY, 0 decimals
    expect(formatMinor(50000, '410', 'en')).toBe('₩50,000'); // KRW, 0 decimals
    expect(formatMinor(1230, '901', 'en')).toBe('$12.30'); // TWD keeps 2 decimals on the wire
    expect(formatMinor(1234, '414', 'en')).toMatch(/1\.234$/); // KWD, 3 decimals
    expect(formatMinor(1999, '978', 'en')).toBe('€19.99');
    expect(formatMinor(1999, '036', 'en')).toBe('$19.99');
  });

  it('can show the symbol or the ISO code instead of the narrow symbol', () => {
    expect(formatMinor(128000, '156', 'en', 'symbol')).toBe('CN¥1,280.00');
    expect(formatMinor(128000, '156', 'en', 'code').replace(/\s/g, ' ')).toBe('CNY 1,280.00');
  });

  it('shows an unknown code as 2 decimals plus the numeric code', () => {
    expect(formatMinor(128000, '999', 'en')).toBe('1,280.00 999');
    expect(formatMinor(5, null, 'en')).toBe('0.05');
  });

  it('keeps every digit of the largest amount (no float rounding)', () => {
    expect(formatMinor(MAX_MINOR, '156', 'en')).toBe('¥9,999,999,999.99');
    expect(formatMinor(900_719_925_474, '156', 'en')).toBe('¥9,007,199,254.74');
  });

  it('property: the formatted digits are exactly the minor units', () => {
    fc.assert(
      fc.property(minorUnits, fc.constantFrom('156', '392', '414', '999'), fc.constantFrom('en', 'zh-CN'), (minor, code, locale) => {
        const text = formatMinor(minor, code, locale);
        const amountPart = code === '999' ? text.slice(0, -' 999'.length) : text;
        expect(amountPart.replace(/\D/g, '').replace(/^0+(?=\d)/, '')).toBe(String(minor));
      }),
    );
  });
});

describe('parseMajor', () => {
  it('reads major units into integer minor units', () => {
    expect(parseMajor('1280', 2)).toEqual({ ok: true, minor: 128000 });
    expect(parseMajor('1280.5', 2)).toEqual({ ok: true, minor: 128050 });
    expect(parseMajor('1280.50', 2)).toEqual({ ok: true, minor: 128050 });
    expect(parseMajor('0.05', 2)).toEqual({ ok: true, minor: 5 });
    expect(parseMajor('.5', 2)).toEqual({ ok: true, minor: 50 });
    expect(parseMajor('12.', 2)).toEqual({ ok: true, minor: 1200 });
    expect(parseMajor('  128.00 ', 2)).toEqual({ ok: true, minor: 12800 });
    expect(parseMajor('1,280.00', 2)).toEqual({ ok: true, minor: 128000 });
    expect(parseMajor('1,234,567', 0)).toEqual({ ok: true, minor: 1234567 });
    expect(parseMajor('007.10', 2)).toEqual({ ok: true, minor: 710 });
    expect(parseMajor('1.234', 3)).toEqual({ ok: true, minor: 1234 });
  });

  it('accepts full-width input from a Chinese IME', () => {
    expect(parseMajor('１２８．００', 2)).toEqual({ ok: true, minor: 12800 });
    expect(parseMajor('128。5', 2)).toEqual({ ok: true, minor: 12850 });
  });

  it('does not suffer float artefacts (0.1 + 0.2, 1.005, 4.35)', () => {
    expect(parseMajor('0.30', 2)).toEqual({ ok: true, minor: 30 });
    expect(parseMajor('1.005', 3)).toEqual({ ok: true, minor: 1005 });
    expect(parseMajor('4.35', 2)).toEqual({ ok: true, minor: 435 }); // 4.35 * 100 = 434.99999… in floats
    expect(parseMajor('9999999999.99', 2)).toEqual({ ok: true, minor: MAX_MINOR });
  });

  it('rejects with a specific error', () => {
    expect(parseMajor('', 2)).toEqual({ ok: false, error: { code: 'money.empty' } });
    expect(parseMajor('   ', 2)).toEqual({ ok: false, error: { code: 'money.empty' } });
    expect(parseMajor('12.345', 2)).toEqual({ ok: false, error: { code: 'money.too_many_decimals', max: 2 } });
    expect(parseMajor('12.5', 0)).toEqual({ ok: false, error: { code: 'money.too_many_decimals', max: 0 } });
    expect(parseMajor('-5', 2)).toEqual({ ok: false, error: { code: 'money.negative' } });
    expect(parseMajor('10000000000.00', 2)).toEqual({ ok: false, error: { code: 'money.too_large' } });
    expect(parseMajor('99999999999999999999', 2)).toEqual({ ok: false, error: { code: 'money.too_large' } });
    for (const garbage of ['abc', '12a', '1.2.3', '1e5', '0x10', '¥12', '12 34', '1,23', ',123', 'Infinity', 'NaN', '.', '+5', '1_000']) {
      expect(parseMajor(garbage, 2), garbage).toEqual({ ok: false, error: { code: 'money.invalid' } });
    }
  });

  it('property: parse(plain(x)) == x for every integer amount', () => {
    fc.assert(
      fc.property(minorUnits, digitsArb, (minor, digits) => {
        expect(parseMajor(minorToPlain(minor, digits), digits)).toEqual({ ok: true, minor });
      }),
      { numRuns: 2000 },
    );
  });

  it('property: parse agrees with pure digit arithmetic on random decimal strings', () => {
    const intPart = fc.stringMatching(/^[1-9]\d{0,9}$/);
    const fracPart = fc.stringMatching(/^\d{0,2}$/);
    fc.assert(
      fc.property(intPart, fracPart, (i, f) => {
        const expected = Number.parseInt(i + f.padEnd(2, '0'), 10);
        expect(parseMajor(f ? `${i}.${f}` : i, 2)).toEqual({ ok: true, minor: expected });
      }),
    );
  });
});

describe('currency table', () => {
  it('maps the CU codes the terminals send', () => {
    expect(currencyInfo('156')).toEqual({ alpha: 'CNY', digits: 2 });
    expect(currencyInfo('036')?.alpha).toBe('AUD');
    expect(currencyInfo('392')).toEqual({ alpha: 'JPY', digits: 0 });
    expect(currencyInfo('410')).toEqual({ alpha: 'KRW', digits: 0 });
    expect(currencyInfo('000')).toBeUndefined();
    expect(currencyDigits('000')).toBe(2);
  });

  it('names only currencies Intl knows', () => {
    for (const code of ['156', '344', '446', '901', '840', '978', '826', '392', '410', '702', '458', '764', '036']) {
      const info = currencyInfo(code)!;
      expect(() => new Intl.NumberFormat('en', { style: 'currency', currency: info.alpha })).not.toThrow();
    }
  });
});
