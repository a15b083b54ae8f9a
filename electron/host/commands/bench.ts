import path from 'node:path';
import { runBench as run } from '../../../bench/run.js';

/**
 * `countersign bench` (npm run bench): the benchmarks of bench/ — limits of this machine, decode,
 * report to pixels, scale, export, start and memory, counter responsiveness, the flood — printed
 * as one table and written to bench/results.json. See README "Benchmarks".
 */
export async function runBench(argv: string[]): Promise<number> {
  // dist/cli.cjs sits in dist/, the renderer in dist/renderer; bin/countersign.mjs started us.
  return run(argv, { rendererDir: path.join(__dirname, 'renderer'), cliEntry: path.resolve(process.argv[1] ?? 'bin/countersign.mjs') });
}
