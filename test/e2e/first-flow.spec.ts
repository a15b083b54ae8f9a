import { test, expect } from './fixtures.js';

test('a simulated charge appears large on the counter, is confirmed with Enter, and stays confirmed after a restart', async ({ app }) => {
  const { page } = app;
  await expect(page.getByTestId('link-state')).toContainText(/simulator/i);
  await expect(page.getByTestId('counter-empty')).toBeVisible();

  await page.getByTestId('sim-amount-input').fill('1280.00');
  await page.getByTestId('sim-charge-button').click();

  const amount = page.getByTestId('counter-amount');
  await expect(amount).toHaveText(/1,280\.00/);
  await expect(amount).toHaveText(/¥|CN¥|CNY/);
  await expect(page.getByTestId('counter-card')).toContainText(/\*{4,}\d{4}/);
  const trace = (await page.getByTestId('counter-trace').innerText()).match(/\d{6}/g)?.pop();
  expect(trace).toMatch(/^\d{6}$/);

  // Keyboard first: the cashier presses Enter. Focus must not be in the simulator's input.
  await page.getByTestId('counter-screen').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('counter-empty')).toBeVisible();

  await page.getByTestId('nav-history').click();
  const row = page.locator(`[data-testid="history-row"][data-trace="${trace}"]`);
  await expect(row).toHaveAttribute('data-status', 'confirmed');

  await app.restart();
  await expect(page.getByTestId('counter-empty')).toBeVisible();
  await page.getByTestId('nav-history').click();
  await expect(page.locator(`[data-testid="history-row"][data-trace="${trace}"]`)).toHaveAttribute('data-status', 'confirmed');
});
