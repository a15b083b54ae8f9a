import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  LIBUSB_MISSING_REASON,
  createNodeHidBackend,
  describeNodeHidLoadError,
  type NodeHidModule,
} from '../../../native/transport/nodeHid.js';
import { filterDevices } from '../../../native/transport/discovery.js';
import { DEFAULT_MATCH } from '../../../native/transport/types.js';

function dlopenError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_DLOPEN_FAILED' });
}

/** A stand-in for node-hid's HIDAsync: an EventEmitter with the async methods. */
class FakeHidAsync extends EventEmitter {
  writes: Buffer[] = [];
  features: Buffer[] = [];
  closed = false;
  async write(values: number[] | Buffer): Promise<number> {
    const b = Buffer.from(values as Buffer);
    this.writes.push(b);
    return b.length;
  }
  async sendFeatureReport(data: number[] | Buffer): Promise<number> {
    const b = Buffer.from(data as Buffer);
    this.features.push(b);
    return b.length;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.removeAllListeners();
  }
}

function fakeModule(dev: FakeHidAsync): NodeHidModule {
  return {
    devicesAsync: async () => [
      { vendorId: 0x10c4, productId: 0xea80, path: '/dev/hidraw7', usagePage: 0xff00, usage: 1, interface: 0, release: 1 },
      { vendorId: 0x046d, productId: 0xc31c, path: '/dev/hidraw0', usagePage: 0, interface: 0, release: 1 },
      { vendorId: 0x10c4, productId: 0xea80, interface: 0, release: 1 }, // no path: skipped
    ],
    HIDAsync: { open: async () => dev },
  };
}

describe('node-hid backend', () => {
  it('enumerates for real on this machine: available, list is an array, no CP2110 terminal attached', async () => {
    const backend = createNodeHidBackend();
    expect(backend.kind).toBe('node-hid');
    expect(await backend.availability()).toEqual({ available: true });
    const list = await backend.list();
    expect(Array.isArray(list)).toBe(true);
    for (const d of list) {
      expect(typeof d.path).toBe('string');
      expect(typeof d.vendorId).toBe('number');
    }
    expect(filterDevices(list, { vendorId: 0x10c4, productId: 0xea80 })).toEqual([]);
  });

  it('a loader that throws ERR_DLOPEN_FAILED (libusb missing) gives available:false with the libusb reason, no throw', async () => {
    const backend = createNodeHidBackend({
      loader: async () => {
        throw dlopenError('libusb-1.0.so.0: cannot open shared object file: No such file or directory');
      },
    });
    const a = await backend.availability();
    expect(a).toEqual({ available: false, reason: LIBUSB_MISSING_REASON });
    expect(LIBUSB_MISSING_REASON).toBe('node-hid could not load libusb-1.0 (install the libusb-1.0-0 package)');
    await expect(backend.list()).rejects.toThrow(LIBUSB_MISSING_REASON);
  });

  it('import succeeds but the first enumeration throws ERR_DLOPEN_FAILED: same reason', async () => {
    const backend = createNodeHidBackend({
      loader: async () => ({
        devicesAsync: async () => {
          throw dlopenError('/x/node_modules/node-hid/prebuilds/HID_hidraw-linux-x64/node-napi-v3.node: libusb-1.0.so.0: cannot open shared object file');
        },
        HIDAsync: { open: async () => new FakeHidAsync() },
      }),
    });
    expect(await backend.availability()).toEqual({ available: false, reason: LIBUSB_MISSING_REASON });
  });

  it('other load failures get their own specific reasons', async () => {
    const missing = createNodeHidBackend({
      loader: async () => {
        throw Object.assign(new Error("Cannot find package 'node-hid' imported from /x.js"), { code: 'ERR_MODULE_NOT_FOUND' });
      },
    });
    expect(await missing.availability()).toEqual({ available: false, reason: 'node-hid is not installed (run npm install)' });
    const noApi = createNodeHidBackend({ loader: async () => ({ devices: () => [] }) });
    const r = await noApi.availability();
    expect(r.available).toBe(false);
    expect(!r.available && r.reason).toMatch(/async API/);
    expect(describeNodeHidLoadError(dlopenError("/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found"))).toMatch(
      /newer C library/,
    );
    expect(describeNodeHidLoadError('boom')).toBe('node-hid is not usable: boom');
  });

  it('maps device records (drops records without a path, keeps absent usage page absent)', async () => {
    const backend = createNodeHidBackend({ loader: async () => fakeModule(new FakeHidAsync()) });
    const list = await backend.list();
    expect(list).toEqual([
      { path: '/dev/hidraw7', vendorId: 0x10c4, productId: 0xea80, usagePage: 0xff00, usage: 1, interface: 0 },
      { path: '/dev/hidraw0', vendorId: 0x046d, productId: 0xc31c, interface: 0 },
    ]);
  });

  it('connection: writes the exact 64-byte report, forwards data, turns a plain-string error into one Error', async () => {
    const dev = new FakeHidAsync();
    const backend = createNodeHidBackend({ loader: async () => ({ default: fakeModule(dev) }) });
    const conn = await backend.open('/dev/hidraw7');
    // listeners are attached at open (HIDAsync reads only while a 'data' listener exists)
    expect(dev.listenerCount('data')).toBe(1);
    expect(dev.listenerCount('error')).toBe(1);

    await conn.write(Uint8Array.of(1, 0x06));
    expect(dev.writes[0]).toHaveLength(64);
    expect([...dev.writes[0]!.subarray(0, 3)]).toEqual([1, 6, 0]);
    await conn.sendFeatureReport(Uint8Array.of(0x41, 0x01));
    expect([...dev.features[0]!]).toEqual([0x41, 0x01]);

    const got: Uint8Array[] = [];
    conn.onReport((r) => got.push(r));
    conn.onReport(() => {
      throw new Error('listener bug'); // must not surface as a device error
    });
    dev.emit('data', Buffer.from([2, 0x41, 0x42, 0, 0]));
    expect(got.map((r) => [...r])).toEqual([[2, 0x41, 0x42, 0, 0]]);

    const errors: Error[] = [];
    conn.onError((e) => errors.push(e));
    dev.emit('error', 'could not read from HID device');
    dev.emit('error', 'could not read from HID device');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(errors[0]!.message).toBe('could not read from HID device');
    await expect(conn.write(Uint8Array.of(1, 6))).rejects.toThrow(/could not read/);
    dev.emit('data', Buffer.from([1, 6])); // after the error: ignored
    expect(got).toHaveLength(1);

    await conn.close();
    expect(dev.closed).toBe(true);
    expect(() => dev.emit('error', 'late')).not.toThrow();
  });

  it('open failure carries the path and a udev hint on Linux', async () => {
    const backend = createNodeHidBackend({
      loader: async () => ({
        devicesAsync: async () => [],
        HIDAsync: {
          open: async () => {
            throw new Error('cannot open device with path /dev/hidraw3');
          },
        },
      }),
    });
    await expect(backend.open('/dev/hidraw3')).rejects.toThrow(/cannot open HID device \/dev\/hidraw3/);
  });
});
