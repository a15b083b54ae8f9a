/**
 * The counter (issue #4), each test from a fresh data folder with the simulated terminal, driven
 * through the real screens: confirming, blind re-key, flags, the settlement gate.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { MANAGER, setUpShop, simulateCharge } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..', '..');

// A manager stays signed in while a test runs (the shop's 60 s is tested by the accounts spec).
test.use({ appEnv: { COUNTERSIGN_MANAGER_IDLE_MS: '600000' } });


/** Focus on the counter itself, not a field, so keys go to the counter. */
async function focusCounter(page: Page) {
  await page.getByTestId('counter-screen').click({ position: { x: 5, y: 5 } });
}

/**
 * The counter as an attachment; with COUNTERSIGN_README_SCREENSHOTS=DIR (`npm run screenshots`) the
 * whole window is also written there, which is where the README's screenshots come from.
 */
async function attachScreenshot(page: Page, testInfo: TestInfo, name: string) {
  await testInfo.attach(name, { body: await page.getByTestId('counter-screen').screenshot(), contentType: 'image/png' });
  const readmeDir = process.env.COUNTERSIGN_README_SCREENSHOTS;
  if (readmeDir) await page.screenshot({ path: path.resolve(root, readmeDir, name) });
}

/** Runs a simulator script against the running app, as `countersign sim script -` does. */
function simScript(dataDir: string, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [path.join(root, 'bin', 'countersign.mjs'), 'sim', 'script', '-', '--data', dataDir],
      { cwd: root, env: process.env },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
    child.stdin!.end(script);
  });
}

test('confirm by keyboard: Enter confirms the charge on screen; the screenshots in English and Chinese are attached', async ({ app }, testInfo) => {
  const { page } = app;
  await page.getByTestId('setup-later').click();
  await simulateCharge(page, '1280.00');
  await simulateCharge(page, '36.50');
  const amount = page.getByTestId('counter-amount');
  await expect(amount).toHaveText(/1,280\.00/);
  await expect(page.getByTestId('queue-count')).toHaveText('1 of 2 waiting');
  await expect(page.getByTestId('today-voided')).toBeVisible();
  await expect(page.getByTestId('today-refunded')).toBeVisible();
  await expect(page.getByTestId('today-batch')).toContainText('000001');

  await attachScreenshot(page, testInfo, 'counter-en.png');
  await page.getByTestId('locale-switch').selectOption('zh-CN');
  await expect(page.getByTestId('confirm-button')).toHaveText('确认');
  await expect(page.getByTestId('flag-button')).toContainText('标记');
  await expect(page.getByTestId('today-voided')).toContainText('已撤销');
  await attachScreenshot(page, testInfo, 'counter-zh-CN.png');
  await page.getByTestId('locale-switch').selectOption('en');

  await focusCounter(page);
  // → and ← move; Enter confirms what is on screen.
  await page.keyboard.press('ArrowRight');
  await expect(amount).toHaveText(/36\.50/);
  await page.keyboard.press('ArrowLeft');
  await expect(amount).toHaveText(/1,280\.00/);
  // Another charge came on screen: confirming is held off a moment (a double press never confirms it unseen).
  await expect(page.getByTestId('confirm-button')).toBeEnabled();
  await page.keyboard.press('Enter');
  await expect(amount).toHaveText(/36\.50/);
  await expect(page.getByTestId('queue-count')).toHaveText('1 of 1 waiting');
  await expect(page.getByTestId('confirm-button')).toBeEnabled();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('counter-empty')).toBeVisible();
  await expect(page.getByTestId('today-confirmed')).toHaveAttribute('data-count', '2');
});

test('confirm by mouse: the Confirm button', async ({ app }) => {
  const { page } = app;
  await page.getByTestId('setup-later').click();
  await simulateCharge(page, '88.00');
  await expect(page.getByTestId('counter-amount')).toHaveText(/88\.00/);
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('counter-empty')).toBeVisible();
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-row').first()).toHaveAttribute('data-status', 'confirmed');
});

