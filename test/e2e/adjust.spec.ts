/**
 * The manager's void (撤销) and refund (退货), issue #5: each test from a fresh data folder with the
 * simulated terminal, driven through the real screens — and, for the faults, the `countersign sim`
 * command line against the running app, as a tester would.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { MANAGER, countersign, setUpShop, simulateCharge } from './helpers.js';

// A manager stays signed in while a test runs (the shop's 60 s is tested by the accounts spec).
test.use({ appEnv: { COUNTERSIGN_MANAGER_IDLE_MS: '600000' } });

const CARD = '622848******4321';

/** The PDF printer (the default) writes receipts into <data folder>/receipts. */
function pdfReceipts(dataDir: string): string[] {
  try {
    return readdirSync(path.join(dataDir, 'receipts')).filter((f) => f.endsWith('.pdf'));
  } catch {
    return [];
  }
}

async function signInAsManager(page: Page) {
  await expect(page.getByTestId('signin-dialog')).toBeVisible();
  await page.getByTestId('signin-user').selectOption({ label: MANAGER.name });
  await page.getByTestId('signin-pin').fill(MANAGER.pin);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('manager-badge')).toContainText(MANAGER.name);
}

/** A screenshot kept with the test's output (and attached to its report). */
async function attach(page: Page, testInfo: TestInfo, name: string) {
  const file = testInfo.outputPath(name);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** `countersign sim executed`: how many voids/refunds the simulated terminal actually executed. */
async function executed(dataDir: string): Promise<{ VD: number; RF: number; QT: number }> {
  const out = await countersign(dataDir, 'sim', 'executed');
  const m = /VD (\d+), RF (\d+), SE \d+, QT (\d+)/.exec(out);
  if (!m) throw new Error(`unexpected output: ${out}`);
  return { VD: Number(m[1]), RF: Number(m[2]), QT: Number(m[3]) };
}

test('a wrong amount is voided in the open batch with two receipts (PDF); the correct amount is charged (补刷) and linked to the incident', async ({ app }, testInfo) => {
  const { page } = app;
  await setUpShop(page);
  await page.getByTestId('signout-button').click();
  await expect(page.getByTestId('manager-badge')).toBeHidden();

  // The cashier keyed 1280.00 for 128.00 and flags it with what the customer should have paid.
  await simulateCharge(page, '1280.00', CARD);
  await expect(page.getByTestId('counter-amount')).toHaveText(/1,280\.00/);
  await page.getByTestId('flag-button').click();
  await page.getByTestId('flag-intended').fill('128.00');
  await page.getByTestId('flag-cause').selectOption('operator_error');
  await page.getByTestId('flag-submit').click();
  await expect(page.getByTestId('counter-empty')).toBeVisible();

  // From History: the void/refund screen asks for the manager first.
  await page.getByTestId('nav-history').click();
  const row = page.getByTestId('history-row').filter({ hasText: '1,280.00' });
  await expect(row).toHaveAttribute('data-status', 'flagged');
  await row.getByTestId('history-adjust').click();
  await expect(page.getByTestId('adjust-screen')).toBeVisible();
  await expect(page.getByTestId('adjust-needs-manager')).toBeVisible();
  await signInAsManager(page);

  // It shows the original charge, its incident, and says why it is a void.
  await expect(page.getByTestId('adjust-original-amount')).toHaveText(/1,280\.00/);
  await expect(page.getByTestId('adjust-incident')).toHaveAttribute('data-kind', 'over_charge');
  await expect(page.getByTestId('adjust-incident')).toContainText('Incident #1 · overcharge · should have been ¥128.00');
  const mode = page.getByTestId('adjust-mode');
  await expect(mode).toHaveAttribute('data-mode', 'void');
  await expect(mode).toContainText('Void (撤销)');
  await expect(page.getByTestId('adjust-why')).toContainText('open batch');
  await expect(page.getByTestId('adjust-remaining')).toHaveText('¥1,280.00');
  await expect(page.getByTestId('adjust-amount')).toBeDisabled();
  await expect(page.getByTestId('adjust-amount')).toHaveValue('1280.00');
  await expect(page.getByTestId('adjust-rest')).toHaveCount(0);
  await expect(page.getByTestId('adjust-reason')).toHaveValue('wrong_amount');

  // A note is required.
  await page.getByTestId('adjust-submit').click();
  await expect(page.getByTestId('adjust-form-error')).toContainText('Write a note');
  await page.getByTestId('adjust-note').fill('keyed 1280.00 for 128.00');
  await expect(page.getByTestId('adjust-submit')).toHaveText('Void ¥1,280.00');
  await attach(page, testInfo, 'adjust-void-en.png');
  await page.getByTestId('adjust-submit').click();

  const outcome = page.getByTestId('adjust-outcome');
  await expect(outcome).toHaveAttribute('data-state', 'approved');
  await expect(outcome).toHaveAttribute('data-rc', '00');
  await expect(outcome).toContainText('Approved by the terminal.');
  await expect(page.getByTestId('adjust-new-refs')).toHaveAttribute('data-trace', /^\d{6}$/);
  await expect(page.getByTestId('adjust-progress')).toHaveAttribute('data-step', 'answered');
  const receipts = page.getByTestId('adjust-receipt');
  await expect(receipts).toHaveCount(2);
  await expect(page.locator('[data-testid="adjust-receipt"][data-copy="customer"]')).toHaveAttribute('data-state', 'printed');
  await expect(page.locator('[data-testid="adjust-receipt"][data-copy="merchant"]')).toHaveAttribute('data-state', 'printed');
  const voidPdfs = pdfReceipts(app.dataDir).filter((f) => f.includes('-void-'));
  expect(voidPdfs).toHaveLength(2);
  expect(voidPdfs.some((f) => f.includes('customer')) && voidPdfs.some((f) => f.includes('merchant'))).toBe(true);

  // Voided now: nothing more is possible on it.
  await expect(page.getByTestId('adjust-refused')).toHaveAttribute('data-code', 'already_voided');
  await expect(page.getByTestId('adjust-done-row')).toHaveCount(1);

  // 补刷: the intended amount, keyed on the terminal, is linked to the incident when it arrives.
  const recharge = page.getByTestId('adjust-recharge');
  await expect(recharge).toHaveAttribute('data-state', 'offer');
  await expect(recharge).toContainText('Ask the cashier to key ¥128.00 on the terminal');
  await page.getByTestId('adjust-recharge-start').click();
  await expect(recharge).toHaveAttribute('data-state', 'waiting');
  await simulateCharge(page, '128.00', CARD);
  await expect(recharge).toHaveAttribute('data-state', 'linked');
  await expect(recharge).toContainText(/Charge of ¥128\.00 \(trace \d{6}\) linked to incident #1/);
  await attach(page, testInfo, 'adjust-recharge-en.png');

  // The counter shows the new charge as the incident's correct amount.
  await page.getByTestId('nav-counter').click();
  await expect(page.getByTestId('counter-amount')).toHaveText(/128\.00/);
  await expect(page.getByTestId('recharge-link')).toContainText('linked to incident #1');

  // The same screen in Chinese.
  await page.getByTestId('locale-switch').selectOption('zh-CN');
  await page.getByTestId('nav-history').click();
  await page.getByTestId('history-row').filter({ hasText: '1,280.00' }).getByTestId('history-adjust').click();
  await expect(page.getByTestId('adjust-refused')).toContainText('该交易已被撤销');
  await expect(page.getByTestId('adjust-recharge')).toContainText('已关联到事件 #1');
  await expect(page.getByTestId('adjust-done-row')).toContainText('撤销');
  await attach(page, testInfo, 'adjust-void-zh-CN.png');
});

test('after settlement a charge is refunded in part, then the rest; a third refund is refused', async ({ app }, testInfo) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '100.00', CARD);
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('counter-empty')).toBeVisible();
  await page.getByTestId('nav-batch').click();
  await expect(page.getByTestId('batch-no-blockers')).toBeVisible();
  await page.getByTestId('settle-button').click();
  await expect(page.getByTestId('settle-result')).toHaveAttribute('data-matched', 'true');

  // Found by the card's last 4 digits (the void/refund screen is opened from History).
  await page.getByTestId('nav-history').click();
  await page.getByTestId('nav-adjust').click();
  await expect(page.getByTestId('adjust-pick')).toBeVisible();
  await page.getByTestId('adjust-search').fill('4321');
  await page.getByTestId('adjust-search-submit').click();
  await expect(page.getByTestId('adjust-result-row')).toHaveCount(1);
  await page.getByTestId('adjust-result-row').click();

  const mode = page.getByTestId('adjust-mode');
  await expect(mode).toHaveAttribute('data-mode', 'refund');
  await expect(mode).toContainText('Refund (退货)');
  await expect(page.getByTestId('adjust-why')).toContainText('settled');
  await expect(page.getByTestId('adjust-remaining')).toHaveText('¥100.00');

  // A partial refund: 40.00 of 100.00.
  await page.getByTestId('adjust-amount').fill('40.00');
  await page.getByTestId('adjust-reason').selectOption('customer_request');
  await page.getByTestId('adjust-note').fill('returned one item');
  await expect(page.getByTestId('adjust-submit')).toHaveText('Refund ¥40.00');
  await page.getByTestId('adjust-submit').click();
  await expect(page.getByTestId('adjust-outcome')).toHaveAttribute('data-state', 'approved');
  await expect(page.getByTestId('adjust-outcome')).toContainText('¥40.00 refunded.');
  await expect(page.getByTestId('adjust-receipt')).toHaveCount(2);
  await expect(page.locator('[data-testid="adjust-receipt"][data-state="printed"]')).toHaveCount(2);
  await expect(page.getByTestId('adjust-remaining')).toHaveText('¥60.00');
  await expect(page.getByTestId('adjust-refunded')).toHaveText('¥40.00');
  await expect(mode).toHaveAttribute('data-partial', 'true');

  // Never beyond what remains.
  await page.getByTestId('adjust-amount').fill('60.01');
  await page.getByTestId('adjust-reason').selectOption('customer_request');
  await page.getByTestId('adjust-note').fill('too much');
  await page.getByTestId('adjust-submit').click();
  await expect(page.getByTestId('adjust-form-error')).toContainText('At most ¥60.00 can be refunded.');

  // "Refund the rest".
  await page.getByTestId('adjust-rest').click();
  await expect(page.getByTestId('adjust-amount')).toHaveValue('60.00');
  await page.getByTestId('adjust-note').fill('returned the rest');
  await page.getByTestId('adjust-submit').click();
  await expect(page.getByTestId('adjust-outcome')).toHaveAttribute('data-state', 'approved');
  await expect(page.getByTestId('adjust-outcome')).toContainText('¥60.00 refunded.');
  await expect(page.locator('[data-testid="adjust-receipt"][data-state="printed"]')).toHaveCount(2);

  // A third refund is refused: nothing is left.
  const refused = page.getByTestId('adjust-refused');
  await expect(refused).toHaveAttribute('data-code', 'fully_refunded');
  await expect(refused).toContainText('refunded in full');
  await expect(page.getByTestId('adjust-submit')).toHaveCount(0);
  await expect(page.getByTestId('adjust-remaining')).toHaveText('¥0.00');
  await expect(page.getByTestId('adjust-done-row')).toHaveCount(2);
  await attach(page, testInfo, 'adjust-refund-en.png');
  expect(pdfReceipts(app.dataDir).filter((f) => f.includes('-refund-'))).toHaveLength(4);
  expect(await executed(app.dataDir)).toMatchObject({ VD: 0, RF: 2 });

  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-row').first()).toHaveAttribute('data-status', 'refunded');
});

