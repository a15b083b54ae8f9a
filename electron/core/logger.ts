import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { scrubCardData } from '../../native/link/panGuard.js';

export type LogData = Record<string, unknown>;

export interface Logger {
  info(event: string, data?: LogData): void;
  warn(event: string, data?: LogData): void;
  error(event: string, data?: LogData): void;
}

const MAX_LOG_BYTES = 10 * 1024 * 1024;

/**
 * JSON-lines log in <dataDir>/logs. Every line passes the card-data scrubber (the same one every
 * log of the app uses) before it is written or echoed, so a card number that slipped into an error
 * message still never reaches the disk or the console.
 */
export function createLogger(dataDir: string, options: { echo?: boolean } = {}): Logger {
  const dir = path.join(dataDir, 'logs');
  const file = path.join(dir, 'countersign.log');
  let ready = false;
  function write(level: string, event: string, data?: LogData) {
    const line = scrubCardData(JSON.stringify({ at: new Date().toISOString(), level, event, ...data })) + '\n';
    try {
      if (!ready) {
        mkdirSync(dir, { recursive: true });
        ready = true;
      }
      try {
        if (statSync(file).size > MAX_LOG_BYTES) renameSync(file, file + '.1');
      } catch {
        /* first line of a new file */
      }
      appendFileSync(file, line, { mode: 0o600 });
    } catch {
      // A full disk must not take the till down; the line still goes to stderr below.
    }
    if (options.echo || level === 'error') process.stderr.write(line);
  }
  return {
    info: (event, data) => write('info', event, data),
    warn: (event, data) => write('warn', event, data),
    error: (event, data) => write('error', event, data),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