test('blind re-key: a 10× slip is caught (red), explained, and flagged with the intended amount', async ({ app }, testInfo) => {
  const { page } = app;
  await setUpShop(page);
  // The manager turns blind re-key on.
  await page.getByTestId('nav-batch').click();
  const blind = page.getByTestId('settings-blind-rekey');
  await blind.click();
  await expect(blind).toBeChecked();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await page.getByTestId('nav-counter').click();

  // The till says 128.00; the cashier keyed 1280.00 on the terminal.
  await simulateCharge(page, '1280.00');
  const amount = page.getByTestId('counter-amount');
  await expect(amount).toHaveAttribute('data-hidden', 'true');
  await expect(amount).not.toContainText('1,280');
  await expect(page.getByTestId('confirm-button')).toBeDisabled();

  await page.getByTestId('rekey-input').fill('128.00');
  await page.getByTestId('rekey-submit').click();
  const mismatch = page.getByTestId('counter-mismatch');
  await expect(mismatch).toBeVisible();
  await expect(mismatch).toContainText('The terminal charged ¥1,280.00, the till says ¥128.00');
  await expect(amount).toHaveText(/1,280\.00/);
  await expect(page.locator('[data-testid="counter-flag"][data-kind="digit_slip"]')).toContainText("Ten times the till's ¥128.00");
  await expect(page.locator('[data-testid="counter-flag"][data-kind="rekey_mismatch"]')).toBeVisible();
  await expect(page.getByTestId('confirm-button')).toBeDisabled();
  await expect(page.getByTestId('sound-volume')).toHaveAttribute('data-last-cue', 'rekey_mismatch digit_slip');
  await attachScreenshot(page, testInfo, 'counter-mismatch-en.png');

  // Enter does not confirm it.
  await focusCounter(page);
  await page.keyboard.press('Enter');
  await expect(mismatch).toBeVisible();

  // M calls the manager: "Manager needed" until one signs in.
  await page.getByTestId('signout-button').click();
  await expect(page.getByTestId('manager-badge')).toBeHidden();
  await focusCounter(page);
  await page.keyboard.press('m');
  await expect(page.getByTestId('manager-needed')).toBeVisible();
  await expect(page.getByTestId('signin-dialog')).toBeVisible();
  await page.getByTestId('signin-user').selectOption({ label: MANAGER.name });
  await page.getByTestId('signin-pin').fill(MANAGER.pin);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('manager-badge')).toContainText(MANAGER.name);
  await expect(page.getByTestId('manager-needed')).toBeHidden();

  // The manager decides to flag it: F opens the flag dialog, prefilled with the till's total.
  await focusCounter(page);
  await page.keyboard.press('f');
  const dialog = page.getByTestId('flag-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('flag-intended')).toHaveValue('128.00');
  await expect(page.getByTestId('flag-cause')).toHaveValue('operator_error');
  await expect(page.getByTestId('flag-difference')).toContainText('¥1,152.00');
  await page.getByTestId('flag-note').fill('extra zero keyed');
  await page.getByTestId('flag-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('counter-empty')).toBeVisible();
  await expect(page.getByTestId('today-flagged')).toHaveAttribute('data-count', '1');

  // It blocks settlement, listed with its incident and the intended amount.
  await page.getByTestId('nav-batch').click();
  const row = page.getByTestId('batch-blocker-row');
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute('data-kind', 'flagged');
  await expect(row).toHaveAttribute('data-incident-kind', 'over_charge');
  await expect(row).toHaveAttribute('data-intended-minor', '12800');
  await expect(row).toContainText('should have been ¥128.00');
});

test('a second swipe of the same card and amount within the window is flagged as a possible duplicate; another card is not', async ({ app }, testInfo) => {
  const { page } = app;
  await page.getByTestId('setup-later').click();
  await simulateCharge(page, '56.00', '622848******4321');
  await simulateCharge(page, '56.00', '622848******9999');
  await simulateCharge(page, '56.00', '622848******4321');
  await expect(page.getByTestId('queue-count')).toHaveText('1 of 3 waiting');
  await expect(page.getByTestId('counter-flag')).toHaveCount(0);

  await focusCounter(page);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('counter-card')).toContainText('9999');
  await expect(page.getByTestId('counter-flag')).toHaveCount(0);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('counter-card')).toContainText('4321');
  const flag = page.locator('[data-testid="counter-flag"][data-kind="possible_duplicate"]');
  await expect(flag).toContainText(/Same card and amount as trace 000001/);
  await expect(page.getByTestId('sound-volume')).toHaveAttribute('data-last-cue', 'possible_duplicate');
  await attachScreenshot(page, testInfo, 'counter-duplicate-en.png');
  await page.getByTestId('locale-switch').selectOption('zh-CN');
  await expect(flag).toContainText('疑似重复刷卡');
  await attachScreenshot(page, testInfo, 'counter-duplicate-zh-CN.png');
  await page.getByTestId('locale-switch').selectOption('en');

  // The cashier flags it by mouse: a duplicate, nothing was owed.
  await page.getByTestId('flag-button').click();
  await expect(page.getByTestId('flag-cause')).toHaveValue('duplicate');
  await expect(page.getByTestId('flag-intended')).toHaveValue('0.00');
  await page.getByTestId('flag-submit').click();
  await expect(page.getByTestId('flag-dialog')).toBeHidden();
  await expect(page.getByTestId('queue-count')).toHaveText(/of 2 waiting/);
});

