import { defineConfig } from '@playwright/test';

/**
 * One suite, two ways to run it: against the browser host in Debian's Chromium (always), and
 * through Playwright's _electron where an Electron binary is installed (skipped otherwise).
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.COUNTERSIGN_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'browser-host', use: { browserName: 'chromium', viewport: { width: 1280, height: 800 } } },
    { name: 'electron', use: { viewport: { width: 1280, height: 800 } } },
  ],
});
