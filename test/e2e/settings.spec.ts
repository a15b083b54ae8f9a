import { test, expect } from './fixtures.js';
import { openManaged, setUpShop, simulateCharge } from './helpers.js';

test('Settings: the link, the audit chain head and a full check, the shop name, the data folder and version; comfort modes are kept (localStorage) across a reload', async ({ app }) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '42.00');
  await expect(page.getByTestId('counter-amount')).toHaveText(/42\.00/);

  await openManaged(page, 'nav-settings');
  const screen = page.getByTestId('settings-screen');
  await expect(screen).toBeVisible();
  await expect(page.getByTestId('settings-link')).toHaveText('Simulator connected');
  await expect(page.getByTestId('settings-data-dir')).toHaveText(app.dataDir);
  await expect(page.getByTestId('settings-version')).toHaveText(/^\d+\.\d+\.\d+/);
  await expect(page.getByTestId('settings-audit-head')).toHaveText(/Entry \d+ [0-9a-f]{16}…/);

  await page.getByTestId('settings-audit-verify').click();
  const result = page.getByTestId('settings-audit-result');
  await expect(result).toHaveAttribute('data-ok', 'true');
  const checked = Number((await result.innerText()).match(/(\d+) entries/)?.[1]);
  const headSeq = Number((await page.getByTestId('settings-audit-head').innerText()).match(/Entry (\d+)/)?.[1]);
  expect(checked).toBeGreaterThan(0);
  expect(checked).toBe(headSeq);

  // The shop name is printed on receipts; the owner (a manager) changes it; it is kept.
  await page.getByTestId('settings-shop-name').fill('Golden Dragon Noodles');
  await page.getByTestId('settings-shop-save').click();
  await expect(page.getByTestId('settings-shop-saved')).toBeVisible();
  // Each change is audited: the chain head moves on.
  await expect(page.getByTestId('settings-audit-head')).not.toHaveText(new RegExp(`Entry ${headSeq} `));

  // Comfort: classes on the root, kept across a restart.
  await page.getByTestId('settings-contrast').check();
  await page.getByTestId('settings-large-text').check();
  await expect(page.locator('html')).toHaveClass(/theme-contrast/);
  await expect(page.locator('html')).toHaveClass(/text-large/);
  await expect(page.locator('body')).toHaveCSS('font-size', '22px');

  // Chinese without a restart.
  await page.getByTestId('settings-locale').selectOption('zh-CN');
  await expect(page.getByTestId('settings-link')).toHaveText('模拟器已连接');
  await expect(screen.getByRole('heading', { level: 2 })).toHaveText('设置');
  await page.getByTestId('settings-locale').selectOption('en');

  await page.reload();
  const again = page;
  await expect(again.locator('html')).toHaveClass(/theme-contrast/);
  await expect(again.locator('html')).toHaveClass(/text-large/);
  await openManaged(again, 'nav-settings');
  await expect(again.getByTestId('settings-shop-name')).toHaveValue('Golden Dragon Noodles');
  await again.getByTestId('settings-contrast').uncheck();
  await expect(again.locator('html')).not.toHaveClass(/theme-contrast/);
});
