/**
 * The production HID backend: node-hid 3.x, async API only (device-notes.md).
 *
 * - node-hid is loaded lazily with a dynamic import inside try/catch, so a missing module or a
 *   missing libusb-1.0 (the Linux prebuilds link it; the import succeeds but the first call throws
 *   ERR_DLOPEN_FAILED) turns into `availability() = {available:false, reason}`, never a crash.
 * - `HIDAsync` starts reading when a 'data' listener is attached and buffers nothing without one,
 *   so the connection attaches its 'data' and 'error' listeners right at open and fans out.
 * - 'error' may be a plain string ("could not read from HID device" on unplug); it is normalised
 *   to an Error, delivered once, and the connection counts as dead from then on.
 * - `write` is given the exact 64-byte report, first byte = report ID.
 */
import type { BackendAvailability, HidBackend, HidConnection, HidDeviceInfo } from './types.js';

export const LIBUSB_MISSING_REASON = 'node-hid could not load libusb-1.0 (install the libusb-1.0-0 package)';
const REPORT_BYTES = 64;

/** The subset of node-hid's HIDAsync this backend uses. */
export interface NodeHidAsyncDevice {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
  write(values: number[] | Buffer): Promise<number>;
  sendFeatureReport(data: number[] | Buffer): Promise<number>;
  close(): Promise<void>;
}

/** The subset of the node-hid module this backend uses. */
export interface NodeHidModule {
  devicesAsync(): Promise<NodeHidDeviceRecord[]>;
  HIDAsync: { open(path: string, options?: { nonExclusive?: boolean }): Promise<NodeHidAsyncDevice> };
  setDriverType?(type: 'hidraw' | 'libusb'): void;
}

export interface NodeHidDeviceRecord {
  vendorId: number;
  productId: number;
  path?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
  release?: number;
  interface?: number;
  usagePage?: number | undefined;
  usage?: number | undefined;
}

export interface NodeHidBackendOptions {
  /** How to load node-hid (tests inject failures). Default: `import('node-hid')`. */
  loader?: () => Promise<unknown>;
  /** Linux only: 'hidraw' (default, fills usagePage) or 'libusb'. */
  driverType?: 'hidraw' | 'libusb';
}

async function defaultLoader(): Promise<unknown> {
  return import('node-hid');
}

