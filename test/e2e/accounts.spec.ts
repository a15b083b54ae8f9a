import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { MANAGER, OWNER, openManageMenu, openManaged, setUpShop } from './helpers.js';

const FIRST_MANAGER = MANAGER;
const NEW_MANAGER = { name: 'Wang Fang', pin: '583920' };

// Manager mode ends after this long without a command (60 s in the shop; short here).
const IDLE_MS = 6000;
test.use({ appEnv: { COUNTERSIGN_MANAGER_IDLE_MS: String(IDLE_MS) } });


/** Focus on the counter itself (not a field), then M. */
async function pressM(page: Page) {
  await page.getByTestId('nav-counter').click();
  await page.getByTestId('counter-screen').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('m');
  await expect(page.getByTestId('signin-dialog')).toBeVisible();
}

async function tryPin(page: Page, pin: string) {
  await page.getByTestId('signin-pin').fill(pin);
  await page.getByTestId('signin-submit').click();
}

test('first run: the owner sets up beside a working counter, adds a manager; the manager signs in with M and is signed out when idle', async ({ app }) => {
  const { page } = app;
  // First run asks for the owner, but the counter is already usable.
  await expect(page.getByTestId('setup-panel')).toBeVisible();
  await expect(page.getByTestId('counter-empty')).toBeVisible();
  await expect(page.getByTestId('manager-button')).toBeVisible();

  // A weak PIN is refused with the rule it breaks.
  await page.getByTestId('setup-owner-name').fill(OWNER.name);
  await page.getByTestId('setup-owner-pin').fill('123456');
  await page.getByTestId('setup-manager-name').fill(FIRST_MANAGER.name);
  await page.getByTestId('setup-manager-pin').fill(FIRST_MANAGER.pin);
  await page.getByTestId('setup-submit').click();
  await expect(page.getByTestId('setup-error')).toContainText(/straight run/);

  await setUpShop(page);
  await expect(page.getByTestId('manager-badge')).toContainText('Owner');

  // The owner adds a manager on the Staff screen.
  await openManaged(page, 'nav-staff');
  await expect(page.getByTestId('staff-row')).toHaveCount(2);
  await page.getByTestId('staff-name').fill(NEW_MANAGER.name);
  await page.getByTestId('staff-role').selectOption('manager');
  await page.getByTestId('staff-pin').fill(NEW_MANAGER.pin);
  await page.getByTestId('staff-create').click();
  await expect(page.getByTestId('staff-row')).toHaveCount(3);
  await expect(page.getByTestId('staff-row').filter({ hasText: NEW_MANAGER.name })).toHaveAttribute('data-role', 'manager');

  await page.getByTestId('signout-button').click();
  await expect(page.getByTestId('manager-badge')).toBeHidden();
  await openManageMenu(page);
  await expect(page.getByTestId('nav-settings')).toBeVisible();
  await expect(page.getByTestId('nav-staff')).toBeHidden();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('manage-menu')).toBeHidden();
  await expect(page.getByTestId('manager-button')).toBeVisible();

  // The new manager signs in from the counter with M.
  await pressM(page);
  await page.getByTestId('signin-user').selectOption({ label: NEW_MANAGER.name });
  await expect(page.getByTestId('signin-pin')).toHaveAttribute('type', 'password');
  await tryPin(page, NEW_MANAGER.pin);
  await expect(page.getByTestId('signin-dialog')).toBeHidden();
  const badge = page.getByTestId('manager-badge');
  await expect(badge).toContainText(NEW_MANAGER.name);
  await expect(badge).toContainText('Manager');
  await expect(page.getByTestId('manager-countdown')).toHaveText(/Automatic sign-out in\s*0:0[1-6]$/);
  // A manager is not the owner: no Staff screen in the Manage menu.
  await openManageMenu(page);
  await expect(page.getByTestId('nav-printers')).toBeVisible();
  await expect(page.getByTestId('nav-staff')).toBeHidden();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('manage-menu')).toBeHidden();

  // No command for IDLE_MS: the countdown runs down, then the sign-out happens by itself.
  const signedInAt = Date.now();
  await expect(page.getByTestId('manager-countdown')).toHaveText(/in\s*0:0[1-3]$/, { timeout: IDLE_MS });
  await expect(badge).toBeHidden({ timeout: IDLE_MS + 5000 });
  expect(Date.now() - signedInAt).toBeGreaterThan(IDLE_MS - 2000);
  await expect(page.getByTestId('manager-button')).toBeVisible();
});

test('five wrong PINs lock the account; the sixth try, even with the right PIN, is refused with the lock message', async ({ app }) => {
  const { page } = app;
  // "Later" folds the setup away; M brings it back while there are no accounts.
  await page.getByTestId('setup-later').click();
  await expect(page.getByTestId('setup-panel')).toBeHidden();
  await page.getByTestId('counter-screen').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('m');
  await expect(page.getByTestId('setup-panel')).toBeVisible();
  await setUpShop(page);
  await page.getByTestId('signout-button').click();

  await pressM(page);
  await page.getByTestId('signin-user').selectOption({ label: FIRST_MANAGER.name });
  const error = page.getByTestId('signin-error');
  for (const left of [4, 3, 2, 1]) {
    await tryPin(page, '909090');
    await expect(error).toHaveText(`Wrong PIN. Attempts left before this account locks: ${left}.`);
    await expect(error).toHaveAttribute('data-code', 'auth.wrong_pin');
  }
  await tryPin(page, '909090');
  await expect(error).toHaveAttribute('data-code', 'auth.locked');
  await expect(error).toContainText(/Zhang Min is locked after too many wrong PINs\. Try again in [45]:\d\d\./);

  // The right PIN now: still refused, with the lock and the time left.
  await tryPin(page, FIRST_MANAGER.pin);
  await expect(error).toHaveAttribute('data-code', 'auth.locked');
  await expect(error).toContainText(/locked .* Try again in [45]:\d\d/);
  await expect(page.getByTestId('manager-badge')).toBeHidden();

  // The owner sees the lock on the Staff screen.
  await page.getByTestId('signin-user').selectOption({ label: OWNER.name });
  await tryPin(page, OWNER.pin);
  await expect(page.getByTestId('manager-badge')).toContainText(OWNER.name);
  await openManaged(page, 'nav-staff');
  await expect(page.getByTestId('staff-row').filter({ hasText: FIRST_MANAGER.name })).toHaveAttribute('data-locked', 'true');

  // Both languages: the same screen in Chinese.
  await page.getByTestId('locale-switch').selectOption('zh-CN');
  await expect(page.getByTestId('signout-button')).toHaveText('退出');
  await openManageMenu(page);
  await expect(page.getByTestId('nav-manage')).toContainText('管理');
  await expect(page.getByTestId('nav-staff')).toHaveText('员工');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('staff-row').filter({ hasText: FIRST_MANAGER.name })).toContainText('已锁定');
});
