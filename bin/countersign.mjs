#!/usr/bin/env node
// The `countersign` command. The TypeScript sources are built into dist/ by `npm install` (prepare).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const cli = path.join(root, process.env.COUNTERSIGN_DIST || 'dist', 'cli.cjs');
if (!existsSync(cli)) {
  process.stderr.write('countersign: not built yet. Run `npm install` (or `npm run build`) in ' + root + '\n');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { main } = require(cli);
main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`countersign: ${error?.message ?? error}\n`);
    process.exitCode = 1;
  },
);
