/**
 * Shared types of the ECR-HID link stack (../shared/spec/ecr-hid-link.md).
 * Layers: HID reports -> byte stream (reassembly) -> frames (framing) -> messages (codec).
 */

export const TERMINAL_TYPES = ['CH', 'RS', 'ST'] as const;
export const HOST_TYPES = ['VD', 'RF', 'SE', 'QT'] as const;
export type TerminalMessageType = (typeof TERMINAL_TYPES)[number];
export type HostMessageType = (typeof HOST_TYPES)[number];
export type MessageType = TerminalMessageType | HostMessageType;

/** A decoded (or to-be-encoded) message. Field order is kept (insertion order) for encoding. */
export interface LinkMessage {
  type: MessageType;
  /** 6 ASCII digits, 000001..999999 */
  seq: string;
  /** Only tags known for this type; values are the exact strings on the wire (MN decoded as UTF-8). */
  fields: Record<string, string>;
}

/** Error codes of the host-side receive pipeline (also the `countersign decode` codes). */
export type LinkErrorCode =
  | 'lrc'
  | 'length'
  | 'etx'
  | 'report'
  | 'format'
  | 'missing-field'
  | 'duplicate-field'
  | 'pan-unmasked';

export interface LinkErrorEvent {
  code: LinkErrorCode;
  /** Human readable; never contains PAN digits or track data. */
  detail: string;
}

export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;
export const REPORT_SIZE = 64;
export const MAX_REPORT_DATA = 63;
export const MAX_FRAME_DATA = 1024;
export const ACK_TIMEOUT_MS = 1000;
export const MAX_SENDS = 3;
