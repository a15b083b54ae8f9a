import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBrowserHost } from '../browserHost.js';
import { installedElectronBinary } from '../electronBinary.js';
import { startCore } from '../../core/startCore.js';
import { createLogger } from '../../core/logger.js';
import { HOST_FILE } from '../../core/paths.js';
import { DataDirError, describeDataDirSource, resolveDataDirFromDisk, type DataDirChoice } from '../../core/dataLocation.js';
import { parseBackendChoice, type BackendChoice } from '../../core/terminalManager.js';
import { flagInt, flagString, parseArgs, UsageError, type ParsedArgs } from '../args.js';

const OPTIONS = { values: ['data', 'port', 'backend'], booleans: ['browser', 'no-open'] };

/** dist/cli.cjs sits in dist/, the renderer in dist/renderer. */
const distDir = __dirname;

function backendFlag(args: ParsedArgs): BackendChoice | undefined {
  const value = flagString(args, 'backend');
  if (value === undefined) return undefined;
  const choice = parseBackendChoice(value);
  if (!choice) throw new UsageError('--backend is auto, simulator, node-hid or socket:PATH (a simulator from `countersign sim serve`)');
  return choice;
}


/** `countersign start`: the desktop window where Electron is installed, else the browser host. */
export async function runStart(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  const binary = args.flags.has('browser') ? null : installedElectronBinary(__filename);
  if (!binary) {
    if (!args.flags.has('browser')) {
      process.stdout.write('No Electron binary is installed here, so Countersign runs as the browser host (same app, in Chromium).\n');
    }
    return runHost(argv.filter((a) => a !== '--browser'));
  }
  const dataDir = flagString(args, 'data');
  const backend = backendFlag(args);
  const child = spawn(binary, [path.join(distDir, 'electron', 'main.cjs')], {
    stdio: 'inherit',
    env: {
      ...process.env,
      ...(dataDir ? { COUNTERSIGN_DATA_DIR: path.resolve(dataDir) } : {}),
      ...(backend ? { COUNTERSIGN_BACKEND: backend } : {}),
    },
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

/** `countersign host`: the same core served to a browser on 127.0.0.1 with a per-launch token. */
export async function runHost(argv: string[]): Promise<number> {
  const args = parseArgs(argv, OPTIONS);
  let choice: DataDirChoice;
  try {
    choice = resolveDataDirFromDisk({ flag: flagString(args, 'data') });
  } catch (error) {
    if (!(error instanceof DataDirError)) throw error;
    process.stderr.write(`countersign: cannot start: ${error.message}\n`);
    return 1;
  }
  const dataDir = choice.dataDir;
  const port = flagInt(args, 'port', 0, 65535) ?? 0;
  const log = createLogger(dataDir);
  const rendererDir = path.join(distDir, 'renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    process.stderr.write('countersign: the screens are not built. Run `npm run build`.\n');
    return 2;
  }
  const backend = backendFlag(args);
  let core: Awaited<ReturnType<typeof startCore>>;
  try {
    core = await startCore({ dataDir, log, dataDirChoice: choice, ...(backend ? { backend } : {}) });
  } catch (error) {
    process.stderr.write(`countersign: cannot start: ${(error as Error).message}\n`);
    log.error('host.start_failed', { message: (error as Error).message });
    return 1;
  }
  const host = await startBrowserHost({ core: core.api, rendererDir, port, log });
  const hostFile = path.join(dataDir, HOST_FILE);
  writeFileSync(hostFile, JSON.stringify({ port: host.port, token: host.token, pid: process.pid }), { mode: 0o600 });

  const link = core.terminal.state;
  process.stdout.write(`Countersign is running at ${host.url}\n`);
  process.stdout.write(`  data folder: ${dataDir} (${describeDataDirSource(choice)})\n`);
  if (choice.locationProblem) process.stdout.write(`  WARNING:     ${choice.locationFile} cannot be read (${choice.locationProblem}); the folder given was used\n`);
  process.stdout.write(`  terminal:    ${link.kind === 'connected' ? `${link.backend} (${link.device})` : link.kind}\n`);
  if (core.terminal.nodeHidProblem) process.stdout.write(`  node-hid:    ${core.terminal.nodeHidProblem} — using the simulated terminal\n`);
  const recovery = core.health.snapshot().recovery;
  if (recovery) {
    process.stdout.write(
      recovery.backupFile
        ? `  LEDGER:      the ledger file was damaged; kept as ${recovery.setAside}, restored ${recovery.backupFile} (taken ${recovery.backupTakenAt}): anything recorded after that may be missing\n`
        : `  LEDGER:      the ledger file was damaged and no backup verified; kept as ${recovery.setAside}, started a new, empty ledger\n`,
    );
  }
  process.stdout.write('  Stop with Ctrl+C.\n');
  if (!args.flags.has('no-open')) openChromium(host.url);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('host.stopping', { signal });
      await host.close();
      await core.close();
      rmSync(hostFile, { force: true });
      resolve(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });
}

function openChromium(url: string) {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  if (!chromium || !(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) return;
  const flags = [`--app=${url}`, '--no-first-run', '--disable-background-networking', '--disable-sync'];
  if (process.getuid?.() === 0) flags.push('--no-sandbox');
  spawn(chromium, flags, { detached: true, stdio: 'ignore' }).unref();
}
