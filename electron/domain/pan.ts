/**
 * The masking rule for card numbers (ECR-HID link spec, PN field): 12..19 characters of digits and
 * `*`, with at most the first 6 and the last 4 digits visible. Pure.
 */

export type MaskedPanCheck =
  | { ok: true; last4: string }
  /** `form`: not 12..19 of [0-9*]. `too_many_digits`: more than 10 digits visible.
   *  `digits_in_middle`: a digit visible outside the first 6 / last 4 positions. */
  | { ok: false; problem: 'form' | 'too_many_digits' | 'digits_in_middle' };

export const MAX_VISIBLE_PAN_DIGITS = 10;

export function checkMaskedPan(pan: string): MaskedPanCheck {
  if (!/^[0-9*]{12,19}$/.test(pan)) return { ok: false, problem: 'form' };
  let visible = 0;
  let inMiddle = false;
  for (let i = 0; i < pan.length; i++) {
    if (pan[i] === '*') continue;
    visible++;
    if (i >= 6 && i < pan.length - 4) inMiddle = true;
  }
  if (visible > MAX_VISIBLE_PAN_DIGITS) return { ok: false, problem: 'too_many_digits' };
  if (inMiddle) return { ok: false, problem: 'digits_in_middle' };
  return { ok: true, last4: pan.slice(-4) };
}
