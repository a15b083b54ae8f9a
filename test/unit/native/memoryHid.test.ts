import { describe, expect, it } from 'vitest';
import {
  UART_CONFIG_115200_8N1,
  UART_ENABLE,
  filterDevices,
  findTerminals,
  matchesDevice,
  openTerminal,
} from '../../../native/transport/discovery.js';
import { createMemoryBackend, createMemoryHidPair, MemoryHidDevice } from '../../../native/transport/memoryHid.js';
import { DEFAULT_MATCH, type HidDeviceInfo } from '../../../native/transport/types.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('memory HID pair (CP2110 bridge model)', () => {
  it('passes no data in either direction before both feature reports, then passes 64-byte reports', async () => {
    const { host, terminal, device } = createMemoryHidPair();
    const atTerminal: Uint8Array[] = [];
    const atHost: Uint8Array[] = [];
    terminal.onReport((r) => atTerminal.push(r));
    host.onReport((r) => atHost.push(r));

    await host.write(Uint8Array.of(1, 0x06));
    expect(terminal.sendReport(Uint8Array.of(2, 0x41, 0x42))).toBe(false);
    await tick();
    expect(atTerminal).toHaveLength(0);
    expect(atHost).toHaveLength(0);

    // UART enabled but not configured: still nothing
    await host.sendFeatureReport(UART_ENABLE);
    await host.write(Uint8Array.of(1, 0x06));
    expect(terminal.ready).toBe(false);
    expect(terminal.sendReport(Uint8Array.of(1, 0x15))).toBe(false);
    await tick();
    expect(atTerminal).toHaveLength(0);
    expect(atHost).toHaveLength(0);

    await host.sendFeatureReport(UART_CONFIG_115200_8N1);
    expect(terminal.ready).toBe(true);
    await host.write(Uint8Array.of(1, 0x06));
    expect(terminal.sendReport(Uint8Array.of(2, 0x41, 0x42))).toBe(true);
    await tick();
    expect(atTerminal).toHaveLength(1);
    expect(atTerminal[0]).toHaveLength(64);
    expect([...atTerminal[0]!.subarray(0, 3)]).toEqual([1, 0x06, 0]);
    expect(atHost).toHaveLength(1);
    expect(atHost[0]).toHaveLength(64);
    expect([...atHost[0]!.subarray(0, 4)]).toEqual([2, 0x41, 0x42, 0]);
    expect(device.featureReports.map((r) => [...r])).toEqual([[...UART_ENABLE], [...UART_CONFIG_115200_8N1]]);
  });

  it('a wrong UART configuration (9600 baud) passes nothing', async () => {
    const { host, terminal } = createMemoryHidPair();
    await host.sendFeatureReport(UART_ENABLE);
    await host.sendFeatureReport(Uint8Array.of(0x50, 0x00, 0x00, 0x25, 0x80, 0, 0, 3, 0));
    expect(terminal.ready).toBe(false);
  });

  it('rejects reports that are not data reports', async () => {
    const { host } = createMemoryHidPair();
    await expect(host.write(Uint8Array.of(0x41, 0x01))).rejects.toThrow(/not a data report/);
    await expect(host.write(Uint8Array.of(0))).rejects.toThrow();
    await expect(host.write(Uint8Array.of(5, 1, 2))).rejects.toThrow(/announces more bytes/);
    await expect(host.write(new Uint8Array(65).fill(1))).rejects.toThrow();
  });

  it('unplug: the host side emits "could not read from HID device", refuses writes, the device leaves the list; replug: a new device appears', async () => {
    const device = new MemoryHidDevice();
    const backend = createMemoryBackend([device]);
    const [info] = await backend.list();
    expect(info?.path).toBeDefined();
    const host = await backend.open(info!.path);
    await openTerminal(host);
    expect(device.ready).toBe(true);
    const errors: Error[] = [];
    host.onError((e) => errors.push(e));

    device.unplug();
    await tick();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(errors[0]!.message).toBe('could not read from HID device');
    await expect(host.write(Uint8Array.of(1, 6))).rejects.toThrow();
    expect(await backend.list()).toEqual([]);
    await expect(backend.open(info!.path)).rejects.toThrow();

    device.replug();
    const [again] = await backend.list();
    expect(again).toBeDefined();
    expect(again!.path).not.toBe(info!.path);
    // the bridge is back at power-on state: UART off until the host enables it again
    expect(device.ready).toBe(false);
    const host2 = await backend.open(again!.path);
    await openTerminal(host2);
    expect(device.ready).toBe(true);
    // the old handle stays dead
    await expect(host.write(Uint8Array.of(1, 6))).rejects.toThrow();
    await host.close();
    await host2.close();
  });
});

describe('discovery', () => {
  const cp2110 = (over: Partial<HidDeviceInfo> = {}): HidDeviceInfo => ({
    path: '/dev/hidraw1',
    vendorId: 0x10c4,
    productId: 0xea80,
    usagePage: 0xff00,
    ...over,
  });

  it('matches VID/PID, filters on usage page only when the record has one', () => {
    expect(matchesDevice(cp2110(), DEFAULT_MATCH)).toBe(true);
    const noPage = cp2110();
    delete noPage.usagePage;
    expect(matchesDevice(noPage, DEFAULT_MATCH)).toBe(true);
    expect(matchesDevice(cp2110({ usagePage: 0x0001 }), DEFAULT_MATCH)).toBe(false);
    expect(matchesDevice(cp2110({ productId: 0xea60 }), DEFAULT_MATCH)).toBe(false);
    expect(matchesDevice(cp2110({ vendorId: 0x1234 }), DEFAULT_MATCH)).toBe(false);
    expect(matchesDevice(cp2110({ usagePage: 0x0001 }), { vendorId: 0x10c4, productId: 0xea80 })).toBe(true);
    expect(matchesDevice(cp2110({ serialNumber: 'A' }), { ...DEFAULT_MATCH, serialNumber: 'B' })).toBe(false);
  });

  it('filterDevices keeps one record per path (preferring the one with the usage page), sorted', () => {
    const keyboard: HidDeviceInfo = { path: '/dev/hidraw0', vendorId: 0x046d, productId: 0xc31c, usagePage: 1 };
    const noPage = cp2110({ path: '/dev/hidraw3' });
    delete noPage.usagePage;
    const out = filterDevices(
      [noPage, keyboard, cp2110({ path: '/dev/hidraw3' }), cp2110({ path: '/dev/hidraw2' })],
      DEFAULT_MATCH,
    );
    expect(out.map((d) => d.path)).toEqual(['/dev/hidraw2', '/dev/hidraw3']);
    expect(out[1]!.usagePage).toBe(0xff00);
  });

  it('findTerminals skips other devices on the bus; openTerminal sends exactly the two feature reports', async () => {
    const device = new MemoryHidDevice();
    const backend = createMemoryBackend([device], {
      extraDevices: [{ path: 'kbd', vendorId: 0x046d, productId: 0xc31c, usagePage: 1 }],
    });
    const found = await findTerminals(backend, DEFAULT_MATCH);
    expect(found.map((d) => d.path)).toEqual([device.path]);
    const conn = await backend.open(found[0]!.path);
    await openTerminal(conn);
    expect(device.featureReports.map((r) => Buffer.from(r).toString('hex'))).toEqual(['4101', '500001c20000000300']);
    await conn.close();
  });
});
