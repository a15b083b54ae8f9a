/**
 * In-memory HID pair modelling a terminal's CP2110 HID-to-UART bridge (spec section 1).
 *
 * - Reports are 64 bytes; the report ID is the number of data bytes (1..63), zero padding follows.
 * - The bridge passes data in either direction only after the host enabled the UART (feature
 *   report `[0x41, 0x01]`) and configured it for 115200 8N1 (feature report
 *   `[0x50, 0x00,0x01,0xC2,0x00, 0x00, 0x00, 0x03, 0x00]`). Before that, host output reports are
 *   accepted by USB but go nowhere, and the terminal's bytes are not received (a device that has not
 *   been enabled sends nothing).
 * - `unplug()` kills every open host connection the way node-hid does (an error "could not read
 *   from HID device", later writes refuse) and removes the device from the list; `replug()` makes a
 *   new device appear (new path, bridge back to its power-on state: UART disabled).
 * - Delivery is asynchronous (microtasks) and strictly ordered per direction.
 */
import type { HidBackend, HidConnection, HidDeviceInfo } from './types.js';

export const REPORT_BYTES = 64;
export const UART_ENABLE_REPORT_ID = 0x41;
export const UART_CONFIG_REPORT_ID = 0x50;
/** node-hid's (hidapi's) message for a read failure after unplug. */
export const UNPLUG_MESSAGE = 'could not read from HID device';

const EXPECTED_CONFIG = [0x50, 0x00, 0x01, 0xc2, 0x00, 0x00, 0x00, 0x03, 0x00] as const;

export interface MemoryHidDeviceOptions {
  vendorId?: number;
  productId?: number;
  /** Set to undefined explicitly (via `usagePage: undefined`) to model a record without a usage page. */
  usagePage?: number | undefined;
  usage?: number;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** Path prefix; each plug generation gets `${prefix}/${generation}`. */
  pathPrefix?: string;
}

/** The terminal-side end of the bridge (what the terminal's UART sees, in reports). */
export interface MemoryTerminalEndpoint {
  /** True while plugged in and the host has enabled + configured the UART. */
  readonly ready: boolean;
  /** Data-carrying output reports from the host (64 bytes, `[n, b1..bn, 0…]`), only while ready. */
  onReport(listener: (report: Uint8Array) => void): () => void;
  /**
   * Emit one input report to the host: `[n, b1..bn]`, padded here to 64 bytes.
   * Returns false when it was not delivered (unplugged, UART not ready, or no open host connection).
   */
  sendReport(report: Uint8Array): boolean;
  /** Fires each time the bridge becomes ready (after both feature reports). */
  onReady(listener: () => void): () => void;
  /** Fires on unplug. */
  onUnplug(listener: () => void): () => void;
}

export interface MemoryHidPair {
  /** The host side, already opened on the device's current path. */
  host: HidConnection;
  terminal: MemoryTerminalEndpoint;
  device: MemoryHidDevice;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private listeners = new Set<Listener<T>>();
  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }
  emit(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // a listener's failure must not break the bridge
      }
    }
  }
  get size(): number {
    return this.listeners.size;
  }
  clear(): void {
    this.listeners.clear();
  }
}

function validateDataReport(report: Uint8Array, what: string): Uint8Array {
  if (report.length < 1 || report.length > REPORT_BYTES) {
    throw new RangeError(`${what}: report must be 1..${REPORT_BYTES} bytes, got ${report.length}`);
  }
  const n = report[0]!;
  if (n < 1 || n > REPORT_BYTES - 1) {
    throw new RangeError(`${what}: report ID ${n} is not a data report (1..63)`);
  }
  if (n > report.length - 1) {
    throw new RangeError(`${what}: report ID ${n} announces more bytes than the report holds (${report.length - 1})`);
  }
  const padded = new Uint8Array(REPORT_BYTES);
  padded.set(report);
  return padded;
}

/** One host-side open handle on a memory device. */
class MemoryHostConnection implements HidConnection {
  readonly reports = new Emitter<Uint8Array>();
  readonly errors = new Emitter<Error>();
  closed = false;
  dead = false;

