/**
 * The incident log (issue #6) through the real screens, each test from a fresh data folder with the
 * simulated terminal: a flagged charge walked to closed, a customer who cannot be reached (held in
 * suspense, then paid out), a rejected incident reopened, and the offline export from the screen.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { MANAGER, openManaged, setUpShop, simulateCharge, switchManager } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..', '..');

// A manager stays signed in while a test runs (the shop's 60 s is tested by the accounts spec).
test.use({ appEnv: { COUNTERSIGN_MANAGER_IDLE_MS: '600000' } });

/** The cashier flags the charge on the counter: what the customer should have paid. */
async function flagOnCounter(page: Page, intended: string) {
  await page.getByTestId('nav-counter').click();
  await page.getByTestId('flag-button').click();
  await expect(page.getByTestId('flag-dialog')).toBeVisible();
  await page.getByTestId('flag-intended').fill(intended);
  await page.getByTestId('flag-submit').click();
  await expect(page.getByTestId('flag-dialog')).toBeHidden();
}

/** The incident log lives in the History tab (the top bar has no room for another tab). */
async function showIncidents(page: Page) {
  await page.getByTestId('nav-history').click();
  await page.getByTestId('nav-incidents').click();
  await expect(page.getByTestId('incidents-screen')).toBeVisible();
  await expect(page.getByTestId('nav-history')).toHaveAttribute('aria-current', 'page');
}

/** Opens the incident log and the (only or newest) incident. */
async function openIncident(page: Page, id?: number) {
  await showIncidents(page);
  const row = id === undefined ? page.getByTestId('incident-row').first() : page.locator(`[data-testid="incident-row"][data-incident-id="${id}"]`);
  await row.click();
  await expect(page.getByTestId('incident-detail')).toBeVisible();
}

/** Takes one step through its form; `fill` fills the fields first. */
async function takeStep(page: Page, action: string, to: string, fill?: () => Promise<void>) {
  await page.getByTestId(`step-button-${action}`).click();
  await expect(page.locator(`[data-testid="step-form"][data-action="${action}"]`)).toBeVisible();
  if (fill) await fill();
  await page.getByTestId('step-submit').click();
  await expect(page.getByTestId('incident-error')).toHaveCount(0);
  await expect(page.getByTestId('incident-detail')).toHaveAttribute('data-status', to);
}

/** A picture of the screen (the whole window, 1280×800: the top bar must fit too), attached and kept in the test's output folder. */
async function shot(page: Page, testInfo: TestInfo, name: string) {
  const body = await page.screenshot();
  writeFileSync(testInfo.outputPath(name), body);
  await testInfo.attach(name, { body, contentType: 'image/png' });
}

/** axe-core's serious and critical findings on the page (none expected). */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

function timeline(page: Page) {
  return page.getByTestId('timeline-entry');
}

