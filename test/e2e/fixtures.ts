import { test as base, expect, _electron, type Page, type Browser } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { installedElectronBinary } from '../../electron/host/electronBinary.js';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

export function electronBinary(): string | null {
  return installedElectronBinary(import.meta.filename);
}

export const NO_ELECTRON_REASON =
  'no Electron binary is installed on this machine (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); the same spec ran against the browser host';

/** A running Countersign with a fresh data folder, driven through its real UI. */
export interface AppHandle {
  page: Page;
  dataDir: string;
  /** Stops the app (gracefully) and starts it again on the same data folder. */
  restart(): Promise<void>;
  /** Simulates a power cut: SIGKILL, then start again on the same data folder. */
  crashAndRestart(): Promise<void>;
  /** Everything the host printed on stdout/stderr so far. */
  output(): string;
}

/** `dataDir` null: no --data (the host resolves location.json, else the OS default under XDG_CONFIG_HOME). */
async function startBrowserHost(dataDir: string | null, log: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const dataArgs = dataDir ? ['--data', dataDir] : [];
  const inherited = { ...process.env };
  if (!dataDir) delete inherited.COUNTERSIGN_DATA_DIR;
  const child = spawn(process.execPath, [path.join(root, 'bin', 'countersign.mjs'), 'host', ...dataArgs, '--no-open', '--backend', 'simulator'], {
    cwd: root,
    env: { ...inherited, COUNTERSIGN_SIM_STATUS_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`host did not print its URL in time:\n${buffer}`)), 20_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      buffer += text;
      log.push(text);
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code} before printing its URL:\n${buffer}\n${log.join('')}`));
    });
  });
  child.stdout!.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  return { child, url };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}

async function browserHostApp(browser: Browser, dataDir: string, use: (app: AppHandle) => Promise<void>, env: Record<string, string> = {}, pinData = true) {
  const log: string[] = [];
  let host = await startBrowserHost(pinData ? dataDir : null, log, env);
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => log.push(`pageerror: ${error.message}\n`));
  await page.goto(host.url);
  const again = async (signal: NodeJS.Signals) => {
    await stopChild(host.child, signal);
    host = await startBrowserHost(pinData ? dataDir : null, log, env);
    await page.goto(host.url);
  };
  try {
    await use({
      page,
      dataDir,
      restart: () => again('SIGTERM'),
      crashAndRestart: () => again('SIGKILL'),
      output: () => log.join(''),
    });
  } finally {
    await context.close();
    await stopChild(host.child, 'SIGTERM');
  }
}

async function electronApp(dataDir: string, use: (app: AppHandle) => Promise<void>, env: Record<string, string> = {}, pinData = true) {
  const inherited = { ...process.env };
  delete inherited.COUNTERSIGN_DATA_DIR;
  const launch = () =>
    _electron.launch({
      args: [path.join(root, process.env.COUNTERSIGN_DIST || 'dist', 'electron', 'main.cjs')],
      env: { ...inherited, ...(pinData ? { COUNTERSIGN_DATA_DIR: dataDir } : {}), COUNTERSIGN_BACKEND: 'simulator', COUNTERSIGN_SIM_STATUS_MS: '0', ...env },
    });
  let app = await launch();
  let page = await app.firstWindow();
  const handle: AppHandle = {
    get page() {
      return page;
    },
    dataDir,
    async restart() {
      await app.close();
      app = await launch();
      page = await app.firstWindow();
    },
    async crashAndRestart() {
      app.process().kill('SIGKILL');
      app = await launch();
      page = await app.firstWindow();
    },
    output: () => '',
  };
  try {
    await use(handle);
  } finally {
    await app.close().catch(() => undefined);
  }
}

export const test = base.extend<{ app: AppHandle; appEnv: Record<string, string>; pinData: boolean }>({
  /** Extra environment for the app's process, e.g. `test.use({ appEnv: { COUNTERSIGN_MANAGER_IDLE_MS: '4000' } })`. */
  appEnv: [{}, { option: true }],
  /**
   * true (default): started with --data on a fresh folder (pinned). false: started without it, so
   * the app resolves its folder itself (location.json, else the OS default inside the test's own
   * XDG_CONFIG_HOME) and a restart follows a data move; `app.dataDir` is the first folder.
   */
  pinData: [true, { option: true }],
  app: async ({ browser, appEnv, pinData }, use, testInfo) => {
    if (testInfo.project.name === 'electron' && !electronBinary()) {
      // Decided here, before anything launches: _electron.launch would try to download Electron.
      console.log(`[electron] skipped "${testInfo.title}": ${NO_ELECTRON_REASON}`);
      testInfo.skip(true, NO_ELECTRON_REASON);
      return;
    }
    // The OS default data folder (and its location.json) is a temporary one, never this machine's.
    const configHome = mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-config-'));
    const env = { XDG_CONFIG_HOME: configHome, ...appEnv };
    const dataDir = pinData ? mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-')) : path.join(configHome, 'Countersign');
    if (testInfo.project.name === 'electron') {
      await electronApp(dataDir, use, env, pinData);
    } else {
      await browserHostApp(browser, dataDir, use, env, pinData);
    }
  },
});


export { expect };