  constructor(
    private readonly device: MemoryHidDevice,
    readonly generation: number,
  ) {}

  async write(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('Cannot write to a closed HID device');
    if (this.dead || !this.device.isLive(this.generation)) throw new Error('Cannot write to hid device');
    const padded = validateDataReport(report, 'write');
    this.device.deliverToTerminal(padded);
  }

  async sendFeatureReport(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('Cannot send feature report to a closed HID device');
    if (this.dead || !this.device.isLive(this.generation)) throw new Error('could not send feature report to device');
    this.device.featureReport(report);
  }

  onReport(listener: (report: Uint8Array) => void): () => void {
    return this.reports.on(listener);
  }

  onError(listener: (error: Error) => void): () => void {
    return this.errors.on(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reports.clear();
    this.errors.clear();
    this.device.detach(this);
  }

  /** Called by the device on unplug. */
  kill(): void {
    if (this.dead || this.closed) return;
    this.dead = true;
    queueMicrotask(() => {
      if (!this.closed) this.errors.emit(new Error(UNPLUG_MESSAGE));
    });
  }
}

/** A memory HID device: one terminal's bridge, which can be unplugged and plugged back in. */
export class MemoryHidDevice {
  private generation = 1;
  private pluggedIn = true;
  private uartEnabled = false;
  private uartConfigured = false;
  private readonly hosts = new Set<MemoryHostConnection>();
  private readonly toTerminal = new Emitter<Uint8Array>();
  private readonly readyEvents = new Emitter<void>();
  private readonly unplugEvents = new Emitter<void>();
  private readonly opts: Required<Omit<MemoryHidDeviceOptions, 'usagePage' | 'usage'>> & {
    usagePage: number | undefined;
    usage: number | undefined;
  };
  /** Feature reports the host sent, in order (for tests). */
  readonly featureReports: Uint8Array[] = [];

  readonly terminal: MemoryTerminalEndpoint;

  constructor(options: MemoryHidDeviceOptions = {}) {
    this.opts = {
      vendorId: options.vendorId ?? 0x10c4,
      productId: options.productId ?? 0xea80,
      usagePage: 'usagePage' in options ? options.usagePage : 0xff00,
      usage: options.usage ?? 0x0001,
      serialNumber: options.serialNumber ?? 'SIM0001',
      manufacturer: options.manufacturer ?? 'Silicon Labs',
      product: options.product ?? 'CP2110 HID USB-to-UART Bridge',
      pathPrefix: options.pathPrefix ?? 'memory-hid://cp2110',
    };
    const self = this;
    this.terminal = {
      get ready() {
        return self.ready;
      },
      onReport: (l) => self.toTerminal.on(l),
      sendReport: (r) => self.deliverToHost(r),
      onReady: (l) => self.readyEvents.on(l),
      onUnplug: (l) => self.unplugEvents.on(l),
    };
  }

  get plugged(): boolean {
    return this.pluggedIn;
  }

  /** Plugged in, UART enabled and configured for 115200 8N1. */
  get ready(): boolean {
    return this.pluggedIn && this.uartEnabled && this.uartConfigured;
  }

  get path(): string {
    return `${this.opts.pathPrefix}/${this.generation}`;
  }

  /** The enumeration record, or undefined while unplugged. */
  get info(): HidDeviceInfo | undefined {
    if (!this.pluggedIn) return undefined;
    const info: HidDeviceInfo = {
      path: this.path,
      vendorId: this.opts.vendorId,
      productId: this.opts.productId,
      serialNumber: this.opts.serialNumber,
      manufacturer: this.opts.manufacturer,
      product: this.opts.product,
      interface: 0,
    };
    if (this.opts.usagePage !== undefined) info.usagePage = this.opts.usagePage;
    if (this.opts.usage !== undefined && this.opts.usagePage !== undefined) info.usage = this.opts.usage;
    return info;
  }

  /** Number of open (not closed, not dead) host connections. */
  get openConnections(): number {
    let n = 0;
    for (const h of this.hosts) if (!h.dead && !h.closed) n++;
    return n;
  }

