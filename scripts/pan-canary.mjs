// `npm run test:canary`: the whole e2e suite once more with COUNTERSIGN_PAN_CANARY=1 (the
// simulated terminal also sends CH frames carrying an unmasked test card number, and track data
// or the spaced card number in MN / CB: native/sim/canary.ts), then a scan of everything the run
// left behind for those digits: every e2e data folder (database, WAL, logs, receipts, exports:
// they are all made under this run's own TMPDIR), test-results/ and the captured test output.
//
// Fails when Playwright fails, when the canary digits are found anywhere (plain, spaced, dashed,
// hex, UTF-16, inside PDFs and zips), or when no canary frame was refused at all (the canary
// would then prove nothing). Extra arguments go to Playwright (e.g. --project=browser-host).
// Expects a build (`npm run test:canary` builds first; the CI chain runs it right after test:e2e).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const started = Date.now();
const runTmp = mkdtempSync(path.join(os.tmpdir(), 'countersign-canary-'));
const toolsTmp = mkdtempSync(path.join(os.tmpdir(), 'countersign-canary-tools-'));
const outDir = path.join(root, 'test-results', 'canary');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const outputLog = path.join(outDir, 'playwright-output.log');

// 1. the e2e suite with the canary on; its output goes to the console and to a file (scanned too)
const log = createWriteStream(outputLog);
const playwright = path.join(root, 'node_modules', '@playwright', 'test', 'cli.js');
const child = spawn(process.execPath, [playwright, 'test', `--output=${path.join(outDir, 'results')}`, ...process.argv.slice(2)], {
  cwd: root,
  env: { ...process.env, COUNTERSIGN_PAN_CANARY: '1', TMPDIR: runTmp, TMP: runTmp, TEMP: runTmp },
  stdio: ['ignore', 'pipe', 'pipe'],
});
for (const stream of [child.stdout, child.stderr]) {
  stream.on('data', (chunk) => {
    process.stdout.write(chunk);
    log.write(chunk);
  });
}
const code = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await new Promise((resolve) => log.end(resolve));

// 2. the scan (the scanner is TypeScript shared with its unit test: bundle it for Node)
const bundle = path.join(toolsTmp, 'scan.mjs');
await build({ entryPoints: [path.join(root, 'test', 'canary', 'scan.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'warning' });
const { scanForCanary } = await import(pathToFileURL(bundle).href);
const { canaryPan } = await import(pathToFileURL(await bundleOne('native/sim/canary.ts')).href);
const digits = canaryPan();

const dataDirs = readdirSync(runTmp).filter((n) => n.startsWith('countersign-e2e-')).map((n) => path.join(runTmp, n));
const roots = [runTmp, path.join(root, 'test-results')].filter((p) => existsSync(p));
const scan = scanForCanary(roots, digits);

// 3. the canary must have been offered and refused, or the scan proves nothing
let refused = 0;
for (const dir of dataDirs) {
  const logs = path.join(dir, 'logs');
  if (!existsSync(logs)) continue;
  for (const f of readdirSync(logs)) {
    const text = readFileSync(path.join(logs, f), 'utf8');
    refused += text.split('\n').filter((l) => l.includes('link.rejected') && l.includes('pan-unmasked')).length;
  }
}

const mb = (scan.bytes / 1e6).toFixed(1);
const secs = ((Date.now() - started) / 1000).toFixed(0);
console.log(
  `\nPAN canary: playwright exit ${code}; ${dataDirs.length} e2e data folders; ${refused} canary frames refused (pan-unmasked); ` +
    `scanned ${scan.files} files (${mb} MB) under ${roots.map((r) => path.relative(root, r) || r).join(', ')}; hits: ${scan.hits.length}; ${secs} s`,
);
for (const h of scan.hits.slice(0, 20)) console.error(`  CANARY FOUND: ${h.file} (${h.form}, offset ${h.offset})`);
rmSync(toolsTmp, { recursive: true, force: true });
const failed = code !== 0 || scan.hits.length > 0 || refused === 0 || dataDirs.length === 0;
if (refused === 0) {
  console.error('PAN canary: no canary frame was refused as pan-unmasked: either the canary did not run, or the host did not see card data in it (see the logs of the kept folders)');
}
if (failed) {
  console.error(`PAN canary FAILED. The run's folders are kept for inspection: ${runTmp}`);
  process.exit(1);
}
rmSync(runTmp, { recursive: true, force: true });
console.log('PAN canary: ok (the canary digits are nowhere)');

async function bundleOne(entry) {
  const out = path.join(toolsTmp, `${path.basename(entry, '.ts')}.mjs`);
  await build({ entryPoints: [path.join(root, entry)], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning' });
  return out;
}
