import { createInterface } from 'node:readline';
import { runDecode, runEncode } from '../../../native/link/cli.js';

/** `countersign decode`: hex input reports on stdin, one JSON event per line on stdout. */
export async function runDecodeCommand(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    process.stderr.write('countersign decode takes no arguments: it reads hex reports from stdin\n');
    return 2;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out: string[] = [];
  const flush = () => {
    if (out.length) {
      process.stdout.write(out.join(''));
      out.length = 0;
    }
  };
  await runDecode(lines, (line) => {
    out.push(line + '\n');
    if (out.length >= 256) flush();
  });
  flush();
  return 0;
}

/** `countersign encode TYPE --seq NNNNNN TAG=VALUE…`: the host's output reports, hex, one a line. */
export async function runEncodeCommand(argv: string[]): Promise<number> {
  const result = runEncode(argv);
  if (!result.ok) {
    process.stderr.write(`countersign encode: ${result.error}\n`);
    return 2;
  }
  process.stdout.write(result.lines.map((l) => l + '\n').join(''));
  return 0;
}
