import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { openManageMenu, setUpShop } from './helpers.js';

/**
 * Every element of the top bar that is cut off: wider content than its box (scrollWidth >
 * clientWidth), sticking out of the bar or the window, or a tab or button label on two lines.
 */
async function topBarProblems(page: Page): Promise<string[]> {
  return page.getByRole('banner').evaluate((bar) => {
    const problems: string[] = [];
    const name = (el: Element) => el.getAttribute('data-testid') ?? `${el.tagName.toLowerCase()}.${el.className}`;
    const barBox = bar.getBoundingClientRect();
    if (bar.scrollWidth > bar.clientWidth) problems.push(`top bar scrolls: ${bar.scrollWidth} > ${bar.clientWidth}`);
    if (barBox.right > window.innerWidth + 0.5) problems.push(`top bar wider than the window: ${barBox.right} > ${window.innerWidth}`);
    for (const el of bar.querySelectorAll('*')) {
      if (el.closest('[role="menu"], .visually-hidden')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if (el.scrollWidth > el.clientWidth + 0.5 && el.clientWidth > 0) problems.push(`${name(el)} clipped: ${el.scrollWidth} > ${el.clientWidth}`);
      if (box.right > barBox.right + 0.5 || box.left < barBox.left - 0.5) problems.push(`${name(el)} outside the bar`);
    }
    for (const control of bar.querySelectorAll('button, select')) {
      const range = document.createRange();
      range.selectNodeContents(control);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0 && r.height > 8).map((r) => Math.round(r.top + r.height / 2)));
      const lines = [...tops].sort((a, b) => a - b).filter((top, i, all) => i === 0 || top - all[i - 1]! > 6);
      if (lines.length > 1) problems.push(`${name(control)} wraps onto ${lines.length} lines`);
    }
    return problems;
  });
}

for (const size of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  test(`the top bar fits at ${size.width}×${size.height} with the owner signed in, in English and in Chinese`, async ({ app }, testInfo) => {
    const { page } = app;
    await page.setViewportSize(size);
    await setUpShop(page);
    await expect(page.getByTestId('link-state')).toHaveAttribute('data-kind', 'connected');
    for (const locale of ['en', 'zh-CN'] as const) {
      await page.getByTestId('locale-switch').selectOption(locale);
      await expect(page.getByTestId('nav-manage')).toContainText(locale === 'en' ? 'Manage' : '管理');
      // The cashier's tabs, the Manage menu, the manager badge and the language stay in sight.
      for (const id of ['nav-counter', 'nav-history', 'nav-batch', 'nav-manage', 'manager-badge', 'signout-button', 'link-state', 'locale-switch']) {
        await expect(page.getByTestId(id)).toBeInViewport({ ratio: 1 });
      }
      expect(await topBarProblems(page)).toEqual([]);
      await page.screenshot({ path: testInfo.outputPath(`topbar-${size.width}x${size.height}-${locale}.png`) });
      await openManageMenu(page);
      await expect(page.getByTestId('nav-staff')).toBeInViewport({ ratio: 1 });
      await page.screenshot({ path: testInfo.outputPath(`manage-menu-${size.width}x${size.height}-${locale}.png`) });
      await page.keyboard.press('Escape');
    }
  });
}

test('the Manage menu works from the keyboard: arrows move, Enter opens a screen, Escape closes and gives focus back', async ({ app }) => {
  const { page } = app;
  await setUpShop(page);
  const button = page.getByTestId('nav-manage');
  await expect(button).toHaveAttribute('aria-haspopup', 'menu');
  await expect(button).toHaveAttribute('aria-expanded', 'false');

  await button.focus();
  await page.keyboard.press('ArrowDown');
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();
  await expect(button).toHaveAttribute('aria-expanded', 'true');
  const items = menu.getByRole('menuitem');
  await expect(items).toHaveText(['Void / refund', 'Incidents', 'Printers', 'Staff', 'Settings']);
  await expect(items.nth(0)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(items.nth(1)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(items.nth(4)).toBeFocused(); // wraps round to the last
  await page.keyboard.press('Home');
  await expect(items.nth(0)).toBeFocused();

  // Escape: closed, focus back on the button.
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(button).toBeFocused();
  await expect(button).toHaveAttribute('aria-expanded', 'false');

  // Enter opens it too; End, then Enter, goes to Settings.
  await page.keyboard.press('Enter');
  await expect(items.nth(0)).toBeFocused();
  await page.keyboard.press('End');
  await expect(items.nth(4)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(menu).toBeHidden();
  await expect(page.getByTestId('settings-screen')).toBeVisible();
  await expect(button).toBeFocused();
  await expect(button).toHaveAttribute('aria-current', 'page');

  // Printers through the menu with the keyboard; a click outside closes the menu without choosing.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('printers-screen')).toBeVisible();
  await button.click();
  await expect(menu).toBeVisible();
  await page.getByTestId('printers-screen').click({ position: { x: 5, y: 5 } });
  await expect(menu).toBeHidden();
  await expect(page.getByTestId('printers-screen')).toBeVisible();

  // The cashier's tabs are still plain tabs.
  await page.getByTestId('nav-counter').click();
  await expect(page.getByTestId('nav-counter')).toHaveAttribute('aria-current', 'page');
  await expect(button).not.toHaveAttribute('aria-current', 'page');
});
