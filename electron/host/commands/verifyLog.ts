import { existsSync } from 'node:fs';
import { verifyLogFile } from '../../ledger/verifyLog.js';
import { ledgerPath } from '../../core/paths.js';
import { resolveDataDirFromDisk } from '../../core/dataLocation.js';
import { flagString, parseArgs } from '../args.js';

/** `countersign verify-log [--db PATH]`: exit 0 when the audit chain is intact, 1 naming the first bad row. */
export async function runVerifyLog(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['db'], booleans: [] });
  const db = flagString(args, 'db') ?? ledgerPath(resolveDataDirFromDisk().dataDir);
  if (!existsSync(db)) {
    process.stderr.write(`countersign verify-log: no ledger at ${db}\n`);
    return 2;
  }
  const result = verifyLogFile(db);
  if (result.ok) {
    process.stdout.write(`audit chain intact: ${result.rows} rows, head ${result.head ?? '(empty)'}\n`);
    return 0;
  }
  process.stdout.write(`audit chain BROKEN at row ${result.badSeq}: ${result.reason} (${result.rows} rows checked)\n`);
  return 1;
}