test('a flagged charge becomes an incident walked through every step to closed, with the void on the terminal and evidence', async ({ app }, testInfo) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '1280.00');
  await flagOnCounter(page, '128.00');

  await openIncident(page);
  const detail = page.getByTestId('incident-detail');
  await expect(detail).toHaveAttribute('data-status', 'open');
  await expect(page.getByTestId('incident-owed')).toContainText('1,152.00');
  await expect(page.locator('[data-testid="incident-row"]')).toHaveCount(1);
  await expect(page.getByTestId('incident-row').first()).toHaveAttribute('data-kind', 'over_charge');

  await takeStep(page, 'start_verification', 'verifying', () => page.getByTestId('step-note').fill('receipt and till slip compared'));
  await takeStep(page, 'contact_customer', 'contacting_customer', async () => {
    await page.getByTestId('step-contact-value').fill('13812345678');
    await page.getByTestId('step-contact-name').fill('王小明');
  });
  // A manager sees the whole contact; the list shows it masked.
  await expect(page.getByTestId('incident-contact')).toContainText('13812345678');
  await expect(page.getByTestId('incident-row').first()).toContainText('138****5678');
  await expect(page.getByTestId('incident-row').first()).not.toContainText('13812345678');
  await page.getByTestId('attempt-outcome').selectOption('reached');
  await page.getByTestId('attempt-note').fill('he agrees to a void');
  await page.getByTestId('attempt-submit').click();
  await expect(page.locator('[data-testid="timeline-entry"][data-action="contact_attempt"]')).toContainText('Reached');

  await takeStep(page, 'propose_resolution', 'resolution_proposed', async () => {
    await page.getByTestId('step-resolution').selectOption('void');
    await page.getByTestId('step-amount').fill('1280.00');
    await page.getByTestId('step-note').fill('void the 10× slip, then charge 128.00');
  });
  await takeStep(page, 'submit_for_review', 'manager_review');
  // Four-eyes: the owner proposed it, so the owner may not approve it; the manager does.
  await page.getByTestId('step-button-approve').click();
  await page.getByTestId('step-submit').click();
  await expect(page.getByTestId('incident-error')).toHaveAttribute('data-code', 'incident.same_approver');
  await expect(page.getByTestId('incident-error')).toContainText('another manager or the owner must review it');
  await expect(detail).toHaveAttribute('data-status', 'manager_review');
  await switchManager(page, MANAGER);
  await openIncident(page);
  await takeStep(page, 'approve', 'approved', () => page.getByTestId('step-note').fill('ok'));
  await expect(page.locator('[data-testid="timeline-entry"][data-action="approve"]')).toContainText(`manager:${MANAGER.name}`);

  // Evidence: a photo of the till slip, copied into the data folder with its SHA-256.
  const photo = path.join(mkdtempSync(path.join(os.tmpdir(), 'cs-evidence-')), 'till-slip.jpg');
  writeFileSync(photo, Buffer.from('\xff\xd8\xff\xe0 a till slip photo', 'latin1'));
  // The browser host has no native file chooser: it says to type the full path.
  await page.getByTestId('evidence-choose').click();
  await expect(page.getByTestId('evidence-typed-hint')).toBeVisible();
  await page.getByTestId('evidence-path').fill(photo);
  await page.getByTestId('evidence-submit').click();
  const evidence = page.getByTestId('evidence-row');
  await expect(evidence).toContainText('till-slip.jpg');
  const sha = await evidence.getAttribute('data-sha256');
  expect(sha).toMatch(/^[0-9a-f]{64}$/);
  const incidentId = await detail.getAttribute('data-incident-id');
  expect(existsSync(path.join(app.dataDir, 'evidence', incidentId!, `${sha}.jpg`))).toBe(true);
  // A relative path is refused with a clear message.
  await page.getByTestId('evidence-path').fill('till-slip.jpg');
  await page.getByTestId('evidence-submit').click();
  await expect(page.getByTestId('incident-error')).toHaveAttribute('data-code', 'incident.evidence_path');

  // Executed: the void goes to the (simulated) terminal now and is linked.
  await takeStep(page, 'execute', 'executed', async () => {
    await expect(page.getByTestId('step-method')).toHaveValue('terminal');
  });
  await expect(page.getByTestId('incident-returned')).toContainText('1,280.00');
  await expect(page.getByTestId('incident-adjustment')).toHaveAttribute('data-state', 'approved');
  await expect(page.getByTestId('incident-adjustment')).toHaveAttribute('data-kind', 'void');

  await takeStep(page, 'notify_customer', 'customer_notified', async () => {
    await page.getByTestId('step-channel').selectOption('phone');
    await page.getByTestId('step-note').fill('told him the money is back');
  });
  await takeStep(page, 'close', 'closed', async () => {
    await page.getByTestId('step-root-cause').fill('an extra zero was keyed');
    await page.getByTestId('step-prevention').selectOption('training');
  });
  await expect(page.getByTestId('incident-status')).toHaveText('Closed');
  const actions = await timeline(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
  expect(actions).toEqual([
    'opened',
    'start_verification',
    'contact_customer',
    'contact_attempt',
    'propose_resolution',
    'submit_for_review',
    'approve',
    'evidence_added',
    'execute',
    'notify_customer',
    'close',
  ]);
  await expect(timeline(page).last()).toContainText(`manager:${MANAGER.name}`);
  await expect(page.getByTestId('step-button-reopen')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
  await shot(page, testInfo, 'incident-closed-en.png');
  await page.getByTestId('locale-switch').selectOption('zh-CN');
  await expect(page.getByTestId('incident-status')).toHaveText('已结案');
  await expect(page.locator('[data-testid="timeline-entry"][data-action="execute"]')).toContainText('退还款项');
  await shot(page, testInfo, 'incident-closed-zh-CN.png');
  await page.getByTestId('locale-switch').selectOption('en');
});

