import type { ChargeFlag } from '../contract/schemas.js';

/** What the flag rules need to know about a charge. Amounts in integer minor units. */
export interface ChargeFacts {
  id: number;
  amountMinor: number;
  panMasked: string;
  trace: string;
  /** Milliseconds since the epoch when the host received it. */
  receivedAtMs: number;
  status: string;
}

export interface FlagSettings {
  duplicateWindowMinutes: number;
  /** A charge above this many minor units is unusual; null = no ceiling. */
  ceilingMinor: number | null;
  /** A charge at least this many times the median of recent confirmed charges is unusual. */
  medianMultiple: number;
  /** Too few confirmed charges make the median meaningless. */
  minSampleForMedian: number;
}

export const DEFAULT_FLAG_SETTINGS: FlagSettings = {
  duplicateWindowMinutes: 10,
  ceilingMinor: null,
  medianMultiple: 5,
  minSampleForMedian: 20,
};

/** Same masked card, same amount, within the window: a second swipe, not a retransmission. */
export function possibleDuplicate(charge: ChargeFacts, recentSameCard: readonly ChargeFacts[], settings: FlagSettings): ChargeFlag | null {
  const windowMs = settings.duplicateWindowMinutes * 60_000;
  const earlier = recentSameCard.find(
    (other) =>
      other.id !== charge.id &&
      other.panMasked === charge.panMasked &&
      other.amountMinor === charge.amountMinor &&
      other.status !== 'voided' &&
      Math.abs(charge.receivedAtMs - other.receivedAtMs) <= windowMs,
  );
  if (!earlier) return null;
  const minutes = Math.max(0, Math.round(Math.abs(charge.receivedAtMs - earlier.receivedAtMs) / 60_000));
  return { kind: 'possible_duplicate', params: { otherTrace: earlier.trace, otherId: earlier.id, minutes } };
}

/** Integer median (lower middle) so that no float ever stands for money. */
export function medianMinor(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export function unusualAmount(charge: ChargeFacts, recentConfirmedMinor: readonly number[], settings: FlagSettings): ChargeFlag | null {
  if (settings.ceilingMinor !== null && charge.amountMinor > settings.ceilingMinor) {
    return { kind: 'unusual_amount', params: { reason: 'ceiling', ceilingMinor: settings.ceilingMinor } };
  }
  if (recentConfirmedMinor.length < settings.minSampleForMedian) return null;
  const median = medianMinor(recentConfirmedMinor);
  if (median === null || median === 0) return null;
  if (charge.amountMinor >= median * settings.medianMultiple) {
    return {
      kind: 'unusual_amount',
      params: { reason: 'median', medianMinor: median, multiple: Math.floor(charge.amountMinor / median) },
    };
  }
  return null;
}

/** The classic slips between the till's total and the amount keyed on the terminal. */
export type DigitSlip = 'times10' | 'times100' | 'tenth' | 'hundredth' | 'swap';

export function digitSlip(chargedMinor: number, intendedMinor: number): DigitSlip | null {
  if (chargedMinor === intendedMinor || intendedMinor <= 0 || chargedMinor <= 0) return null;
  if (chargedMinor === intendedMinor * 10) return 'times10';
  if (chargedMinor === intendedMinor * 100) return 'times100';
  if (chargedMinor * 10 === intendedMinor) return 'tenth';
  if (chargedMinor * 100 === intendedMinor) return 'hundredth';
  const a = String(chargedMinor);
  const b = String(intendedMinor);
  if (a.length === b.length) {
    const diffs: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diffs.push(i);
    if (diffs.length === 2 && diffs[1] === diffs[0]! + 1 && a[diffs[0]!] === b[diffs[1]!] && a[diffs[1]!] === b[diffs[0]!]) {
      return 'swap';
    }
  }
  return null;
}

/** Flags from comparing the charge with what the cashier re-keyed from the till. */
export function rekeyFlags(chargedMinor: number, rekeyedMinor: number): ChargeFlag[] {
  if (chargedMinor === rekeyedMinor) return [];
  const flags: ChargeFlag[] = [
    { kind: 'rekey_mismatch', params: { rekeyedMinor, differenceMinor: chargedMinor - rekeyedMinor } },
  ];
  const slip = digitSlip(chargedMinor, rekeyedMinor);
  if (slip) flags.push({ kind: 'digit_slip', params: { slip, intendedMinor: rekeyedMinor } });
  return flags;
}
