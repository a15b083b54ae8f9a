/**
 * The void/refund screen's rules and sentences, pure (testable without a DOM): which action applies
 * and why, reading the refund amount (major units → integer minor units, never a float), the
 * terminal's answer in plain words, the receipts' lines.
 */
import type { TFunction } from 'i18next';
import type { ApiErrorShape } from '../../../electron/contract/api.js';
import type { AdjustmentPreview, AdjustmentView } from '../../../electron/contract/commands/adjustments.js';
import type { PrintOutcome } from '../../../electron/contract/commands/printing.js';
import { RESPONSE_CODE_MEANINGS, responseCodeMeaning } from '../../../electron/domain/adjustment.js';
import { parseMajor, type MoneyParseError } from '../../format/money.js';
import { translateError } from '../../i18n/translate.js';
import { describePrintError } from '../printing/printText.js';

export type AdjustMode = 'void' | 'refund';

/** Every refusal the core gives (electron/domain/adjustment.ts AdjustmentRefusal); each has adjust.refused.<code>. */
export const REFUSALS = ['already_voided', 'void_in_flight', 'fully_refunded', 'refund_in_flight_covers_rest', 'not_adjustable'] as const;

/** Every meaning of the terminal's answer the screen may show; each has adjust.rc.<meaning>. */
export const RC_MEANINGS = [...new Set([...Object.values(RESPONSE_CODE_MEANINGS), 'unknown_code', 'no_answer_yet'])];

/** What the screen offers for a charge: the action and why, or why nothing is possible. */
export type AdjustChoice =
  | { kind: 'action'; mode: AdjustMode; why: 'open_batch' | 'settled'; partial: boolean; maxMinor: number; remainingMinor: number }
  | { kind: 'refused'; code: string };

export function adjustChoice(preview: AdjustmentPreview): AdjustChoice {
  if (preview.mode === null || preview.why === null) return { kind: 'refused', code: preview.refusal ?? 'not_adjustable' };
  return {
    kind: 'action',
    mode: preview.mode,
    why: preview.why,
    // A refund of what is left after an earlier refund is already a partial refund of the charge.
    partial: preview.mode === 'refund' && preview.refundedMinor > 0,
    maxMinor: preview.maxMinor,
    remainingMinor: preview.remainingMinor,
  };
}

export function refusalKey(code: string): string {
  return (REFUSALS as readonly string[]).includes(code) ? `adjust.refused.${code}` : 'adjust.refused.not_adjustable';
}

export type AmountProblem = MoneyParseError | { code: 'adjust.form.notPositive' } | { code: 'adjust.form.beyondRemaining'; maxMinor: number };

/**
 * The amount as typed → integer minor units, checked against what may be refunded. A void is
 * always the full amount (the field is not read).
 */
export function readAdjustAmount(
  text: string,
  digits: number,
  choice: Extract<AdjustChoice, { kind: 'action' }>,
): { ok: true; minor: number } | { ok: false; problem: AmountProblem } {
  if (choice.mode === 'void') return { ok: true, minor: choice.maxMinor };
  const parsed = parseMajor(text, digits);
  if (!parsed.ok) return { ok: false, problem: parsed.error };
  if (parsed.minor <= 0) return { ok: false, problem: { code: 'adjust.form.notPositive' } };
  if (parsed.minor > choice.maxMinor) return { ok: false, problem: { code: 'adjust.form.beyondRemaining', maxMinor: choice.maxMinor } };
  return { ok: true, minor: parsed.minor };
}

export function describeAmountProblem(t: TFunction, problem: AmountProblem, money: (minor: number) => string): string {
  switch (problem.code) {
    case 'adjust.form.beyondRemaining':
      return t('adjust.form.beyondRemaining', { max: money(problem.maxMinor) });
    case 'adjust.form.notPositive':
      return t('adjust.form.notPositive');
    case 'money.too_many_decimals':
      return t('money.too_many_decimals', { max: problem.max });
    default:
      return t(problem.code);
  }
}

/** What the outcome shows: answered (approved/declined) or not yet (a request still on its way counts as not yet). */
export type OutcomeState = 'approved' | 'declined' | 'unknown';

export function outcomeState(adjustment: Pick<AdjustmentView, 'state'>): OutcomeState {
  return adjustment.state === 'sent' ? 'unknown' : adjustment.state;
}

/** The meaning of the terminal's answer (adjust.rc.<meaning>). */
export function outcomeMeaning(adjustment: Pick<AdjustmentView, 'state' | 'rc'>): string {
  if (adjustment.state === 'sent' || adjustment.state === 'unknown' || adjustment.rc === null) return 'no_answer_yet';
  return responseCodeMeaning(adjustment.rc);
}

/** The terminal's answer in plain words. */
export function describeOutcome(t: TFunction, adjustment: Pick<AdjustmentView, 'state' | 'rc'>): string {
  return t(`adjust.rc.${outcomeMeaning(adjustment)}`);
}

/** Where a copy went, short: a file's name (not its folder), or the printer's own description. */
export function shortOutput(output: string): string {
  const cut = Math.max(output.lastIndexOf('/'), output.lastIndexOf('\\'));
  return cut >= 0 && cut < output.length - 1 ? output.slice(cut + 1) : output;
}

/** One receipt copy's line: printed (where to), printing, or failed with the reason and queued for reprint. */
export function describeReceipt(t: TFunction, outcome: Pick<PrintOutcome, 'state' | 'error' | 'output'>): string {
  if (outcome.state === 'printed') return outcome.output ? t('adjust.receipt.printedTo', { output: shortOutput(outcome.output) }) : t('adjust.receipt.printed');
  if (outcome.state === 'queued') return t('adjust.receipt.queued');
  const reason = outcome.error ? describePrintError(t, outcome.error) : t('errors.internal');
  return t('adjust.receipt.failed', { reason });
}

/** A void/refund error in the manager's words (money params formatted, never raw minor units). */
export function describeAdjustError(t: TFunction, error: ApiErrorShape, money: (minor: number) => string): string {
  if (error.code === 'adjust.refund_beyond_remaining') {
    const max = Number(error.params?.maxMinor);
    return Number.isSafeInteger(max) ? t('adjust.form.beyondRemaining', { max: money(max) }) : t('adjust.errors.refund_beyond_remaining');
  }
  if (error.code === 'auth.required' || error.code === 'auth.forbidden') return t('adjust.needsManager');
  return translateError(t, error);
}

/** Which reason to preselect from the charge's incident. */
export function defaultReason(preview: AdjustmentPreview): '' | 'wrong_amount' | 'duplicate' {
  switch (preview.incident?.kind) {
    case 'wrong_amount':
    case 'over_charge':
      return 'wrong_amount';
    case 'duplicate_charge':
      return 'duplicate';
    default:
      return '';
  }
}

/**
 * Whether to offer "charge the correct amount" (补刷): the wrong charge was voided (or refunded in
 * full) and its incident is about the amount and names what should have been paid.
 */
export function offersRecharge(preview: AdjustmentPreview): boolean {
  const incident = preview.incident;
  if (!incident || (incident.kind !== 'wrong_amount' && incident.kind !== 'over_charge')) return false;
  if (incident.intendedMinor === null || incident.intendedMinor <= 0) return false;
  if (preview.recharge) return true;
  return preview.charge.status === 'voided' || preview.charge.status === 'refunded';
}

/** Search input: at least 4 characters (the core's rule), trimmed. */
export function searchQuery(text: string): string | null {
  const q = text.normalize('NFKC').trim();
  return q.length >= 4 && q.length <= 32 ? q : null;
}