function asModule(loaded: unknown): NodeHidModule {
  const m = loaded as Partial<NodeHidModule> & { default?: Partial<NodeHidModule> };
  const candidate = typeof m.devicesAsync === 'function' ? m : m.default;
  if (!candidate || typeof candidate.devicesAsync !== 'function' || typeof candidate.HIDAsync?.open !== 'function') {
    throw Object.assign(new Error('the loaded node-hid module has no async API (devicesAsync / HIDAsync)'), {
      code: 'NODE_HID_API',
    });
  }
  return candidate as NodeHidModule;
}

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err) {
    const c = (err as { code?: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

function errorMessage(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error) return err.message;
  try {
    return String(err);
  } catch {
    return 'unknown error';
  }
}

/** First line, length-capped: for human reasons. */
function short(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** A specific, human reason for why node-hid cannot be used. */
export function describeNodeHidLoadError(err: unknown): string {
  const code = errorCode(err);
  const msg = errorMessage(err);
  if (/libusb/i.test(msg)) return LIBUSB_MISSING_REASON;
  if (code === 'ERR_DLOPEN_FAILED') {
    if (/GLIBC/.test(msg)) return `node-hid's native module needs a newer C library than this system has (${short(msg)})`;
    if (/wrong ELF class|invalid ELF header|cannot open shared object/i.test(msg) && !/HID/i.test(msg)) {
      // a dependency of the addon is missing; on Linux that dependency is libusb-1.0
      return LIBUSB_MISSING_REASON;
    }
    return `node-hid's native module could not be loaded (${short(msg)}); on Linux this is usually a missing libusb-1.0 (install the libusb-1.0-0 package)`;
  }
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    if (/node-hid/.test(msg) && !/prebuild|\.node/.test(msg)) return 'node-hid is not installed (run npm install)';
    return `node-hid has no native build for ${process.platform}-${process.arch} (${short(msg)})`;
  }
  if (/No native build was found/i.test(msg)) {
    return `node-hid has no native build for ${process.platform}-${process.arch}`;
  }
  if (code === 'NODE_HID_API') return msg;
  return `node-hid is not usable: ${short(msg)}`;
}

function toDeviceInfo(r: NodeHidDeviceRecord): HidDeviceInfo | undefined {
  if (!r.path) return undefined;
  const info: HidDeviceInfo = { path: r.path, vendorId: r.vendorId, productId: r.productId };
  // usagePage/usage are omitted by node-hid when zero: keep them absent, not 0.
  if (r.usagePage) info.usagePage = r.usagePage;
  if (r.usage) info.usage = r.usage;
  if (r.serialNumber) info.serialNumber = r.serialNumber;
  if (r.manufacturer) info.manufacturer = r.manufacturer;
  if (r.product) info.product = r.product;
  if (typeof r.interface === 'number') info.interface = r.interface;
  return info;
}

class NodeHidConnection implements HidConnection {
  private readonly reportListeners = new Set<(r: Uint8Array) => void>();
  private readonly errorListeners = new Set<(e: Error) => void>();
  private dead: Error | undefined;
  private closed = false;

  constructor(private readonly hid: NodeHidAsyncDevice) {
    // 'error' first: an EventEmitter 'error' without a listener throws.
    hid.on('error', (e: unknown) => this.fail(e));
    hid.on('data', (data: Buffer) => {
      if (this.closed || this.dead) return;
      const report = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      for (const l of [...this.reportListeners]) {
        try {
          l(report);
        } catch {
          // never let a listener's exception reach node-hid (it would re-emit it as 'error')
        }
      }
    });
  }

  private fail(e: unknown): void {
    if (this.closed || this.dead) return;
    this.dead = e instanceof Error ? e : new Error(errorMessage(e));
    for (const l of [...this.errorListeners]) {
      try {
        l(this.dead);
      } catch {
        // ignore
      }
    }
  }

  async write(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('Cannot write to a closed HID device');
    if (this.dead) throw new Error(`Cannot write to hid device (${this.dead.message})`);
    if (report.length === 0 || report.length > REPORT_BYTES) {
      throw new RangeError(`report must be 1..${REPORT_BYTES} bytes, got ${report.length}`);
    }
    const buf = Buffer.alloc(REPORT_BYTES); // exact report size, first byte = report ID
    buf.set(report);
    try {
      await this.hid.write(buf);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(errorMessage(e));
      this.fail(err);
      throw err;
    }
  }

  async sendFeatureReport(report: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('Cannot send a feature report to a closed HID device');
    await this.hid.sendFeatureReport(Buffer.from(report));
  }

  onReport(listener: (report: Uint8Array) => void): () => void {
    this.reportListeners.add(listener);
    return () => {
      this.reportListeners.delete(listener);
    };
  }

  onError(listener: (error: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => {
      this.errorListeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.reportListeners.clear();
    this.errorListeners.clear();
    try {
      await this.hid.close();
    } catch {
      // closing a device that is already gone may fail; it is closed either way
    }
    // node-hid removes all listeners on close; keep a no-op 'error' listener so a late emit cannot throw.
    this.hid.on('error', () => {});
  }
}

export interface NodeHidBackend extends HidBackend {
  readonly kind: 'node-hid';
}

export function createNodeHidBackend(options: NodeHidBackendOptions = {}): NodeHidBackend {
  const loader = options.loader ?? defaultLoader;
  let loading: Promise<NodeHidModule> | undefined;
  let verified = false;

  const load = (): Promise<NodeHidModule> => {
    if (!loading) {
      loading = (async () => {
        const m = asModule(await loader());
        if (options.driverType && typeof m.setDriverType === 'function') m.setDriverType(options.driverType);
        return m;
      })();
      // a failed load may be retried later (e.g. after the package was installed)
      loading.catch(() => {
        loading = undefined;
      });
    }
    return loading;
  };

  const enumerate = async (): Promise<HidDeviceInfo[]> => {
    const m = await load();
    const records = await m.devicesAsync();
    verified = true;
    const out: HidDeviceInfo[] = [];
    for (const r of Array.isArray(records) ? records : []) {
      const info = toDeviceInfo(r);
      if (info) out.push(info);
    }
    return out;
  };

  return {
    kind: 'node-hid',
    async availability(): Promise<BackendAvailability> {
      if (verified) return { available: true };
      try {
        await enumerate();
        return { available: true };
      } catch (e) {
        return { available: false, reason: describeNodeHidLoadError(e) };
      }
    },
    async list(): Promise<HidDeviceInfo[]> {
      try {
        return await enumerate();
      } catch (e) {
        throw new Error(describeNodeHidLoadError(e), { cause: e });
      }
    },
    async open(path: string): Promise<HidConnection> {
      const m = await load();
      let hid: NodeHidAsyncDevice;
      try {
        hid = await m.HIDAsync.open(path);
      } catch (e) {
        const msg = errorMessage(e);
        const hint =
          process.platform === 'linux'
            ? ' (on Linux a non-root user needs a udev rule for the hidraw node, see device-notes.md)'
            : '';
        throw new Error(`cannot open HID device ${path}: ${short(msg)}${hint}`, { cause: e });
      }
      return new NodeHidConnection(hid);
    },
  };
}
