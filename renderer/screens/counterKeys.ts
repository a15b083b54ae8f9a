/** Keyboard rules of the Counter screen, kept pure so they can be tested without a DOM. */

export type CounterKeyAction = 'confirm' | 'next' | 'prev' | 'flag' | 'manager';

export interface KeyLike {
  key: string;
  repeat: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  isComposing?: boolean;
  defaultPrevented: boolean;
  target: EventTarget | null;
}

/** Typing targets: keys there belong to the field (and Enter submits its own form). */
const TEXT_ENTRY = 'input, select, textarea, [contenteditable=""], [contenteditable="true"]';
/** Keys inside a dialog belong to the dialog. */
const DIALOG = 'dialog, [role="dialog"], [role="alertdialog"]';
/** Controls that act on Enter themselves; a second, global action would double it. */
const SELF_ACTIVATING = 'button, a[href], summary, [role="button"], [role="link"]';

function closest(target: EventTarget | null, selector: string): boolean {
  const el = target as { closest?: (selector: string) => unknown } | null;
  return typeof el?.closest === 'function' && el.closest(selector) != null;
}

export function counterKeyAction(e: KeyLike): CounterKeyAction | null {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return null;
  if (closest(e.target, TEXT_ENTRY) || closest(e.target, DIALOG)) return null;
  switch (e.key) {
    case 'Enter':
      // A held key must never run through the queue confirming charges nobody looked at.
      if (e.repeat || e.shiftKey || closest(e.target, SELF_ACTIVATING)) return null;
      return 'confirm';
    case 'ArrowRight':
      return 'next';
    case 'ArrowLeft':
      return 'prev';
    case 'f':
    case 'F':
      return e.repeat ? null : 'flag';
    case 'm':
    case 'M':
      return e.repeat ? null : 'manager';
    default:
      return null;
  }
}

/**
 * After a different charge comes on screen, confirming is held off this long, so a double press
 * (or a press already on its way) cannot confirm a charge the cashier has not seen.
 */
export const CONFIRM_ARM_MS = 400;
