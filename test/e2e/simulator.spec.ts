/**
 * The simulator switch replaces the terminal link (a real terminal would be disconnected): a
 * manager's action on the screen and on the command line; a cashier is refused.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test, expect } from './fixtures.js';
import { MANAGER, setUpShop, switchManager } from './helpers.js';

test.use({ appEnv: { COUNTERSIGN_MANAGER_IDLE_MS: '600000' } });

/** `countersign sim …` against the running app, with its own environment (a PIN never goes in argv). */
function simCli(dataDir: string, env: Record<string, string>, ...args: string[]): Promise<{ ok: boolean; out: string }> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin', 'countersign.mjs'), 'sim', ...args, '--data', dataDir], { cwd: root, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ ok: !error, out: `${stdout}${stderr}` }),
    );
  });
}

test('only a manager switches the simulator, on the screen and on the command line', async ({ app }) => {
  const { page } = app;
  await setUpShop(page);
  await page.getByTestId('signout-button').click();
  await expect(page.getByTestId('manager-badge')).toBeHidden();

  // The cashier: the switch is there, on, and disabled with the reason.
  const toggle = page.getByTestId('sim-toggle');
  await expect(toggle).toBeChecked();
  await expect(toggle).toBeDisabled();
  await expect(page.locator('label.switch')).toHaveAttribute('title', /manager/i);

  // The command line without a PIN (no terminal to prompt on): refused, nothing changes.
  const refused = await simCli(app.dataDir, { COUNTERSIGN_MANAGER: MANAGER.name, COUNTERSIGN_MANAGER_PIN: '' }, 'off');
  expect(refused.ok).toBe(false);
  const noPin = await simCli(app.dataDir, {}, 'off', '--user', MANAGER.name, '--pin', MANAGER.pin);
  expect(noPin.ok).toBe(false);
  expect(noPin.out).toContain('never taken on the command line');
  await expect(toggle).toBeChecked();

  // The manager on the screen: off and on again.
  await switchManager(page, MANAGER);
  await expect(toggle).toBeEnabled();
  // A controlled switch: it changes when the core says the link changed, so click and wait.
  await toggle.click();
  await expect(toggle).not.toBeChecked();
  await expect(page.getByTestId('sim-panel')).toBeHidden();
  await expect(toggle).toBeEnabled();
  await toggle.click();
  await expect(toggle).toBeChecked();
  await expect(page.getByTestId('sim-panel')).toBeVisible();

  // The manager on the command line, the PIN from the environment.
  const off = await simCli(app.dataDir, { COUNTERSIGN_MANAGER_PIN: MANAGER.pin }, 'off', '--user', MANAGER.name);
  expect(off).toMatchObject({ ok: true, out: expect.stringContaining('simulator off') });
  await expect(toggle).not.toBeChecked();
  const on = await simCli(app.dataDir, { COUNTERSIGN_MANAGER: MANAGER.name, COUNTERSIGN_MANAGER_PIN: MANAGER.pin }, 'on');
  expect(on).toMatchObject({ ok: true, out: expect.stringContaining('simulator on') });
  await expect(toggle).toBeChecked();
});
