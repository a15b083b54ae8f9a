import { AxeBuilder } from '@axe-core/playwright';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect } from './fixtures.js';

/** The shop's people in the e2e specs (test PINs only). */
export const OWNER = { name: 'Lin Wei', pin: '482915' };
export const MANAGER = { name: 'Zhang Min', pin: '735102' };

/** First run: the wizard's first step creates the owner and the first manager (the owner is then signed in). */
export async function createOwnerAndManager(page: Page) {
  await page.getByTestId('nav-counter').click(); // the wizard lives on the counter
  await expect(page.getByTestId('setup-panel')).toHaveAttribute('data-step', 'accounts');
  await page.getByTestId('setup-owner-name').fill(OWNER.name);
  await page.getByTestId('setup-owner-pin').fill(OWNER.pin);
  await page.getByTestId('setup-manager-name').fill(MANAGER.name);
  await page.getByTestId('setup-manager-pin').fill(MANAGER.pin);
  await page.getByTestId('setup-submit').click();
  await expect(page.getByTestId('manager-badge')).toContainText(OWNER.name);
  await expect(page.getByTestId('setup-panel')).toHaveAttribute('data-step', 'shop');
}

/**
 * First run, the short way: the owner and the first manager, then "Later" folds the rest of the
 * wizard away (it comes back at the next start until finished; first-run.spec walks all of it).
 */
export async function setUpShop(page: Page) {
  await createOwnerAndManager(page);
  await page.getByTestId('setup-later').click();
  await expect(page.getByTestId('setup-panel')).toBeHidden();
}

/** Signs out whoever is signed in and signs `person` in with the top bar's manager button. */
export async function switchManager(page: Page, person: { name: string; pin: string }) {
  if (await page.getByTestId('signout-button').isVisible()) {
    await page.getByTestId('signout-button').click();
    await expect(page.getByTestId('manager-badge')).toBeHidden();
  }
  await page.getByTestId('manager-button').click();
  await expect(page.getByTestId('signin-dialog')).toBeVisible();
  await page.getByTestId('signin-user').selectOption({ label: person.name });
  await page.getByTestId('signin-pin').fill(person.pin);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('manager-badge')).toContainText(person.name);
}

/** axe-core over the whole page: the serious and critical violations, one line each (rule, where). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1).join(' ') ?? v.help}`));
}

/** The simulated terminal takes a card (through the sim panel): amount in major units, optionally a given masked card. */
export async function simulateCharge(page: Page, amount: string, pan = '') {
  await page.getByTestId('sim-amount-input').fill(amount);
  await page.getByTestId('sim-pan-input').fill(pan);
  await page.getByTestId('sim-charge-button').click();
  await expect(page.getByTestId('sim-result')).toBeVisible();
}

/** Runs the `countersign` command line against the running app's data folder (`sim fault …`, `sim unplug`…); its stdout. */
export function countersign(dataDir: string, ...args: string[]): Promise<string> {
  const root = path.resolve(import.meta.dirname, '..', '..');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(root, 'bin', 'countersign.mjs'), ...args, '--data', dataDir], { cwd: root, env: process.env }, (error, stdout, stderr) =>
      error ? reject(new Error(`countersign ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** Opens the top bar's "Manage" menu (the manager and owner screens). */
export async function openManageMenu(page: Page) {
  const button = page.getByTestId('nav-manage');
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  await expect(page.getByTestId('manage-menu')).toBeVisible();
}

/** Goes to a screen in the "Manage" menu by its item's test id (`nav-printers`, `nav-staff`, `nav-settings`, …). */
export async function openManaged(page: Page, testId: string) {
  await openManageMenu(page);
  await page.getByTestId(testId).click();
  await expect(page.getByTestId('manage-menu')).toBeHidden();
}