test('a void whose answer the simulator drops says "no answer yet", is resolved by QT after unplug and replug, and was executed once', async ({ app }, testInfo) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '50.00', CARD);
  await expect(page.getByTestId('counter-amount')).toHaveText(/50\.00/);

  // From the counter, with the charge on screen.
  await page.getByTestId('adjust-open').click();
  await expect(page.getByTestId('adjust-mode')).toHaveAttribute('data-mode', 'void');
  await page.getByTestId('adjust-reason').selectOption('duplicate');
  await page.getByTestId('adjust-note').fill('second swipe');

  expect(await countersign(app.dataDir, 'sim', 'fault', 'lose-next-response')).toContain('fault armed: lose-next-response');
  await page.getByTestId('adjust-submit').click();
  const progress = page.getByTestId('adjust-progress');
  await expect(progress).toHaveAttribute('data-step', 'waiting');
  // The terminal has executed it (and kept its answer to itself).
  await expect.poll(async () => (await executed(app.dataDir)).VD).toBe(1);

  await countersign(app.dataDir, 'sim', 'unplug');
  const outcome = page.getByTestId('adjust-outcome');
  await expect(outcome).toHaveAttribute('data-state', 'unknown');
  await expect(outcome).toContainText('No answer yet — Countersign will ask the terminal (QT) when it is back, and never send it twice.');
  await expect(page.getByTestId('adjust-refused')).toHaveAttribute('data-code', 'void_in_flight');
  await attach(page, testInfo, 'adjust-no-answer-en.png');

  // Back: QT finds the answer, and the screen flips to it without a reload.
  await countersign(app.dataDir, 'sim', 'replug');
  await expect(outcome).toHaveAttribute('data-state', 'approved', { timeout: 15_000 });
  await expect(outcome).toHaveAttribute('data-rc', '00');
  await expect(outcome).toContainText('Approved by the terminal.');
  await expect(page.locator('[data-testid="adjust-receipt"][data-state="printed"]')).toHaveCount(2);
  await expect(page.getByTestId('adjust-refused')).toHaveAttribute('data-code', 'already_voided');
  await expect(page.getByTestId('adjust-done-row')).toHaveCount(1);
  await expect(page.getByTestId('adjust-done-row')).toHaveAttribute('data-state', 'approved');

  // Exactly once: one void in the ledger, one VD executed by the terminal (and one QT).
  expect(await executed(app.dataDir)).toEqual({ VD: 1, RF: 0, QT: 1 });
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('history-row')).toHaveAttribute('data-status', 'voided');
});

