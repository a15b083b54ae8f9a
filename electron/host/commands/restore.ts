/**
 * `countersign restore [--data DIR] [--backup FILE] [--list]`: puts a backup of the ledger in place.
 * Without --backup, the newest backup in <DIR>/backups that verifies (quick_check + audit chain).
 * The ledger file in place is kept, set aside as `countersign.db.before-restore-<timestamp>`. Refused
 * while Countersign has the ledger open. The restored ledger records `ledger.restored` and moves its
 * host SEQ counter on (requests made after the backup must not reuse their SEQs).
 */
import { backupDirFor, backupTimestamp, listBackupsIn, recordRestore, restoreBackup } from '../../ledger/backups.js';
import { liveLedgerOwner } from '../../ledger/integrity.js';
import { LedgerError, openLedger } from '../../ledger/ledger.js';
import { ledgerPath } from '../../core/paths.js';
import { resolveDataDirFromDisk } from '../../core/dataLocation.js';
import { flagString, parseArgs, UsageError } from '../args.js';

export async function runRestore(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['data', 'backup'], booleans: ['list'] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const choice = resolveDataDirFromDisk({ flag: flagString(args, 'data') });
  const file = ledgerPath(choice.dataDir);
  // The default folder and the chosen one (its mirror in location.json: the ledger may be the damaged file).
  const dirs = [backupDirFor(file), ...(choice.backupFolder ? [choice.backupFolder] : [])];
  const backups = listBackupsIn(dirs);
  const where = [...new Set(dirs)].join(' and ');
  if (args.flags.has('list')) {
    if (backups.length === 0) process.stdout.write(`no backups in ${where}\n`);
    for (const b of backups) process.stdout.write(`${b.takenAt.toISOString()}  ${b.kind.padEnd(13)}  ${String(b.size).padStart(12)} bytes  ${b.file}\n`);
    return 0;
  }
  const owner = liveLedgerOwner(file);
  if (owner !== null) {
    process.stderr.write(`countersign restore: Countersign (pid ${owner}) has the ledger open: stop it first.\n`);
    return 1;
  }
  const backup = flagString(args, 'backup');
  if (!backup && backups.length === 0) {
    process.stderr.write(`countersign restore: there are no backups in ${where}\n`);
    return 1;
  }
  const now = new Date();
  let result;
  try {
    result = restoreBackup(file, { suffix: `.before-restore-${backupTimestamp(now)}`, dirs, ...(backup ? { backup } : {}) });
  } catch (error) {
    if (error instanceof LedgerError) {
      process.stderr.write(`countersign restore: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  for (const r of result.rejected) process.stderr.write(`skipped ${r.file}: ${r.reason}\n`);
  if (!result.backupFile) {
    process.stderr.write('countersign restore: no backup verified; nothing was changed.\n');
    return 1;
  }
  const ledger = await openLedger(file, { clock: () => now });
  try {
    const seq = recordRestore(ledger, {
      reason: 'restored from the command line',
      setAside: result.setAside,
      backupFile: result.backupFile,
      backupTakenAt: result.backupTakenAt,
      rejected: result.rejected.length,
    });
    process.stdout.write(`restored ${result.backupFile}\n`);
    process.stdout.write(`  taken at:      ${result.backupTakenAt?.toISOString() ?? 'unknown'}\n`);
    if (result.setAside) process.stdout.write(`  previous file: ${result.setAside} (kept)\n`);
    process.stdout.write(`  next host SEQ: after ${String(seq).padStart(6, '0')}\n`);
    process.stdout.write('Anything recorded after the backup was taken is not in the restored ledger: check the open batch against the terminal.\n');
  } finally {
    ledger.close();
  }
  return 0;
}
