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

async function startBrowserHost(dataDir: string, log: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(root, 'bin', 'countersign.mjs'), 'host', '--data', dataDir, '--no-open', '--backend', 'simulator'], {
    cwd: root,
    env: { ...process.env, COUNTERSIGN_SIM_STATUS_MS: '0', ...env },
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

async function browserHostApp(browser: Browser, dataDir: string, use: (app: AppHandle) => Promise<void>, env: Record<string, string> = {}) {
  const log: string[] = [];
  let host = await startBrowserHost(dataDir, log, env);
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => log.push(`pageerror: ${error.message}\n`));
  await page.goto(host.url);
  const again = async (signal: NodeJS.Signals) => {
    await stopChild(host.child, signal);
    host = await startBrowserHost(dataDir, log, env);
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

async function electronApp(dataDir: string, use: (app: AppHandle) => Promise<void>, env: Record<string, string> = {}) {
  const launch = () =>
    _electron.launch({
      args: [path.join(root, process.env.COUNTERSIGN_DIST || 'dist', 'electron', 'main.cjs')],
      env: { ...process.env, COUNTERSIGN_DATA_DIR: dataDir, COUNTERSIGN_BACKEND: 'simulator', COUNTERSIGN_SIM_STATUS_MS: '0', ...env },
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

export const test = base.extend<{ app: AppHandle; appEnv: Record<string, string> }>({
  /** Extra environment for the app's process, e.g. `test.use({ appEnv: { COUNTERSIGN_MANAGER_IDLE_MS: '4000' } })`. */
  appEnv: [{}, { option: true }],
  app: async ({ browser, appEnv }, use, testInfo) => {
    if (testInfo.project.name === 'electron' && !electronBinary()) {
      // Decided here, before anything launches: _electron.launch would try to download Electron.
      console.log(`[electron] skipped "${testInfo.title}": ${NO_ELECTRON_REASON}`);
      testInfo.skip(true, NO_ELECTRON_REASON);
      return;
    }
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-'));
    if (testInfo.project.name === 'electron') {
      await electronApp(dataDir, use, appEnv);
    } else {
      await browserHostApp(browser, dataDir, use, appEnv);
    }
  },
});


export { expect };
