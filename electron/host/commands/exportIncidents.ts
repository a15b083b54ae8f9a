import { existsSync } from 'node:fs';
import path from 'node:path';
import { ledgerPath } from '../../core/paths.js';
import { resolveDataDirFromDisk } from '../../core/dataLocation.js';
import { formatsOf } from '../../core/exportService.js';
import { APP_VERSION } from '../../core/version.js';
import { ExportError, exportIncidents, prepareExportDir } from '../../export/exportIncidents.js';
import { verifyExport } from '../../export/manifest.js';
import { UsageError, flagString, parseArgs } from '../args.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * `countersign export --db PATH --from YYYY-MM-DD --to YYYY-MM-DD --format csv|json|pdf|all --out DIR [--locale en|zh-CN]`:
 * the incident log of the period into DIR (created, or empty), with manifest.json. Reads the
 * ledger read-only: safe while Countersign runs.
 */
export async function runExport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['db', 'from', 'to', 'format', 'out', 'locale'], booleans: ['quiet'] });
  const db = path.resolve(flagString(args, 'db') ?? ledgerPath(resolveDataDirFromDisk().dataDir));
  const from = flagString(args, 'from');
  const to = flagString(args, 'to');
  const format = flagString(args, 'format') ?? 'all';
  const out = flagString(args, 'out');
  const locale = flagString(args, 'locale') ?? 'en';
  if (!from || !DATE.test(from)) throw new UsageError('--from YYYY-MM-DD is required');
  if (!to || !DATE.test(to)) throw new UsageError('--to YYYY-MM-DD is required');
  if (!out) throw new UsageError('--out DIR is required (a new or empty folder)');
  if (format !== 'csv' && format !== 'json' && format !== 'pdf' && format !== 'all') throw new UsageError('--format is csv, json, pdf or all');
  if (locale !== 'en' && locale !== 'zh-CN') throw new UsageError('--locale is en or zh-CN');
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  if (!existsSync(db)) {
    process.stderr.write(`countersign export: no ledger at ${db}\n`);
    return 2;
  }
  const started = Date.now();
  try {
    const { dir } = await prepareExportDir(out);
    let lastPct = -1;
    const result = await exportIncidents({
      dbFile: db,
      from,
      to,
      formats: formatsOf(format),
      dir,
      locale,
      generator: `Countersign ${APP_VERSION}`,
      progressEvery: 5000,
      onProgress: ({ done, total }) => {
        const pct = total ? Math.floor((done / total) * 100) : 100;
        if (!args.flags.has('quiet') && process.stderr.isTTY && pct !== lastPct) {
          lastPct = pct;
          process.stderr.write(`\rexporting… ${done}/${total} (${pct}%)`);
        }
      },
    });
    if (process.stderr.isTTY && !args.flags.has('quiet')) process.stderr.write('\n');
    for (const f of result.files) process.stdout.write(`${f.sha256}  ${f.name}  (${f.bytes} bytes)\n`);
    process.stdout.write(
      `exported ${result.incidents} incidents (${result.events} timeline entries) into ${result.dir} in ${Date.now() - started} ms; audit head ${
        result.manifest.ledger.auditHead ? `#${result.manifest.ledger.auditHead.seq} ${result.manifest.ledger.auditHead.hash}` : '(empty)'
      }\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ExportError) {
      process.stderr.write(`countersign export: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

/** `countersign verify-export DIR`: exit 0 when every file matches its manifest, 1 naming the first that does not. */
export async function runVerifyExport(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: [], booleans: [] });
  const [dir, ...rest] = args.positionals;
  if (!dir) throw new UsageError('give the export folder: countersign verify-export DIR');
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  const result = await verifyExport(path.resolve(dir));
  if (result.ok) {
    process.stdout.write(
      `export intact: ${result.files} files match manifest.json; audit head ${result.auditHead ? `#${result.auditHead.seq} ${result.auditHead.hash}` : '(empty)'}\n`,
    );
    return 0;
  }
  process.stdout.write(`export NOT intact: ${result.file}: ${result.reason}\n`);
  return 1;
}
