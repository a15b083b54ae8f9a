/**
 * The desktop shell's native "choose a folder / a file" dialogs, as the core sees them. Only the
 * Electron shell has them (electron/shell/dialogs.ts); the browser host has none, and its screens
 * ask for an absolute path typed by the user instead (checked like any other input).
 */
export interface FileDialogs {
  /** The chosen path, or null when the dialog was cancelled. */
  choose(kind: 'folder' | 'file'): Promise<string | null>;
}
