/**
 * Comfort settings of this screen (not the shop's): a high-contrast theme and large text. Each is a
 * class on the root element, kept in localStorage so that it survives a restart.
 */
export type ComfortKey = 'contrast' | 'largeText';

export const COMFORT_CLASS: Record<ComfortKey, string> = { contrast: 'theme-contrast', largeText: 'text-large' };
const STORAGE_KEY: Record<ComfortKey, string> = { contrast: 'countersign.comfort.contrast', largeText: 'countersign.comfort.largeText' };

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function loadComfort(key: ComfortKey): boolean {
  return storage()?.getItem(STORAGE_KEY[key]) === '1';
}

/** Puts the class on (or off) the root element. */
export function applyComfort(key: ComfortKey, on: boolean, root: Element = document.documentElement): void {
  root.classList.toggle(COMFORT_CLASS[key], on);
}

export function saveComfort(key: ComfortKey, on: boolean, root: Element = document.documentElement): void {
  const store = storage();
  if (on) store?.setItem(STORAGE_KEY[key], '1');
  else store?.removeItem(STORAGE_KEY[key]);
  applyComfort(key, on, root);
}

/** At start: the saved comfort settings onto the root element. */
export function applyStoredComfort(root: Element = document.documentElement): void {
  for (const key of Object.keys(COMFORT_CLASS) as ComfortKey[]) applyComfort(key, loadComfort(key), root);
}