test('customer unreachable: the amount owed is held in suspense, shown until it is paid out', async ({ app }, testInfo) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '200.00');
  await flagOnCounter(page, '150.00');
  await openIncident(page);
  await takeStep(page, 'start_verification', 'verifying');
  await takeStep(page, 'contact_customer', 'contacting_customer');
  await page.getByTestId('attempt-outcome').selectOption('no_answer');
  await page.getByTestId('attempt-submit').click();
  await expect(page.locator('[data-testid="timeline-entry"][data-action="contact_attempt"]')).toHaveCount(1);
  await page.getByTestId('attempt-outcome').selectOption('wrong_number');
  await page.getByTestId('attempt-submit').click();
  await expect(page.locator('[data-testid="timeline-entry"][data-action="contact_attempt"]')).toHaveCount(2);
  await takeStep(page, 'mark_unreachable', 'held_in_suspense', async () => {
    await expect(page.getByTestId('step-amount')).toHaveValue('50.00');
    await page.getByTestId('step-note').fill('two calls, the number is wrong');
  });
  await expect(page.getByTestId('incident-suspense')).toContainText('50.00');

  // The dashboard shows the money held, and the incident, until it is paid out.
  await page.getByTestId('incidents-view-dashboard').click();
  await expect(page.getByTestId('money-suspense')).toHaveAttribute('data-minor', '5000');
  await expect(page.getByTestId('money-at-risk')).toHaveAttribute('data-minor', '0');
  await expect(page.getByTestId('suspense-row')).toHaveCount(1);
  await expect(page.getByTestId('incidents-chart').locator('rect[data-cause="operator_error"]')).toHaveCount(1);
  // Four-eyes: the owner and the manager can approve, so the owner is offered no self-approval.
  await expect(page.getByTestId('approval-policy')).toHaveAttribute('data-approvers', '2');
  await expect(page.getByTestId('approval-policy')).toContainText('2 people can approve');
  await expect(page.getByTestId('approval-self-toggle')).toHaveCount(0);
  await shot(page, testInfo, 'dashboard-suspense-en.png');

  // The customer came back: paid out in cash, from the dashboard's list.
  await page.getByTestId('suspense-row').getByRole('button').click();
  await expect(page.getByTestId('incident-detail')).toHaveAttribute('data-status', 'held_in_suspense');
  await takeStep(page, 'pay_out', 'executed', async () => {
    await expect(page.getByTestId('step-method')).toHaveValue('cash');
    await expect(page.getByTestId('step-amount')).toHaveValue('50.00');
    await page.getByTestId('step-note').fill('paid in cash at the counter');
  });
  await expect(page.getByTestId('incident-suspense')).toContainText('0.00');
  await expect(page.getByTestId('incident-returned')).toContainText('50.00');
  await page.getByTestId('incidents-view-dashboard').click();
  await expect(page.getByTestId('suspense-empty')).toBeVisible();
  await expect(page.getByTestId('money-suspense')).toHaveAttribute('data-minor', '0');
  await expect(page.getByTestId('money-returned')).toHaveAttribute('data-minor', '5000');
  await page.getByTestId('locale-switch').selectOption('zh-CN');
  await expect(page.getByTestId('money-returned')).toContainText('已退还');
  await expect(page.getByTestId('approval-policy')).toContainText('本店有 2 人可以审批');
  await shot(page, testInfo, 'dashboard-zh-CN.png');
  await page.getByTestId('locale-switch').selectOption('en');
});

