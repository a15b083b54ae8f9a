import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { OWNER, createOwnerAndManager, openManaged, seriousViolations, simulateCharge } from './helpers.js';
import { pdftotext } from '../unit/printing/pdfText.js';

const SHOP = { name: 'Golden Dragon Noodles', address: '100 Nanjing Rd E, Huangpu, Shanghai', phone: '+86 21 5555 0100', taxId: '91310000MA1K000000' };

async function onStep(page: Page, step: string, title: RegExp) {
  await expect(page.getByTestId('setup-panel')).toHaveAttribute('data-step', step);
  const heading = page.getByTestId('setup-step-title');
  await expect(heading).toHaveText(title);
  // Keyboard users land on the new step's title.
  if (step !== 'accounts') await expect(heading).toBeFocused();
}

test('first run: the wizard walks owner, shop, terminal (with a live test), PDF printer (with a test page), folders; finished, it stays away and Settings shows it all', async ({ app }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const violations: Record<string, string[]> = {};
  const axe = async (step: string) => {
    violations[step] = await seriousViolations(page);
  };

  // 1. Owner and first manager; the counter works beside the wizard.
  await onStep(page, 'accounts', /^Step 1 of 6: Owner and manager$/);
  await expect(page.getByTestId('counter-empty')).toBeVisible();
  await expect(page.getByTestId('setup-step-shop')).toBeDisabled();
  await axe('accounts');
  await createOwnerAndManager(page);

  // 2. Shop: a wrong phone number is named, then the receipt header is saved.
  await onStep(page, 'shop', /^Step 2 of 6: Shop$/);
  await page.getByTestId('setup-shop-name').fill(SHOP.name);
  await page.getByTestId('setup-shop-address').fill(SHOP.address);
  await page.getByTestId('setup-shop-phone').fill('call me');
  await page.getByTestId('setup-shop-taxId').fill(SHOP.taxId);
  await expect(page.getByTestId('setup-shop-currency')).toHaveValue('156');
  await page.getByTestId('setup-shop-currency').selectOption('344');
  await page.getByTestId('setup-shop-locale').selectOption('en');
  await axe('shop');
  await page.getByTestId('setup-shop-save').click();
  await expect(page.getByTestId('setup-shop-error')).toHaveText(/phone number: digits, spaces/);
  await expect(page.getByTestId('setup-panel')).toHaveAttribute('data-step', 'shop');
  await page.getByTestId('setup-shop-phone').fill(SHOP.phone);
  await page.getByTestId('setup-shop-save').click();

  // 3. Terminal: what USB sees (here: nothing, or node-hid could not load), the simulator, a live round trip.
  await onStep(page, 'terminal', /^Step 3 of 6: Card terminal$/);
  await expect(page.getByTestId('terminal-none-found').or(page.getByTestId('terminal-node-hid-problem'))).toBeVisible();
  // A charge that arrives during setup is recorded and shown on the counter meanwhile.
  await simulateCharge(page, '12.80');
  await expect(page.getByTestId('counter-amount')).toHaveText(/12\.80/);
  await page.getByTestId('terminal-choice-simulator').check();
  await page.getByTestId('terminal-apply').click();
  await expect(page.getByTestId('terminal-apply')).toBeDisabled();
  await page.getByTestId('terminal-test').click();
  const tested = page.getByTestId('terminal-test-result');
  await expect(tested).toHaveAttribute('data-ok', 'true');
  await expect(tested).toContainText(/Sent → answered in \d+ ms \(query \d{6}, answer code 25\)/);
  await expect(page.getByTestId('terminal-test-fields')).toContainText(/Terminal ID [0-9A-Za-z]{8}/);
  await expect(page.getByTestId('counter-amount')).toHaveText(/12\.80/);
  await axe('terminal');
  await page.getByTestId('setup-next').click();

  // 4. Printer: the built-in PDF printer, and a test page that really is a PDF on disk.
  await onStep(page, 'printer', /^Step 4 of 6: Printer$/);
  await page.getByTestId('printer-choice-pdf').check();
  await page.getByTestId('printer-step-test').click();
  const printed = page.getByTestId('printer-step-result');
  await expect(printed).toHaveAttribute('data-ok', 'true');
  const file = /(\/\S+\.pdf)/.exec(await printed.innerText())?.[1];
  expect(file, await printed.innerText()).toBeTruthy();
  expect(existsSync(file!)).toBe(true);
  expect(readFileSync(file!).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  // The test page is headed with the shop's details from step 2, as every receipt is.
  const pageText = pdftotext(readFileSync(file!));
  expect(pageText, 'pdftotext (poppler-utils) reads the PDF back').not.toBeNull();
  for (const detail of [SHOP.name, SHOP.address, SHOP.phone, SHOP.taxId]) expect(pageText!.replace(/[ \t]+/g, ' ')).toContain(detail);
  await axe('printer');
  // Other screens keep their full height; the wizard waits at its step on the counter.
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('setup-panel')).toBeHidden();
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await page.getByTestId('nav-counter').click();
  await expect(page.getByTestId('setup-panel')).toHaveAttribute('data-step', 'printer');
  await page.getByTestId('setup-next').click();

  // 5. Folders: the data folder is shown; a folder that cannot be written is refused with why; then a good one.
  await onStep(page, 'folders', /^Step 5 of 6: Folders$/);
  await expect(page.getByTestId('folders-data-dir')).toHaveText(app.dataDir);
  await page.getByTestId('folders-backup-input').fill('/proc/countersign-backups');
  await page.getByTestId('folders-backup-save').click();
  await expect(page.getByTestId('folders-backup-error')).toHaveAttribute('data-code', 'setup.folder.not_writable');
  await expect(page.getByTestId('folders-backup-error')).toContainText('Countersign cannot write in /proc/countersign-backups');
  const backupDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-backups-')), 'till-backups');
  await page.getByTestId('folders-backup-input').fill(backupDir);
  await page.getByTestId('folders-backup-save').click();
  await expect(page.getByTestId('folders-backup-saved')).toBeVisible();
  await expect(page.getByTestId('folders-backup-current')).toHaveText(backupDir);
  expect(existsSync(backupDir)).toBe(true);
  await axe('folders');
  await page.getByTestId('setup-next').click();

  // 6. Summary, then Finish.
  await onStep(page, 'summary', /^Step 6 of 6: Summary$/);
  await expect(page.getByTestId('setup-summary-shop')).toContainText(SHOP.name);
  await expect(page.getByTestId('setup-summary-shop')).toContainText(SHOP.phone);
  await expect(page.getByTestId('setup-summary-currency')).toHaveText('HKD (344) · English');
  await expect(page.getByTestId('setup-summary-terminal')).toContainText('The simulator');
  await expect(page.getByTestId('setup-summary-printer')).toContainText(file!);
  await expect(page.getByTestId('setup-summary-backups')).toHaveText(backupDir);
  await axe('summary');
  await page.getByTestId('setup-finish').click();
  await expect(page.getByTestId('setup-panel')).toBeHidden();

  expect(violations).toEqual({ accounts: [], shop: [], terminal: [], printer: [], folders: [], summary: [] });

  // Settings shows (and can change) the same; a backup taken now lands in the chosen folder.
  await openManaged(page, 'nav-settings');
  await expect(page.getByTestId('settings-shop-name')).toHaveValue(SHOP.name);
  await expect(page.getByTestId('settings-shop-address')).toHaveValue(SHOP.address);
  await expect(page.getByTestId('settings-shop-phone')).toHaveValue(SHOP.phone);
  await expect(page.getByTestId('settings-shop-currency')).toHaveValue('344');
  await expect(page.getByTestId('settings-folders-backup-current')).toHaveText(backupDir);
  await expect(page.getByTestId('terminal-choice-simulator')).toBeChecked();
  await page.getByTestId('backups-take').click();
  await expect(page.getByTestId('backup-row')).toHaveCount(1);
  const taken = readdirSync(backupDir).filter((n) => n.endsWith('.db'));
  expect(taken).toHaveLength(1);
  await expect(page.getByTestId('backup-row')).toContainText(taken[0]!);

  // A reload does not bring the wizard back: once the setup is known (Settings shows it), there is none.
  await page.reload();
  await expect(page.getByTestId('manager-button').or(page.getByTestId('manager-badge'))).toBeVisible();
  await page.getByTestId('manager-button').click();
  await page.getByTestId('signin-user').selectOption({ label: OWNER.name });
  await page.getByTestId('signin-pin').fill(OWNER.pin);
  await page.getByTestId('signin-submit').click();
  await openManaged(page, 'nav-settings');
  await expect(page.getByTestId('settings-folders-backup-current')).toHaveText(backupDir);
  await page.getByTestId('nav-counter').click();
  await expect(page.getByTestId('counter-amount')).toHaveText(/12\.80/);
  await expect(page.getByTestId('setup-panel')).toHaveCount(0);
});

