import os from 'node:os';
import path from 'node:path';

/** Same folder Electron's app.getPath('userData') uses for the product name, so both hosts share one ledger. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.COUNTERSIGN_DATA_DIR) return path.resolve(env.COUNTERSIGN_DATA_DIR);
  return osDataDir(env, platform);
}

/** The OS user-data folder alone (no override): where location.json lives (dataLocation.ts). */
export function osDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME && platform !== 'win32' ? env.HOME : os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Countersign');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Countersign');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Countersign');
}

export const LEDGER_FILE = 'countersign.db';
export const HOST_FILE = 'host.json';

export function ledgerPath(dataDir: string): string {
  return path.join(dataDir, LEDGER_FILE);
}
