import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from './fixtures.js';
import { OWNER, createOwnerAndManager, openManaged, seriousViolations, simulateCharge, switchManager } from './helpers.js';

test.describe('started with --data', () => {
  test.use({ pinData: true });

  test('the data folder is shown as fixed by --data, with why, and offers no move (in Chinese too)', async ({ app }) => {
    const { page } = app;
    await createOwnerAndManager(page);
    await page.getByTestId('setup-step-folders').click();
    await expect(page.getByTestId('folders-data-dir')).toHaveText(app.dataDir);
    const source = page.getByTestId('folders-data-source');
    await expect(source).toHaveAttribute('data-source', 'flag');
    await expect(source).toHaveAttribute('data-pinned', 'true');
    await expect(source).toContainText('Fixed for this run by the start option --data');
    await expect(page.getByTestId('folders-move-input')).toHaveCount(0);
    await page.getByTestId('locale-switch').selectOption('zh-CN');
    await expect(source).toContainText('本次运行由启动参数 --data 指定');
  });
});

// Started without --data: the app finds its folder itself (location.json, else the default), so a
// restart after a move runs on the new folder.
test.use({ pinData: false });

test('folders step: the data moves to a new folder (verified; a folder with a ledger is never overwritten); restarted, the app runs there with the charges from before, the old folder untouched', async ({ app }) => {
  test.setTimeout(120_000);
  const { page } = app;
  const oldDir = app.dataDir;
  await createOwnerAndManager(page);
  await simulateCharge(page, '12.80');
  await simulateCharge(page, '7.35');
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await page.getByTestId('nav-counter').click();

  await page.getByTestId('setup-step-folders').click();
  await expect(page.getByTestId('setup-panel')).toHaveAttribute('data-step', 'folders');
  await expect(page.getByTestId('folders-data-dir')).toHaveText(oldDir);
  await expect(page.getByTestId('folders-data-source')).toHaveAttribute('data-source', 'default');
  await expect(page.getByTestId('folders-data-source')).toHaveText(/default folder/);

  // Inside the data folder: refused with why.
  await page.getByTestId('folders-move-input').fill(path.join(oldDir, 'inner'));
  await page.getByTestId('folders-move-submit').click();
  await expect(page.getByTestId('folders-move-error')).toHaveAttribute('data-code', 'datadir.inside_current');
  await expect(page.getByTestId('folders-move-error')).toContainText(`is inside the data folder in use (${oldDir})`);

  // A folder that holds a ledger is not overwritten; using it is offered, and refused when it does not verify.
  const parent = mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-move-'));
  const occupied = path.join(parent, 'occupied');
  mkdirSync(occupied);
  writeFileSync(path.join(occupied, 'countersign.db'), 'not a database');
  await page.getByTestId('folders-move-input').fill(occupied);
  await page.getByTestId('folders-move-submit').click();
  await expect(page.getByTestId('folders-move-error')).toHaveAttribute('data-code', 'datadir.holds_ledger');
  await expect(page.getByTestId('folders-move-error')).toContainText('It is not overwritten');
  await page.getByTestId('folders-move-use-existing').click();
  await expect(page.getByTestId('folders-move-error')).toHaveAttribute('data-code', 'datadir.ledger_bad');
  expect(readFileSync(path.join(occupied, 'countersign.db'), 'utf8')).toBe('not a database');

  // A new folder: copied, verified, named in location.json.
  const target = path.join(parent, 'till-data');
  await page.getByTestId('folders-move-input').fill(target);
  await page.getByTestId('folders-move-submit').click();
  const result = page.getByTestId('folders-move-result');
  await expect(result).toContainText(`Copied and verified into ${target}`);
  await expect(result).toContainText(`The old folder ${oldDir} is left as it is.`);
  await expect(page.getByTestId('folders-move-restart-hint')).toContainText('countersign start');
  expect(await seriousViolations(page)).toEqual([]);
  expect(existsSync(path.join(target, 'countersign.db'))).toBe(true);
  const location = JSON.parse(readFileSync(path.join(oldDir, 'location.json'), 'utf8')) as { dataDir: string; movedFrom: string; movedBy: string };
  expect(location).toMatchObject({ dataDir: target, movedFrom: oldDir, movedBy: expect.stringContaining(OWNER.name) });

  await app.restart();
  await expect(page.getByTestId('manager-button')).toBeVisible();
  await switchManager(page, OWNER);
  await page.getByTestId('nav-history').click();
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await expect(page.getByTestId('history-row').filter({ hasText: '12.80' })).toHaveCount(1);
  await expect(page.getByTestId('history-row').filter({ hasText: '7.35' })).toHaveCount(1);
  await openManaged(page, 'nav-settings');
  await expect(page.getByTestId('settings-folders-data-dir')).toHaveText(target);
  await expect(page.getByTestId('settings-folders-data-source')).toHaveAttribute('data-source', 'location');
  expect(app.output()).toContain(`data folder: ${target} (named in ${path.join(oldDir, 'location.json')})`);
  // The old folder is left as it was: its ledger is still there.
  expect(existsSync(path.join(oldDir, 'countersign.db'))).toBe(true);
});
