/**
 * The page's Plan (read-only: would create, would update, unchanged, nothing written) and its `.xlsx` input (sheet
 * and header row choice, the workbook of results), in Chromium through playwright-core against the simulator.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
// playwright-core drives Chromium (test/ui/helpers.ts launches it); naming it here puts this file in the integration tier.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import type { UiServer } from '../../src/ui/index.js';
import { SAMPLES, findChromium, readCsv, saveDownload, startBrowserUi, type BrowserUi } from './helpers.js';

const CHROMIUM = findChromium('test/ui/ui-plan-xlsx.test.ts');

/** Requests that could change a record: every write method, the token requests (POST /oauth2/token) excepted. */
function writesOf(sim: Simulator): number {
  const s = sim.stats();
  const m = s.byMethod;
  return (m.POST ?? 0) - s.tokensIssued + (m.PUT ?? 0) + (m.PATCH ?? 0) + (m.DELETE ?? 0);
}

describe.skipIf(!CHROMIUM)('coupa-csv ui: Plan and .xlsx input (chromium)', () => {
  let browser: BrowserUi;
  let sim: Simulator;
  let ui: UiServer;
  let page: Page;
  let work: string;

  beforeAll(async () => {
    browser = await startBrowserUi(CHROMIUM as string, 'coupa-csv-ui-plan-');
    ({ sim, ui, page, work } = browser);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const download = (name: string): Promise<string> =>
    saveDownload(page, page.getByRole('link', { name, exact: true }), { dir: work });

  const chooseVendors = async (file: string): Promise<void> => {
    await page.goto(ui.url);
    await page.getByLabel('Spreadsheet').setInputFiles(file);
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain(`File${path.basename(file)}`);
    await page.getByLabel('Mapping file').setInputFiles(path.join(SAMPLES, 'vendors.mapping.yaml'));
    await expect.poll(() => page.getByText('Loaded vendors.mapping.yaml.').count()).toBe(1);
    await page.getByRole('combobox', { name: 'What to do' }).selectOption('upsert');
  };

  it('Plan after an import with one edited row: would update 1 with its change, unchanged 19, nothing written', async () => {
    await chooseVendors(path.join(SAMPLES, 'vendors.csv'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Import finished');
    expect(await status.textContent()).toContain('created 20');

    // The same file with one cell changed (row 3, Vendor Name).
    const lines = fs.readFileSync(path.join(SAMPLES, 'vendors.csv'), 'utf8').split('\n');
    expect(lines[2]).toContain(',Contoso Ltd,');
    lines[2] = (lines[2] as string).replace(',Contoso Ltd,', ',Contoso Limited,');
    const edited = path.join(work, 'vendors-edited.csv');
    fs.writeFileSync(edited, lines.join('\n'));
    await chooseVendors(edited);

    const before = { writes: writesOf(sim), records: JSON.stringify(sim.records(101)) };
    await page.getByRole('button', { name: 'Plan' }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Plan finished');
    const text = (await status.textContent()) ?? '';
    expect(text).toContain('would create 0');
    expect(text).toContain('would update 1');
    expect(text).toContain('unchanged 19');
    expect(text).toContain('failed 0');
    expect(writesOf(sim)).toBe(before.writes); // a plan writes nothing
    expect(JSON.stringify(sim.records(101))).toBe(before.records);

    // The grid shows the row that would change, with old -> new.
    const grid = page.getByRole('region', { name: 'Rows with errors or changes' });
    await expect.poll(() => grid.locator('tbody tr').count()).toBe(1);
    const row = (await grid.locator('tbody tr').textContent()) ?? '';
    expect(row).toContain('would-update');
    expect(row).toMatch(/vendor-name: .*Contoso Ltd.* -> .*Contoso Limited/);
    await page.getByRole('button', { name: 'Plan' }).scrollIntoViewIfNeeded();
    await browser.shot('11-plan');

    // The plan's results file: one line per row, would-update with its _changes.
    const results = readCsv(await download('Download results'));
    expect(results).toHaveLength(20);
    expect(results.filter((r) => r._status === 'unchanged')).toHaveLength(19);
    expect(results.find((r) => r._status === 'would-update')?.['Vendor Name']).toBe('Contoso Limited');

    // The import of the edited file then reports the unchanged rows too.
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Import finished');
    expect(await status.textContent()).toContain('updated 1');
    expect(await status.textContent()).toContain('unchanged 19');
    const contoso = sim
      .records(101)
      .find((r) => (r['custom-fields'] as Record<string, unknown>)['vendor-code'] === 'V-1002') as {
      'custom-fields': Record<string, unknown>;
    };
    expect(contoso['custom-fields']['vendor-name']).toBe('Contoso Limited');
  });

  it('samples/budget-allocations.xlsx validates and imports; the workbook of results and the CSV download', async () => {
    await page.goto(ui.url);
    await page.getByLabel('Spreadsheet').setInputFiles(path.join(SAMPLES, 'budget-allocations.xlsx'));
    const facts = page.locator('dl.facts');
    await expect.poll(() => facts.textContent()).toContain('SheetBudget allocations');
    expect(await page.getByLabel('Header row', { exact: true }).inputValue()).toBe('1');
    expect(await page.getByLabel('Sheet', { exact: true }).isVisible()).toBe(false); // one sheet: no choice to make
    await page
      .getByLabel('Mapping file')
      .setInputFiles(path.join(SAMPLES, 'budget-allocations.mapping.yaml'));
    await expect.poll(() => page.getByText('Loaded budget-allocations.mapping.yaml.').count()).toBe(1);

    const status = page.getByRole('status');
    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Validation finished');
    expect(await status.textContent()).toContain('invalid 0');
    expect(sim.records(102)).toHaveLength(0);

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Import finished');
    expect(await status.textContent()).toContain('failed 0');
    const records = sim.records(102);
    expect(records.length).toBeGreaterThan(0);
    expect(await status.textContent()).toContain(`created ${records.length}`);

    const xlsx = await download('Download results');
    expect(path.basename(xlsx)).toBe('budget-allocations.results.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 3)).toEqual(['_line', '_status', '_id']);
    expect(sheet.rowCount).toBe(records.length + 1);
    const ids = new Set(records.map((r) => String(r.id)));
    for (let i = 2; i <= sheet.rowCount; i++) {
      expect(sheet.getRow(i).getCell(2).value).toBe('created');
      const id = sheet.getRow(i).getCell(3).text; // the cell as shown (an id is text or a number)
      expect(ids.has(id)).toBe(true);
    }
    const amount = header.indexOf('Amount') + 1;
    expect(typeof sheet.getRow(2).getCell(amount).value).toBe('number'); // typed again from the sheet

    const csv = readCsv(await download('Download results (CSV)'));
    expect(csv).toHaveLength(records.length);
    expect(csv.every((r) => r._status === 'created' && ids.has(r._id ?? ''))).toBe(true);
  });

  it('a workbook with several sheets: the Sheet choice and the Header row are read again and used by Validate', async () => {
    const input = readCsv(path.join(SAMPLES, 'vendors.csv'));
    const columns = Object.keys(input[0] ?? {});
    const book = new ExcelJS.Workbook();
    book.addWorksheet('Read me').addRow(['This workbook holds the vendors on the next sheet.']);
    const data = book.addWorksheet('Vendors');
    data.addRow(['Vendors to load, December']); // a title line above the header
    data.addRow(columns);
    for (const r of input) data.addRow(columns.map((c) => r[c] ?? ''));
    const file = path.join(work, 'vendors-book.xlsx');
    await book.xlsx.writeFile(file);

    await page.goto(ui.url);
    await page.getByLabel('Spreadsheet').setInputFiles(file);
    const facts = page.locator('dl.facts');
    await expect.poll(() => facts.textContent()).toContain('SheetRead me');
    expect(await page.getByLabel('Sheet', { exact: true }).isVisible()).toBe(true);
    await page.getByLabel('Sheet', { exact: true }).selectOption('Vendors');
    await expect.poll(() => facts.textContent()).toContain('SheetVendors');
    await page.getByLabel('Header row', { exact: true }).fill('2');
    await page.getByLabel('Header row', { exact: true }).press('Enter');
    await page.getByLabel('Header row', { exact: true }).blur();
    await expect.poll(() => facts.textContent()).toContain('Header row2');
    expect(await facts.textContent()).toContain('Rows20');
    await page.getByLabel('Mapping file').setInputFiles(path.join(SAMPLES, 'vendors.mapping.yaml'));
    await expect.poll(() => page.getByText('Loaded vendors.mapping.yaml.').count()).toBe(1);
    await page.getByRole('button', { name: 'Validate' }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Validation finished');
    expect(await status.textContent()).toContain('valid 20');
    expect(await status.textContent()).toContain('invalid 0');
  });
});