test("the manager's M flow: called from the counter, the manager signs in and opens the void/refund of the charge on screen", async ({ app }) => {
  const { page } = app;
  await setUpShop(page);
  await page.getByTestId('signout-button').click();
  await simulateCharge(page, '88.00', CARD);
  const trace = (await page.getByTestId('counter-trace').innerText()).match(/\d{6}/g)?.pop();
  expect(trace).toMatch(/^\d{6}$/);

  // The cashier presses M: "Manager needed" and the sign-in.
  await page.getByTestId('counter-screen').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('m');
  await expect(page.getByTestId('manager-needed')).toBeVisible();
  await signInAsManager(page);
  await expect(page.getByTestId('manager-needed')).toBeHidden();

  // The manager is here: void or refund the charge the cashier called about.
  await expect(page.getByTestId('manager-here')).toBeVisible();
  await page.getByTestId('manager-adjust').click();
  await expect(page.getByTestId('adjust-screen')).toBeVisible();
  await expect(page.getByTestId('adjust-original-trace')).toHaveText(trace!);
  await expect(page.getByTestId('adjust-mode')).toHaveAttribute('data-mode', 'void');
  await expect(page.getByTestId('adjust-remaining')).toHaveText('¥88.00');
  await expect(page.getByTestId('nav-history')).toHaveAttribute('aria-current', 'page');
});