test('first run in Chinese: every step title, keyboard only from step to step, no serious axe problem; "Later" folds it away', async ({ app }) => {
  test.setTimeout(90_000);
  const { page } = app;
  await page.getByTestId('locale-switch').selectOption('zh-CN');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByTestId('setup-step-title')).toHaveText('第 1 步，共 6 步： 店主和经理');
  await createOwnerAndManager(page);
  const titles: [string, string][] = [
    ['shop', '第 2 步，共 6 步： 店铺'],
    ['terminal', '第 3 步，共 6 步： 刷卡终端'],
    ['printer', '第 4 步，共 6 步： 打印机'],
    ['folders', '第 5 步，共 6 步： 文件夹'],
    ['summary', '第 6 步，共 6 步： 确认'],
  ];
  const violations: Record<string, string[]> = {};
  for (const [step, title] of titles) {
    await expect(page.getByTestId('setup-panel')).toHaveAttribute('data-step', step);
    await expect(page.getByTestId('setup-step-title')).toHaveText(title);
    violations[step] = await seriousViolations(page);
    if (step === 'summary') break;
    // Keyboard only: Tab to "下一步" and press Enter.
    const next = page.getByTestId('setup-next');
    for (let i = 0; i < 60 && !(await next.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await expect(next).toBeFocused();
    await expect(next).toHaveText('下一步');
    await page.keyboard.press('Enter');
  }
  expect(violations).toEqual({ shop: [], terminal: [], printer: [], folders: [], summary: [] });
  await expect(page.getByTestId('setup-finish')).toHaveText('完成设置');
  await page.getByTestId('setup-later').click();
  await expect(page.getByTestId('setup-panel')).toBeHidden();
  await expect(page.getByTestId('counter-screen')).toBeVisible();
});
