#!/usr/bin/env node
// `npm run test:crash [-- --kills N] [--seed S] [--keep] [--verbose]`: builds the app into its own
// folder (.dist-crash, so it never races another build), bundles the harness (test/crash/harness.ts)
// and runs it. The harness prints `kills=N lost=L doubled=D chain=ok` and exits 1 on any problem.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = process.env.COUNTERSIGN_CRASH_DIST || '.dist-crash';
const built = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
  cwd: root,
  env: { ...process.env, COUNTERSIGN_DIST: dist },
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (built.status !== 0) process.exit(built.status ?? 1);
const harness = path.join(root, dist, 'crash-harness.cjs');
await build({
  entryPoints: [path.join(root, 'test', 'crash', 'harness.ts')],
  outfile: harness,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['better-sqlite3', 'ws', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
  absWorkingDir: root,
});
const { createRequire } = await import('node:module');
const { main } = createRequire(import.meta.url)(harness);
process.exitCode = await main([...process.argv.slice(2), '--root', root, '--dist', dist]);
