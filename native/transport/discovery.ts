/**
 * Finding the terminal's bridge among HID devices and bringing its UART up (spec section 1).
 */
import type { HidBackend, HidConnection, HidDeviceInfo, HidMatch } from './types.js';

/** Feature report 0x41 = 0x01: enable the CP2110's UART. */
export const UART_ENABLE = Uint8Array.of(0x41, 0x01);
/** Feature report 0x50: 115200 baud (big-endian), parity none, flow control none, 8 data bits, 1 stop bit. */
export const UART_CONFIG_115200_8N1 = Uint8Array.of(0x50, 0x00, 0x01, 0xc2, 0x00, 0x00, 0x00, 0x03, 0x00);

/**
 * Does a device record match? VID and PID must be equal; the usage page filter applies only when
 * the match asks for one AND the record has one (node-hid omits usagePage when zero, and on Linux
 * only the hidraw backend fills it). A serial number, when the match names one, must be equal.
 */
export function matchesDevice(info: HidDeviceInfo, match: HidMatch): boolean {
  if (info.vendorId !== match.vendorId || info.productId !== match.productId) return false;
  if (match.usagePage !== undefined && info.usagePage !== undefined && info.usagePage !== match.usagePage) return false;
  if (match.serialNumber !== undefined && info.serialNumber !== match.serialNumber) return false;
  return true;
}

/**
 * The matching devices, one per path (a composite device can list a path more than once),
 * sorted by path so that "the first terminal" is stable across enumerations.
 */
export function filterDevices(devices: readonly HidDeviceInfo[], match: HidMatch): HidDeviceInfo[] {
  const byPath = new Map<string, HidDeviceInfo>();
  for (const d of devices) {
    if (!d.path || !matchesDevice(d, match)) continue;
    const seen = byPath.get(d.path);
    // Prefer the record that carries the vendor usage page.
    if (!seen || (seen.usagePage === undefined && d.usagePage !== undefined)) byPath.set(d.path, d);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** List the backend's devices and keep those that match. */
export async function findTerminals(backend: HidBackend, match: HidMatch): Promise<HidDeviceInfo[]> {
  return filterDevices(await backend.list(), match);
}

/**
 * Bring the bridge's UART up on an open connection: enable it, then configure 115200 8N1.
 * Rejects if either feature report fails (the caller closes the connection and retries).
 */
export async function openTerminal(conn: HidConnection): Promise<HidConnection> {
  await conn.sendFeatureReport(UART_ENABLE);
  await conn.sendFeatureReport(UART_CONFIG_115200_8N1);
  return conn;
}
