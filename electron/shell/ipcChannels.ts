/** IPC channel names shared by the main process and the preload (which cannot import much else). */
export const INVOKE_CHANNEL = 'countersign:invoke';
export const EVENT_CHANNEL = 'countersign:event';
