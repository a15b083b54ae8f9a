import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The installed Electron executable, or null. Reads the electron package's path.txt instead of
 * `require('electron')`, which would try to download a missing binary (impossible offline).
 */
export function installedElectronBinary(fromFile: string): string | null {
  try {
    const pkgDir = path.dirname(createRequire(fromFile).resolve('electron/package.json'));
    const pathFile = path.join(pkgDir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const relative = readFileSync(pathFile, 'utf8').trim();
    const base = process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(pkgDir, 'dist');
    const full = path.join(base, relative);
    return existsSync(full) ? full : null;
  } catch {
    return null;
  }
}
