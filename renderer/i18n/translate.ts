/** Translation of codes that come from the core (errors, notices, flags) with safe fallbacks. */
import type { TFunction } from 'i18next';
import type { ApiErrorShape } from '../../electron/contract/api.js';
import type { ChargeFlag, FlagKind } from '../../electron/contract/schemas.js';
import type { Toast } from '../store/appStore.js';

type Params = Record<string, string | number>;

/** Error codes of the core and the renderer; each has `errors.<code>` in every locale. */
export const KNOWN_ERROR_CODES = [
  'charge.not_pending',
  'charge.not_found',
  'validation.failed',
  'db.disk_full',
  'db.corrupt',
  'link.unavailable',
  'sim.disabled',
  'internal',
  'api.bad_message',
  'api.unknown_command',
  'api.forbidden',
  'db.busy',
  'db.read_only',
  'db.io_error',
  'transport.disconnected',
  'transport.lost',
  'transport.bad_response',
] as const;

/**
 * Where an error code's sentence may live: `errors.<code>`, else in the area's own file as
 * `<area>.errors.<reason>` (auth.wrong_pin → auth.errors.wrong_pin), so each area keeps its
 * messages under its own top-level key.
 */
export function errorKeys(code: string): string[] {
  const dot = code.indexOf('.');
  return dot > 0 ? [`errors.${code}`, `${code.slice(0, dot)}.errors.${code.slice(dot + 1)}`] : [`errors.${code}`];
}

/** `errors.<code>` (or the area's `<area>.errors.<reason>`) in the user's language, else the core's own message. */
export function translateError(t: TFunction, error: ApiErrorShape): string {
  return t(errorKeys(error.code), { ...error.params, defaultValue: error.message || error.code });
}

/** A toast: `notices.<code>`, else `errors.<code>`, else the fallback or the bare code. */
export function translateToast(t: TFunction, toast: Toast): string {
  const fallback = toast.fallback ?? t('notices.unknown', { code: toast.code });
  return t([`notices.${toast.code}`, `errors.${toast.code}`], { ...toast.params, defaultValue: fallback });
}

/** The digit slips the core recognises (electron/domain/flags.ts `DigitSlip`). */
export const DIGIT_SLIPS = ['times10', 'times100', 'tenth', 'hundredth', 'swap'] as const;

/** Every flag sentence key the code may pick (the locale test checks they all exist). */
export const FLAG_SENTENCE_KEYS = [
  'flags.possible_duplicate.detail',
  'flags.possible_duplicate.detailJustNow',
  ...DIGIT_SLIPS.map((slip) => `flags.digit_slip.${slip}`),
  'flags.unusual_amount.median',
  'flags.unusual_amount.ceiling',
  'flags.rekey_mismatch.more',
  'flags.rekey_mismatch.less',
] as const;

/** Formats integer minor units in the flagged charge's currency. */
export type MoneyFormatter = (minor: number) => string;

export function flagTitle(t: TFunction, flag: ChargeFlag): string {
  return t(`flags.${flag.kind}.title`);
}

/**
 * The one-line explanation of a flag, built from the params the core sends
 * (electron/domain/flags.ts). When a param is missing or malformed the general sentence is used,
 * so no placeholder ever shows. `*Minor` params are money and are formatted, never shown raw.
 */
export function flagExplanation(t: TFunction, flag: ChargeFlag, money: MoneyFormatter): string {
  const p = flag.params;
  const int = (key: string): number | undefined => {
    const v = p[key];
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
    return Number.isSafeInteger(n) ? n : undefined;
  };
  const text = (key: string): string | undefined => {
    const v = p[key];
    return v === undefined || v === '' ? undefined : String(v);
  };

  switch (flag.kind) {
    case 'possible_duplicate': {
      const otherTrace = text('otherTrace');
      const minutes = int('minutes');
      if (otherTrace && minutes !== undefined) {
        return minutes < 1
          ? t('flags.possible_duplicate.detailJustNow', { otherTrace })
          : t('flags.possible_duplicate.detail', { otherTrace, minutes });
      }
      break;
    }
    case 'digit_slip': {
      const slip = text('slip');
      const intended = int('intendedMinor');
      if (slip && (DIGIT_SLIPS as readonly string[]).includes(slip) && intended !== undefined) {
        return t(`flags.digit_slip.${slip}`, { intended: money(intended) });
      }
      break;
    }
    case 'unusual_amount': {
      const reason = text('reason');
      const median = int('medianMinor');
      const multiple = int('multiple');
      const ceiling = int('ceilingMinor');
      if (reason === 'median' && median !== undefined && multiple !== undefined) {
        return t('flags.unusual_amount.median', { multiple, median: money(median) });
      }
      if (reason === 'ceiling' && ceiling !== undefined) return t('flags.unusual_amount.ceiling', { ceiling: money(ceiling) });
      break;
    }
    case 'rekey_mismatch': {
      const rekeyed = int('rekeyedMinor');
      const difference = int('differenceMinor');
      if (rekeyed !== undefined && difference !== undefined && difference !== 0) {
        return t(difference > 0 ? 'flags.rekey_mismatch.more' : 'flags.rekey_mismatch.less', {
          rekeyed: money(rekeyed),
          difference: money(Math.abs(difference)),
        });
      }
      break;
    }
  }
  return t(`flags.${flag.kind}.general`);
}
