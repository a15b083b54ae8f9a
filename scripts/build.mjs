// Builds what runs: the renderer (Vite) and the Node/Electron entry points (esbuild).
// Native modules stay external: they are loaded from node_modules (rebuilt for Electron when packaging).
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { EXTERNAL } from './externals.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const only = process.argv[2];
// COUNTERSIGN_DIST lets parallel work build into its own folder (inside the repo, so that the
// external native modules still resolve from node_modules).
const outDir = path.resolve(root, process.env.COUNTERSIGN_DIST || 'dist');
if (path.relative(root, outDir).startsWith('..')) throw new Error('COUNTERSIGN_DIST must be inside the repository');
// @playwright/test: only `countersign bench` loads it (a dev dependency, never bundled).
const external = EXTERNAL;
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  external,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
  define: { __COUNTERSIGN_VERSION__: JSON.stringify(pkg.version) },
};

const started = Date.now();
if (!only || only === 'node') {
  await Promise.all([
    esbuild({ ...common, entryPoints: ['electron/host/cli.ts'], outfile: path.join(outDir, 'cli.cjs') }),
    esbuild({ ...common, entryPoints: ['electron/shell/main.ts'], outfile: path.join(outDir, 'electron', 'main.cjs') }),
    // The sandboxed preload may only require 'electron': bundle everything else into it.
    esbuild({ ...common, entryPoints: ['electron/shell/preload.ts'], outfile: path.join(outDir, 'electron', 'preload.cjs'), sourcemap: false }),
  ]);
}
if (!only || only === 'renderer') {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: path.join(outDir, 'renderer'), emptyOutDir: true } });
}
console.log(`countersign: built in ${Date.now() - started} ms`);
