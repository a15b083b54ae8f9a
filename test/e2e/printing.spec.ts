import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { openManaged, setUpShop } from './helpers.js';
import { closedPort, startFakePrinter, type FakePrinter } from '../unit/printing/fakePrinter.js';
import { parseEscpos } from '../unit/printing/escposParser.js';
import { writeReceiptArtifacts } from '../unit/printing/artifacts.js';



const printed = (job: Buffer) =>
  parseEscpos(job)
    .lines.map((l) => l.text)
    .join('\n');

test('a network printer: the test print arrives; pointed at a closed port it says why and the receipt waits in the queue; retried once the printer is back, it prints', async ({ app }) => {
  const { page } = app;
  const fakes: FakePrinter[] = [];
  try {
    const printer = await startFakePrinter();
    fakes.push(printer);

    // A sale to reprint later.
    await expect(page.getByTestId('link-state')).toContainText(/simulator/i);
    await page.getByTestId('sim-amount-input').fill('128.00');
    await page.getByTestId('sim-charge-button').click();
    await expect(page.getByTestId('counter-amount')).toHaveText(/128\.00/);
    const trace = (await page.getByTestId('counter-trace').innerText()).match(/\d{6}/g)?.pop();
    expect(trace).toMatch(/^\d{6}$/);

    // Printer settings need a manager; the owner is one.
    await openManaged(page, 'nav-printers');
    await expect(page.getByTestId('printers-manager-hint')).toBeVisible();
    await expect(page.getByTestId('printer-add')).toBeHidden();
    await setUpShop(page);
    await openManaged(page, 'nav-printers');
    await expect(page.getByTestId('printers-manager-hint')).toBeHidden();
    await expect(page.getByTestId('printer-row')).toHaveCount(1);
    await expect(page.getByTestId('printer-row')).toHaveAttribute('data-kind', 'pdf');

    // Add the network printer, 58 mm, as the receipt printer.
    await page.getByTestId('printer-add').click();
    await page.getByTestId('printer-kind').selectOption('escpos-tcp');
    await page.getByTestId('printer-name').fill('前台打印机');
    await page.getByTestId('printer-host').fill('127.0.0.1');
    await page.getByTestId('printer-port').fill(String(printer.port));
    await page.getByTestId('printer-paper').selectOption('58');
    await page.getByTestId('printer-default').check();
    await page.getByTestId('printer-save').click();
    const row = page.locator('[data-testid="printer-row"][data-kind="escpos-tcp"]');
    await expect(row).toHaveCount(1);
    await expect(row).toHaveAttribute('data-default', 'true');
    await expect(row).toContainText(`127.0.0.1:${printer.port}`);

    // Test print: success on screen, and the fake printer got the test page (GB18030 Chinese).
    await row.getByTestId('printer-test').click();
    await expect(row.getByTestId('printer-test-result')).toHaveAttribute('data-ok', 'true');
    await expect(row.getByTestId('printer-test-result')).toContainText('Test page printed');
    const [testPage] = await printer.waitForJobs(1);
    expect(printed(testPage!)).toContain('打印测试 PRINTER TEST');
    expect(printed(testPage!)).toContain('12345678901234567890123456789012');
    await page.screenshot({ path: 'test-results/receipts/printers-screen-en.png' });

    // The printer "goes off": point it at a port nobody listens on.
    const deadPort = await closedPort();
    await row.getByTestId('printer-edit').click();
    await page.getByTestId('printer-port').fill(String(deadPort));
    await page.getByTestId('printer-save').click();
    await expect(row).toContainText(`127.0.0.1:${deadPort}`);
    await row.getByTestId('printer-test').click();
    const result = row.getByTestId('printer-test-result');
    await expect(result).toHaveAttribute('data-ok', 'false');
    await expect(result).toHaveAttribute('data-code', 'print.refused');
    await expect(result).toContainText(`The printer 127.0.0.1:${deadPort} refused the connection`);

    // A receipt printed now (a sale reprint) cannot print: clear error, and it waits in the queue.
    const chargeValue = await page.locator(`[data-testid="receipt-reprint-charge"] option[data-trace="${trace}"]`).getAttribute('value');
    await page.getByTestId('receipt-reprint-charge').selectOption(chargeValue!);
    await page.getByTestId('receipt-reprint-copy').selectOption('customer');
    await page.getByTestId('receipt-reprint').click();
    await expect(page.getByTestId('receipt-reprint-result')).toHaveAttribute('data-state', 'failed');
    await expect(page.getByTestId('receipt-reprint-result')).toContainText('refused the connection');
    const job = page.getByTestId('print-job-row').first();
    await expect(job).toHaveAttribute('data-state', 'failed');
    await expect(job).toHaveAttribute('data-kind', 'SALE');
    await expect(job.getByTestId('print-job-error')).toHaveAttribute('data-code', 'print.refused');
    await expect(job).toContainText('Tries: 1');

    // In Chinese the same error reads in Chinese.
    await page.getByTestId('locale-switch').selectOption('zh-CN');
    await expect(job.getByTestId('print-job-error')).toContainText('拒绝连接');
    await expect(job.getByTestId('print-job-state')).toHaveText('未打印');

    // The printer is back (on that port): retry from the queue.
    const back = await startFakePrinter({ port: deadPort });
    fakes.push(back);
    await job.getByTestId('print-job-retry').click();
    await expect(job).toHaveAttribute('data-state', 'printed');
    await expect(job.getByTestId('print-job-retry')).toBeHidden();
    const [receipt] = await back.waitForJobs(1);
    const text = printed(receipt!);
    expect(text).toContain('*** 重打印 REPRINT ***');
    expect(text).toContain('顾客联 CUSTOMER COPY');
    expect(text).toContain(trace!);
    expect(text).toContain('CNY 128.00');
    // Exactly one receipt arrived: the retry printed it once.
    await page.waitForTimeout(300);
    expect(back.jobs).toHaveLength(1);
    await page.screenshot({ path: 'test-results/receipts/printers-screen-zh-CN.png', fullPage: true });
  } finally {
    for (const f of fakes) await f.close();
  }
});

// Playwright empties test-results/ when it starts: write the receipt pictures again after it did.
test.afterAll(async () => {
  await writeReceiptArtifacts();
});
