/**
 * `countersign sim serve --socket PATH [--seed N] [--status-ms N] [--control PATH]`: the simulated
 * terminal in its own process, behind a socket (native/sim/daemon.ts). A host started with
 * `--backend socket:PATH` uses it as its terminal; killing that host leaves the terminal (its batch,
 * its undelivered charges, its at-most-once log) running for the next one. Stops on SIGINT/SIGTERM.
 */
import { scrubCardData } from '../../../native/link/panGuard.js';
import { startSimDaemon } from '../../../native/sim/daemon.js';
import { flagInt, flagString, parseArgs, UsageError } from '../args.js';

export async function runSimServe(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ['socket', 'control', 'seed', 'status-ms'], booleans: ['quiet'] });
  const socket = flagString(args, 'socket');
  if (!socket) throw new UsageError('sim serve needs --socket PATH (or --socket 127.0.0.1:PORT)');
  const seed = flagInt(args, 'seed', 0, 2 ** 31 - 1);
  const statusMs = flagInt(args, 'status-ms', 0, 3_600_000);
  const control = flagString(args, 'control');
  const quiet = args.flags.has('quiet');
  let daemon;
  try {
    daemon = await startSimDaemon({
      socket,
      ...(control ? { control } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(statusMs !== undefined ? { statusIntervalMs: statusMs } : {}),
      log: (message) => {
        if (!quiet) process.stderr.write(`sim: ${scrubCardData(message)}\n`);
      },
    });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    process.stderr.write(`countersign sim serve: cannot listen on ${socket}: ${(error as Error).message}\n`);
    return 1;
  }
  // One line a script can wait for and parse.
  process.stdout.write(`${JSON.stringify({ listening: daemon.address, control: daemon.controlAddress, pid: process.pid })}\n`);
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void daemon.close().then(() => resolve(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
