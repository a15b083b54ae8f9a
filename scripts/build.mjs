// Builds what runs: the renderer (Vite) and the Node/Electron entry points (esbuild).
// Native modules stay external: they are loaded from node_modules (rebuilt for Electron when packaging).
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readFile } from 'node:fs/promises';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const only = process.argv[2];
const external = ['electron', 'better-sqlite3', 'node-hid', 'bufferutil', 'utf-8-validate'];
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
    esbuild({ ...common, entryPoints: ['electron/host/cli.ts'], outfile: 'dist/cli.cjs' }),
    esbuild({ ...common, entryPoints: ['electron/shell/main.ts'], outfile: 'dist/electron/main.cjs' }),
    // The sandboxed preload may only require 'electron': bundle everything else into it.
    esbuild({ ...common, entryPoints: ['electron/shell/preload.ts'], outfile: 'dist/electron/preload.cjs', sourcemap: false }),
  ]);
}
if (!only || only === 'renderer') {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}
console.log(`countersign: built in ${Date.now() - started} ms`);