  /** Open a host-side connection (what `HidBackend.open(path)` does). */
  openHost(path: string = this.path): HidConnection {
    if (!this.pluggedIn || path !== this.path) {
      throw new Error(`cannot open device with path ${path}`);
    }
    const conn = new MemoryHostConnection(this, this.generation);
    this.hosts.add(conn);
    return conn;
  }

  unplug(): void {
    if (!this.pluggedIn) return;
    this.pluggedIn = false;
    this.uartEnabled = false;
    this.uartConfigured = false;
    for (const h of this.hosts) h.kill();
    this.hosts.clear();
    this.unplugEvents.emit();
  }

  replug(): void {
    if (this.pluggedIn) return;
    this.generation += 1;
    this.pluggedIn = true;
  }

  // ---- internals used by the connections -------------------------------------------------

  isLive(generation: number): boolean {
    return this.pluggedIn && generation === this.generation;
  }

  detach(conn: MemoryHostConnection): void {
    this.hosts.delete(conn);
  }

  featureReport(report: Uint8Array): void {
    this.featureReports.push(Uint8Array.from(report));
    const wasReady = this.ready;
    const id = report[0];
    if (id === UART_ENABLE_REPORT_ID) {
      this.uartEnabled = report[1] === 0x01;
    } else if (id === UART_CONFIG_REPORT_ID) {
      // Anything but 115200 8N1 means the UART speaks at the wrong speed/format: nothing gets through.
      this.uartConfigured =
        report.length >= EXPECTED_CONFIG.length && EXPECTED_CONFIG.every((b, i) => report[i] === b);
    }
    if (!wasReady && this.ready) queueMicrotask(() => this.readyEvents.emit());
  }

  deliverToTerminal(padded: Uint8Array): void {
    if (!this.ready) return; // accepted by USB, but the UART is off: the bytes go nowhere
    queueMicrotask(() => {
      if (this.ready) this.toTerminal.emit(padded);
    });
  }

  deliverToHost(report: Uint8Array): boolean {
    const padded = validateDataReport(report, 'sendReport');
    if (!this.ready) return false;
    let delivered = false;
    for (const h of this.hosts) {
      if (h.dead || h.closed) continue;
      delivered = true;
      queueMicrotask(() => {
        if (!h.dead && !h.closed) h.reports.emit(padded.slice());
      });
    }
    return delivered;
  }
}

/** A connected host/terminal pair over one memory device. */
export function createMemoryHidPair(options: MemoryHidDeviceOptions = {}): MemoryHidPair {
  const device = new MemoryHidDevice(options);
  return { host: device.openHost(), terminal: device.terminal, device };
}

export interface MemoryBackendOptions {
  kind?: 'simulator' | 'node-hid';
  /** Records that list but cannot be opened (e.g. a keyboard), to exercise discovery filters. */
  extraDevices?: HidDeviceInfo[];
}

/** A `HidBackend` over memory devices. */
export function createMemoryBackend(devices: MemoryHidDevice[], options: MemoryBackendOptions = {}): HidBackend & {
  listCalls: number;
} {
  const backend = {
    kind: options.kind ?? ('simulator' as const),
    listCalls: 0,
    async availability() {
      return { available: true as const };
    },
    async list(): Promise<HidDeviceInfo[]> {
      backend.listCalls += 1;
      const out: HidDeviceInfo[] = [...(options.extraDevices ?? [])];
      for (const d of devices) {
        const info = d.info;
        if (info) out.push(info);
      }
      return out;
    },
    async open(path: string): Promise<HidConnection> {
      const d = devices.find((x) => x.plugged && x.path === path);
      if (!d) throw new Error(`cannot open device with path ${path}`);
      return d.openHost(path);
    },
  };
  return backend;
}

/** Anything that owns a memory device (the simulated terminal). */
export interface HasMemoryDevice {
  readonly device: MemoryHidDevice;
}

/** The simulator backend: the simulated terminal's bridge is the only device on the bus. */
export function createSimulatorBackend(sim: HasMemoryDevice, options: Omit<MemoryBackendOptions, 'kind'> = {}) {
  return createMemoryBackend([sim.device], { ...options, kind: 'simulator' });
}
