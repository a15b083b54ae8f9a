import type { LinkMessage } from '../link/types.js';

/** What the UI shows about the link to the terminal. */
export type LinkState =
  | { kind: 'connected'; backend: 'node-hid' | 'simulator'; device: string }
  | { kind: 'searching'; backend: 'node-hid' | 'simulator' }
  | { kind: 'reconnecting'; backend: 'node-hid' | 'simulator'; attempt: number; nextRetryMs: number; reason: string }
  | { kind: 'unavailable'; backend: 'node-hid'; reason: string }
  | { kind: 'stopped' };

/** A host request the core has already made durable (its SEQ is in the ledger) and now sends. */
export interface HostRequest {
  seq: string;
  type: 'VD' | 'RF' | 'SE' | 'QT';
  fields: Record<string, string>;
  /**
   * QT only (optional, added by the device layer): the type of the request QS numbers. With it the
   * replayed RS is validated as that type's response (e.g. an approved VD must carry TR RF AC DT);
   * without it only RQ and RC are required.
   */
  originalType?: 'VD' | 'RF' | 'SE';
}

/** Outcome of a request at the session level. */
export type RequestOutcome =
  | { kind: 'response'; response: LinkMessage }
  /** No answer (link failed after 3 sends, response timeout, unplug). Resolve later with QT, never resend. */
  | { kind: 'unknown'; reason: string };

export interface TerminalSessionHandlers {
  /**
   * A valid CH arrived. The session ACKs the frame only after this promise resolves, so a charge is
   * acknowledged to the terminal only once it is durable. Throwing leaves it un-ACKed (terminal retries).
   */
  onCharge(message: LinkMessage): Promise<void> | void;
  onStatus?(message: LinkMessage): void;
  onLinkState?(state: LinkState): void;
  /** Rejected frames/messages (already masked, no card data). */
  onLinkError?(error: { code: string; detail: string }): void;
  /** An RS that matches no pending request (e.g. late answer after a timeout): the core may resolve a request with it. */
  onUnsolicitedResponse?(message: LinkMessage): void;
  /** Called after (re)connect so the core can resolve requests in unknown state with QT. */
  onConnected?(): void;
}

/**
 * Where the device layer writes its log (added by the device layer). Every message is passed
 * through maskForLog first and never contains card data. `console` fits.
 */
export interface DeviceLog {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}

export interface TerminalSession {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly state: LinkState;
  send(request: HostRequest): Promise<RequestOutcome>;
}
