import { UsageError } from './args.js';
import { DataDirError } from '../core/dataLocation.js';

const USAGE = `countersign — the till companion that countersigns every card charge

Usage:
  countersign start [--data DIR] [--port N] [--browser] [--no-open] [--backend auto|simulator|node-hid|socket:PATH]
      Start the app: the Electron window when an Electron binary is installed, else the browser host.
  countersign host [--data DIR] [--port N] [--no-open] [--backend …]
      Start the browser host on 127.0.0.1 and print its URL (with this launch's token).
  countersign sim status|on|off|unplug|replug|executed [--data DIR]
      on/off is a manager's: --user NAME (or COUNTERSIGN_MANAGER), the PIN at a prompt (or COUNTERSIGN_MANAGER_PIN).
  countersign sim fault lose-next-response|corrupt-next-frame|drop-next-ack [from-host|to-host]|delay-next-response MS [--data DIR]
  countersign sim charge AMOUNT [--pan MASKED] [--entry C|S|T|M|F] [--data DIR]
  countersign sim script FILE|-        (steps: charge 128.00 pan=622848******1234 em=C, flood 200, split 3, noise 4, …)
      Drive the simulated terminal of the running app.
  countersign sim serve --socket PATH [--seed N] [--status-ms N]
      The simulated terminal in its own process, behind a socket (control: PATH.ctl, JSON lines).
      Start the app with --backend socket:PATH to use it; it survives the app being killed.
  countersign verify-log [--db PATH]      Recompute the audit chain: exit 0 if intact, 1 with the first bad row.
  countersign restore [--data DIR] [--backup FILE] [--list]
      Put the newest good backup (or FILE) in place of the ledger; the current file is kept aside.
  countersign export --db PATH --from YYYY-MM-DD --to YYYY-MM-DD --format csv|json|pdf|all --out DIR [--locale en|zh-CN]
      The incident log of the period (CSV, JSON, dispute PDF) into DIR with manifest.json (SHA-256 of every file).
  countersign verify-export DIR           Check an export against its manifest: exit 0 if every file matches, 1 naming the first that does not.
  countersign demo --db PATH --charges N  A fresh ledger with N simulated charges through the real stack.
  countersign decode                      Hex input reports on stdin -> JSON events on stdout (no database).
  countersign encode TYPE --seq NNNNNN TAG=VALUE…   The output reports (hex) the host would send.
  countersign bench [--quick] [--only PART,…] [--profile DIR]
      The benchmarks against this machine's limits: one table, written to bench/results.json (README: Benchmarks).
`;

type CommandModule = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  start: () => import('./commands/start.js').then((m) => ({ run: m.runStart })),
  host: () => import('./commands/start.js').then((m) => ({ run: m.runHost })),
  sim: () => import('./commands/sim.js').then((m) => ({ run: m.runSim })),
  'verify-log': () => import('./commands/verifyLog.js').then((m) => ({ run: m.runVerifyLog })),
  restore: () => import('./commands/restore.js').then((m) => ({ run: m.runRestore })),
  export: () => import('./commands/exportIncidents.js').then((m) => ({ run: m.runExport })),
  'verify-export': () => import('./commands/exportIncidents.js').then((m) => ({ run: m.runVerifyExport })),
  demo: () => import('./commands/demo.js').then((m) => ({ run: m.runDemo })),
  decode: () => import('./commands/decode.js').then((m) => ({ run: m.runDecodeCommand })),
  encode: () => import('./commands/decode.js').then((m) => ({ run: m.runEncodeCommand })),
  bench: () => import('./commands/bench.js').then((m) => ({ run: m.runBench })),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`countersign: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load()).run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`countersign ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof DataDirError) {
      process.stderr.write(`countersign ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
