/**
 * Printing to a printer device file: the Linux USB printer class (`/dev/usb/lp0`), a parallel port
 * (`/dev/lp0`), or a FIFO/file that a spooler reads. Opened non-blocking (an absent reader or a
 * printer that takes no data never hangs the app), written with a deadline, and every failure named.
 */
import { constants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { PrintError } from './errors.js';

export interface DeviceTimeouts {
  /** The whole write must finish within this. */
  writeMs: number;
}

export const DEFAULT_DEVICE_TIMEOUTS: DeviceTimeouts = { writeMs: 20_000 };

function mapDeviceError(error: NodeJS.ErrnoException, path: string): PrintError {
  const params = { path, detail: error.code ?? error.message };
  switch (error.code) {
    case 'ENOENT':
    case 'ENODEV':
      return new PrintError('print.device_missing', `there is no printer at ${path}: check that it is plugged in and switched on (USB printers appear as /dev/usb/lp0, lp1…)`, params, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new PrintError('print.device_permission', `Countersign may not write to ${path}: add this user to the "lp" group (then log in again)`, params, { cause: error });
    case 'ENXIO':
      return new PrintError('print.device_offline', `nothing is taking data at ${path}: the printer is unplugged or switched off`, params, { cause: error });
    case 'EISDIR':
      return new PrintError('print.device_not_printer', `${path} is a folder, not a printer`, params, { cause: error });
    case 'EIO':
    case 'EPIPE':
      return new PrintError('print.device_error', `the printer at ${path} reported an error (out of paper, cover open or unplugged while printing): check it; the receipt stays in the queue`, params, { cause: error });
    default:
      return new PrintError('print.device_error', `writing to ${path} failed: ${error.message}`, params, { cause: error });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `data` to the device at `path` (which must exist: it is never created). */
export async function printDevice(path: string, data: Uint8Array, timeouts: DeviceTimeouts = DEFAULT_DEVICE_TIMEOUTS): Promise<{ bytes: number }> {
  let handle: FileHandle;
  try {
    const stat = await fsp.stat(path);
    if (stat.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    // O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of blocking forever.
    handle = await fsp.open(path, constants.O_WRONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0) | (stat.isFile() ? constants.O_APPEND : 0));
  } catch (error) {
    throw mapDeviceError(error as NodeJS.ErrnoException, path);
  }
  const deadline = Date.now() + timeouts.writeMs;
  let offset = 0;
  try {
    while (offset < data.length) {
      try {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
        continue;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
      if (Date.now() >= deadline) {
        const seconds = Math.round(timeouts.writeMs / 1000);
        throw new PrintError('print.timeout', `the printer at ${path} took no data for ${seconds} s (out of paper, or busy?): the receipt stays in the queue`, {
          printer: path,
          path,
          seconds: String(seconds),
        });
      }
      await sleep(20);
    }
  } catch (error) {
    if (error instanceof PrintError) throw error;
    throw mapDeviceError(error as NodeJS.ErrnoException, path);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return { bytes: offset };
}