test('rejected with a reason, then reopened (audited on the timeline)', async ({ app }) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '30.00');
  await flagOnCounter(page, '30.00');
  await openIncident(page);
  await takeStep(page, 'start_verification', 'verifying');
  await takeStep(page, 'propose_resolution', 'resolution_proposed', async () => {
    await page.getByTestId('step-resolution').selectOption('compensation');
    await page.getByTestId('step-amount').fill('10.00');
    await page.getByTestId('step-note').fill('customer says the price was wrong');
  });
  await takeStep(page, 'submit_for_review', 'manager_review');
  // The review is by someone other than the proposer (the owner): the manager.
  await switchManager(page, MANAGER);
  await openIncident(page);
  // A reason is required.
  await page.getByTestId('step-button-reject').click();
  await page.getByTestId('step-submit').click();
  await expect(page.getByTestId('step-form-error')).toBeVisible();
  await page.getByTestId('step-reason').fill('the shelf price was 30.00');
  await page.getByTestId('step-submit').click();
  await expect(page.getByTestId('incident-detail')).toHaveAttribute('data-status', 'rejected');
  await expect(page.getByTestId('incident-rejection')).toHaveText('the shelf price was 30.00');
  await expect(page.getByTestId('incident-row').first()).toHaveAttribute('data-status', 'rejected');

  await takeStep(page, 'reopen', 'open', () => page.getByTestId('step-reason').fill('the customer brought a photo of the shelf label'));
  await expect(page.getByTestId('incident-detail')).toContainText('Reopened 1 time(s)');
  await expect(page.locator('[data-testid="timeline-entry"][data-action="reopen"]')).toContainText('the customer brought a photo of the shelf label');
  await expect(page.locator('[data-testid="timeline-entry"][data-action="reject"]')).toContainText(`manager:${MANAGER.name}`);
  // The list's status filter finds it again among the open ones, not among the rejected.
  await page.getByTestId('filter-status').selectOption('rejected');
  await expect(page.getByTestId('incident-empty')).toBeVisible();
  await page.getByTestId('filter-status').selectOption('open');
  await expect(page.getByTestId('incident-row')).toHaveCount(1);
});

function verifyExport(dir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin', 'countersign.mjs'), 'verify-export', dir], { cwd: root, env: process.env }, (error, stdout) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, out: stdout }),
    );
  });
}

test('the export from the screen shows its progress and writes every format, and the manifest verifies', async ({ app }, testInfo) => {
  const { page } = app;
  await setUpShop(page);
  await simulateCharge(page, '1280.00');
  await flagOnCounter(page, '128.00');
  await simulateCharge(page, '56.00');
  await flagOnCounter(page, '0.00');
  // The Manage menu opens the incident log too.
  await openManaged(page, 'nav-manage-incidents');
  await expect(page.getByTestId('incidents-screen')).toBeVisible();
  await expect(page.getByTestId('incident-row')).toHaveCount(2);
  await page.getByTestId('incidents-view-dashboard').click();
  await expect(page.getByTestId('incidents-chart')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await page.getByTestId('incidents-view-export').click();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'cs-e2e-export-'));
  // No native folder chooser in the browser host: the screen asks for a typed full path.
  await page.getByTestId('export-choose').click();
  await expect(page.getByTestId('export-panel')).toContainText('Type the full path of a folder on this computer');
  // A folder that is not absolute is refused with a clear message.
  await page.getByTestId('export-folder').fill('exports');
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-error')).toHaveAttribute('data-code', 'export.invalid_folder');
  await page.getByTestId('export-folder').fill(folder);
  await page.getByTestId('export-format').selectOption('all');
  await page.getByTestId('export-start').click();
  const progress = page.getByTestId('export-progress');
  await expect(progress).toBeVisible();
  const result = page.getByTestId('export-result');
  await expect(result).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(progress).toHaveAttribute('value', '100');
  await expect(result).toContainText('Exported 2 incidents');
  await expect(page.getByTestId('export-file')).toHaveCount(5);
  await shot(page, testInfo, 'export-done-en.png');
  expect(await seriousViolations(page)).toEqual([]);

  const dir = await result.getAttribute('data-folder');
  expect(dir && path.dirname(dir)).toBe(folder);
  expect(readdirSync(dir!).sort()).toEqual(['incident-events.csv', 'incidents.csv', 'incidents.json', 'incidents.pdf', 'manifest.json']);
  const manifest = JSON.parse(readFileSync(path.join(dir!, 'manifest.json'), 'utf8'));
  expect(manifest.counts.incidents).toBe(2);
  expect(manifest.parameters.formats).toEqual(['csv', 'json', 'pdf']);
  const verified = await verifyExport(dir!);
  expect(verified.code, verified.out).toBe(0);
  expect(verified.out).toContain('export intact: 4 files match manifest.json');
  // One byte changed: verify-export names the file.
  const csv = readFileSync(path.join(dir!, 'incidents.csv'));
  csv[csv.length - 3] = csv[csv.length - 3]! ^ 1;
  writeFileSync(path.join(dir!, 'incidents.csv'), csv);
  const broken = await verifyExport(dir!);
  expect(broken.code).toBe(1);
  expect(broken.out).toContain('incidents.csv');
});
