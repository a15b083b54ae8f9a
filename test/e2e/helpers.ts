import type { Page } from '@playwright/test';
import { expect } from './fixtures.js';

/** The shop's people in the e2e specs (test PINs only). */
export const OWNER = { name: 'Lin Wei', pin: '482915' };
export const MANAGER = { name: 'Zhang Min', pin: '735102' };

/** First run: the owner sets up the shop with the first manager and is signed in (owner ≥ manager). */
export async function setUpShop(page: Page) {
  await page.getByTestId('setup-owner-name').fill(OWNER.name);
  await page.getByTestId('setup-owner-pin').fill(OWNER.pin);
  await page.getByTestId('setup-manager-name').fill(MANAGER.name);
  await page.getByTestId('setup-manager-pin').fill(MANAGER.pin);
  await page.getByTestId('setup-submit').click();
  await expect(page.getByTestId('manager-badge')).toContainText(OWNER.name);
  await expect(page.getByTestId('setup-panel')).toBeHidden();
}
