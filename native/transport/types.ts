/** The HID transport seam: node-hid in production, an in-memory pair for the simulator and tests. */

export interface HidDeviceInfo {
  path: string;
  vendorId: number;
  productId: number;
  usagePage?: number;
  usage?: number;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  interface?: number;
}

export interface HidMatch {
  vendorId: number;
  productId: number;
  /** Vendor-defined usage page, default 0xFF00; undefined = do not filter (usagePage is often absent). */
  usagePage?: number;
  /** Optional: pin one terminal when several bridges are attached (added by the device layer). */
  serialNumber?: string;
}

export const DEFAULT_MATCH: HidMatch = { vendorId: 0x10c4, productId: 0xea80, usagePage: 0xff00 };

/** One open HID device. Reports are passed with the report ID as first byte. */
export interface HidConnection {
  /** Output report: [reportId = n, b1..bn], padded by the transport to the report size. */
  write(report: Uint8Array): Promise<void>;
  sendFeatureReport(report: Uint8Array): Promise<void>;
  /** Input reports as they arrive: data[0] = n, data[1..n] the bytes (padding may follow). */
  onReport(listener: (report: Uint8Array) => void): () => void;
  /** Read error / unplug. After it fires the connection is dead and must be closed. */
  onError(listener: (error: Error) => void): () => void;
  close(): Promise<void>;
}

export type BackendAvailability = { available: true } | { available: false; reason: string };

export interface HidBackend {
  readonly kind: 'node-hid' | 'simulator';
  availability(): Promise<BackendAvailability>;
  list(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidConnection>;
}
