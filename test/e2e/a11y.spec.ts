import { test, expect } from './fixtures.js';
import { openManageMenu, openManaged, seriousViolations, setUpShop, simulateCharge } from './helpers.js';

for (const locale of ['en', 'zh-CN'] as const) {
  test(`axe finds no serious or critical problem on any screen (${locale})`, async ({ app }) => {
    test.setTimeout(120_000);
    const { page } = app;
    const found: Record<string, string[]> = {};
    const check = async (screen: string) => {
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
      found[screen] = await seriousViolations(page);
    };

    await page.getByTestId('locale-switch').selectOption(locale);
    await expect(page.getByTestId('setup-panel')).toBeVisible();
    await check('setup panel');
    await setUpShop(page);
    await check('counter (empty)');
    await simulateCharge(page, '128.00');
    await expect(page.getByTestId('counter-amount')).toHaveText(/128\.00/);
    await check('counter (a charge)');
    await page.getByTestId('nav-history').click();
    await expect(page.getByTestId('history-row').first()).toBeVisible();
    await check('history');
    await page.getByTestId('nav-batch').click();
    await check('batch');
    await openManageMenu(page);
    await check('Manage menu open');
    await page.getByTestId('nav-manage-adjust').click();
    await check('void / refund');
    await openManaged(page, 'nav-printers');
    await expect(page.getByTestId('printer-row')).toHaveCount(1);
    await check('printers');
    await openManaged(page, 'nav-staff');
    await expect(page.getByTestId('staff-row')).toHaveCount(2);
    await check('staff');
    await openManaged(page, 'nav-settings');
    await expect(page.getByTestId('settings-screen')).toBeVisible();
    await check('settings');
    await page.getByTestId('signout-button').click();
    await page.getByTestId('manager-button').click();
    await expect(page.getByTestId('signin-dialog')).toBeVisible();
    await check('sign-in dialog');

    expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));
  });
}