test('an unusual amount (above the ceiling the manager set) is flagged with its explanation', async ({ app }) => {
  const { page } = app;
  await setUpShop(page);
  await page.getByTestId('nav-batch').click();
  await page.getByTestId('settings-ceiling').fill('1000.00');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-saved')).toBeVisible();
  await page.getByTestId('nav-counter').click();

  await simulateCharge(page, '999.00');
  await expect(page.getByTestId('counter-amount')).toHaveText(/999\.00/);
  await expect(page.getByTestId('counter-flag')).toHaveCount(0);
  await page.getByTestId('confirm-button').click();
  await simulateCharge(page, '1500.00');
  const flag = page.locator('[data-testid="counter-flag"][data-kind="unusual_amount"]');
  await expect(flag).toContainText("Above this till's limit of ¥1,000.00");
  await expect(page.getByTestId('sound-volume')).toHaveAttribute('data-last-cue', 'unusual_amount');
});

test('settlement is refused while a charge is pending, then succeeds and the totals match', async ({ app }) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '128.00');
  await simulateCharge(page, '50.00');
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('queue-count')).toHaveText('1 of 1 waiting');

  await page.getByTestId('nav-batch').click();
  await expect(page.getByTestId('batch-open')).toHaveAttribute('data-batch', '000001');
  const rows = page.getByTestId('batch-blocker-row');
  await expect(rows).toHaveCount(1);
  await expect(rows).toHaveAttribute('data-kind', 'unconfirmed');
  await page.getByTestId('settle-button').click();
  await expect(page.getByTestId('settle-error')).toHaveAttribute('data-code', 'batch.blocked');
  await expect(page.getByTestId('settle-error')).toContainText('1 charge(s) must be confirmed or resolved first');
  await expect(page.getByTestId('settle-result')).toHaveCount(0);

  await page.getByTestId('nav-counter').click();
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('counter-empty')).toBeVisible();

  await page.getByTestId('nav-batch').click();
  await expect(page.getByTestId('batch-no-blockers')).toBeVisible();
  await page.getByTestId('settle-button').click();
  const result = page.getByTestId('settle-result');
  await expect(result).toHaveAttribute('data-matched', 'true');
  await expect(result).toHaveAttribute('data-batch', '000001');
  await expect(result).toContainText("the terminal's totals match the ledger");
  await expect(result.locator('tr[data-category="sales"]')).toContainText('¥178.00');
  await expect(page.getByTestId('settle-mismatch')).toHaveCount(0);
  await expect(page.getByTestId('batch-open')).toHaveAttribute('data-batch', '');

  // After settling, new charges go to the next batch.
  await page.getByTestId('nav-counter').click();
  await simulateCharge(page, '10.00');
  await expect(page.getByTestId('counter-trace')).toContainText('000002 /');
});

test('a simulator scripted to report wrong totals produces a settlement-mismatch incident', async ({ app }) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '128.00');
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('counter-empty')).toBeVisible();

  // The terminal will report one sale of ¥128.00 more than it made.
  expect(await simScript(app.dataDir, 'skew-next-settlement 1 12800\n')).toMatch(/ran 1 steps/);

  await page.getByTestId('nav-batch').click();
  await expect(page.getByTestId('batch-no-blockers')).toBeVisible();
  await page.getByTestId('settle-button').click();
  const result = page.getByTestId('settle-result');
  await expect(result).toHaveAttribute('data-matched', 'false');
  const mismatch = page.getByTestId('settle-mismatch');
  await expect(mismatch).toContainText("the terminal's totals differ from the ledger's. Incident #1 was opened.");
  await expect(mismatch).toHaveAttribute('data-incident-id', '1');
  const sales = result.locator('tr[data-category="sales"]');
  await expect(sales).toHaveAttribute('data-matched', 'false');
  await expect(sales).toContainText('¥256.00');
  await expect(sales).toContainText('¥128.00');
  await expect(sales).toContainText('+¥128.00');

  // The same in Chinese.
  await page.getByTestId('locale-switch').selectOption('zh-CN');
  await expect(mismatch).toContainText('终端合计与账本不符，已建立事件 #1');
});
