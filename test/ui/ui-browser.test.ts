import * as fs from 'node:fs';
import * as path from 'node:path';
// playwright-core drives Chromium (test/ui/helpers.ts launches it); naming it here puts this file in the integration tier.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import type { UiServer } from '../../src/ui/index.js';
import { startTestSim } from '../helpers/sim.js';
import {
  SAMPLES,
  findChromium,
  readCsv,
  saveDownload,
  startBrowserUi,
  startTestUi,
  type BrowserUi,
} from './helpers.js';

const CHROMIUM = findChromium('test/ui/ui-browser.test.ts');

describe.skipIf(!CHROMIUM)('coupa-csv ui in a real browser (chromium)', () => {
  let browser: BrowserUi;
  let sim: Simulator;
  let ui: UiServer;
  let page: Page;
  let work: string;
  /** Where the screenshots go (printed at the start). */
  let SHOTS: string;

  beforeAll(async () => {
    browser = await startBrowserUi(CHROMIUM as string, 'coupa-csv-ui-e2e-');
    ({ sim, ui, page, work, shots: SHOTS } = browser);
  });
  afterAll(async () => {
    await browser?.close();
  });

  const shot = (name: string): Promise<void> => browser.shot(name);

  const download = (name: string): Promise<string> =>
    saveDownload(page, page.getByRole('link', { name }), { dir: work });

  it('opens with the token, then drops it from the address (cookie) and shows the instance host', async () => {
    expect(page.url()).toBe(`${ui.origin}/`);
    await expect
      .poll(() => page.locator('#instance').textContent())
      .toBe(`Coupa instance: ${new URL(sim.url).host}`);
  });

  it('imports the sample spreadsheet through every step; the results file matches Coupa row by row', async () => {
    await page.getByLabel('Spreadsheet').setInputFiles(path.join(SAMPLES, 'vendors.csv'));
    const facts = page.locator('dl.facts');
    await expect.poll(() => facts.textContent()).toContain('Rows20');
    expect(await facts.textContent()).toContain('DelimiterComma (,)'.replace('C', 'c'));
    expect(await page.getByRole('region', { name: 'First rows of vendors.csv' }).textContent()).toContain(
      'Northwind Traders',
    );
    await shot('1-spreadsheet');

    await page.getByLabel('Mapping file').setInputFiles(path.join(SAMPLES, 'vendors.mapping.yaml'));
    await expect.poll(() => page.getByText('Loaded vendors.mapping.yaml.').count()).toBe(1);
    expect(await page.getByLabel('Custom object id').first().inputValue()).toBe('101');
    expect(await page.getByLabel('Field for Credit Limit').inputValue()).toBe('credit-limit');
    expect(await page.getByLabel('Type of Credit Limit').inputValue()).toBe('decimal');
    expect(await page.getByLabel('Vendor Code is the key').isChecked()).toBe(true);
    expect(await page.getByRole('button', { name: 'Plan' }).isDisabled()).toBe(false);
    await page.getByLabel('Mapping file').scrollIntoViewIfNeeded();
    await shot('2-mapping');

    // The mapping downloads as the YAML the CLI reads.
    const yamlPath = await saveDownload(page, page.getByRole('button', { name: 'Download mapping' }), {
      file: path.join(work, 'downloaded.mapping.yaml'),
    });
    const { loadMapping } = await import('../../src/mapping/index.js');
    const reread = await loadMapping(yamlPath);
    expect(reread.object).toBe(101);
    expect(reread.key).toBe('vendor-code');
    expect(reread.fields.find((f) => f.column === 'Credit Limit')).toMatchObject({
      field: 'credit-limit',
      type: 'decimal',
    });

    await page.getByRole('button', { name: 'Validate' }).click();
    const check = page.getByRole('status');
    await expect.poll(() => check.textContent()).toContain('Validation finished');
    expect(await check.textContent()).toContain('valid 20');
    expect(await check.textContent()).toContain('invalid 0');
    expect(sim.records(101)).toHaveLength(0); // a validation sends nothing
    await shot('3-validate');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Import finished');
    expect(await status.textContent()).toContain('created 20');
    expect(await status.textContent()).toContain('failed 0');
    await shot('4-import');

    const results = readCsv(await download('Download results'));
    const records = sim.records(101);
    expect(results).toHaveLength(20);
    expect(records).toHaveLength(20);
    const input = readCsv(path.join(SAMPLES, 'vendors.csv'));
    results.forEach((row, i) => {
      expect(row._status).toBe('created');
      if (i > 0) expect(Number(row._line)).toBeGreaterThan(Number(results[i - 1]?._line)); // input order
      expect(row['Vendor Code']).toBe(input[i]?.['Vendor Code']);
      const record = records.find((r) => String(r.id) === row._id) as {
        'custom-fields': Record<string, unknown>;
      };
      expect(record, `row ${i + 2}`).toBeDefined();
      expect(record['custom-fields']['vendor-code']).toBe(row['Vendor Code']);
      expect(record['custom-fields']['vendor-name']).toBe(row['Vendor Name']);
    });
  });

  it('suggests the real fields of the object from Coupa; unmatched columns are marked; an empty object says where names are', async () => {
    const file = path.join(work, 'vendor-list.csv');
    fs.writeFileSync(
      file,
      'VENDOR_CODE;Name Vendor;Crédit Limit;Owner Login;Supplier Number;Payment Terms (days);Favourite Colour\r\n' +
        'Q-1;Quartz AG;1.250,50;jdoe;S-1001;30;blue\r\nQ-2;Quill GmbH;900,00;asmith;S-1002;45;red\r\n',
    );
    await page.getByLabel('Spreadsheet').setInputFiles(file);
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain('Filevendor-list.csv');
    expect(await page.locator('dl.facts').textContent()).toContain('Rows2Columns7');
    // Without suggestions, the field names are only guessed from the column names.
    await expect.poll(() => page.getByLabel('Field for Favourite Colour').count()).toBe(1);
    expect(await page.getByLabel('Field for Owner Login').inputValue()).toBe('owner-login');
    const step2 = page.locator('section[aria-labelledby="h-map"]');
    await step2.getByLabel('Custom object id').fill('101');
    await page.getByRole('button', { name: 'Suggest fields from Coupa' }).click();
    await expect.poll(() => page.getByText('6 of 7 columns matched').count()).toBe(1);
    expect(await page.getByLabel('Field for VENDOR_CODE').inputValue()).toBe('vendor-code');
    expect(await page.getByLabel('Field for Name Vendor').inputValue()).toBe('vendor-name');
    expect(await page.getByLabel('Field for Crédit Limit').inputValue()).toBe('credit-limit');
    expect(await page.getByLabel('Type of Crédit Limit').inputValue()).toBe('decimal');
    expect(await page.getByLabel('Decimal separator of Crédit Limit').inputValue()).toBe(',');
    expect(await page.getByLabel('Field for Owner Login').inputValue()).toBe('owner');
    expect(await page.getByLabel('Type of Owner Login').inputValue()).toBe('user');
    expect(await page.getByLabel('Identified by of Owner Login').inputValue()).toBe('login');
    expect(await page.getByLabel('Type of Supplier Number').inputValue()).toBe('supplier');
    expect(await page.getByLabel('Identified by of Supplier Number').inputValue()).toBe('number');
    expect(await page.getByLabel('Field for Payment Terms (days)').inputValue()).toBe('payment-terms');
    expect(await page.getByLabel('Type of Payment Terms (days)').inputValue()).toBe('integer');
    expect(await page.getByLabel('Field for Favourite Colour').inputValue()).toBe('');
    const row = (column: string) =>
      page.locator('table.mapping tr', { has: page.getByRole('rowheader', { name: column, exact: true }) });
    expect(await row('Favourite Colour').locator('td.match').textContent()).toBe('No field in Coupa matches');
    expect(await row('Owner Login').locator('td.match').textContent()).toContain('Close name: check it');
    expect(await row('VENDOR_CODE').locator('td.match').textContent()).toContain('Same name in Coupa');
    expect(await page.locator('.unmatched').textContent()).toContain(
      'No field in Coupa for: Favourite Colour.',
    );
    await page.getByRole('button', { name: 'Suggest fields from Coupa' }).scrollIntoViewIfNeeded();
    await shot('2b-suggested-fields');
    // docs/ui-mapping.png (README's picture of the mapping step) is this screenshot.
    fs.copyFileSync(path.join(SHOTS, '2b-suggested-fields.png'), path.join(SHOTS, 'ui-mapping.png'));
    // The mapping downloads with the suggested fields, as the CLI reads it.
    const yamlPath = await saveDownload(page, page.getByRole('button', { name: 'Download mapping' }), {
      file: path.join(work, 'suggested.mapping.yaml'),
    });
    const { loadMapping } = await import('../../src/mapping/index.js');
    const reread = await loadMapping(yamlPath);
    expect(reread.fields.find((f) => f.column === 'Owner Login')).toMatchObject({
      field: 'owner',
      type: 'user',
      by: 'login',
    });
    expect(reread.fields.some((f) => f.column === 'Favourite Colour')).toBe(false);

    // Object 102 has no records yet: nothing to learn names from, and the page says where they are.
    expect(sim.records(102)).toHaveLength(0);
    await step2.getByLabel('Custom object id').fill('102');
    await page.getByRole('button', { name: 'Suggest fields from Coupa' }).click();
    await expect.poll(() => page.getByText('Object 102 has no records yet in Coupa.').count()).toBe(1);
    expect(await page.locator('#import .note').textContent()).toContain('Setup > Custom Objects');
  });

  it('a failed row is shown in finance words, fixed in the file, and finished with a resume', async () => {
    const original = fs.readFileSync(path.join(SAMPLES, 'vendors.csv'), 'utf8').replaceAll('V-1', 'W-1');
    const lines = original.split('\n');
    // Line 5 (the 4th data row): its Credit Limit becomes text.
    const cells = (lines[4] as string).split(',');
    expect(cells[5]).toBe('120000.00');
    lines[4] = [...cells.slice(0, 5), 'abc', ...cells.slice(6)].join(',');
    const bad = path.join(work, 'vendors-march.csv');
    fs.writeFileSync(bad, lines.join('\n'));
    const fixed = path.join(work, 'vendors-march-fixed.csv');
    fs.writeFileSync(fixed, original);

    await page.getByLabel('Spreadsheet').setInputFiles(bad);
    // Same header as before: the mapping made for it is offered again.
    await expect.poll(() => page.getByText('were mapped on this computer before').count()).toBe(1);
    expect(await page.getByLabel('Field for Credit Limit').inputValue()).toBe('credit-limit');

    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('invalid 1');
    const grid = page.getByRole('region', { name: 'Rows with errors' });
    await expect.poll(() => grid.textContent()).toContain('row 5: Credit Limit `abc` is not a number');
    expect(await grid.getByRole('cell', { name: 'abc', exact: true }).getAttribute('class')).toBe('bad');
    await page.getByLabel('Only rows with errors').uncheck();
    await expect
      .poll(() => page.getByRole('region', { name: 'All rows' }).locator('tbody tr').count())
      .toBe(20);
    await shot('5-validate-errors');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Import finished');
    expect(await status.textContent()).toContain('created 19');
    expect(await status.textContent()).toContain('failed 1');
    await shot('6-import-failed');

    await page.getByLabel('Corrected file (optional)').setInputFiles(fixed);
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/Import finished.*created 1.*failed 0.*already done 19/);
    await shot('7-resumed');

    const results = readCsv(await download('Download results'));
    expect(results).toHaveLength(20);
    expect(results.every((r) => r._status === 'created')).toBe(true);
    const w = sim
      .records(101)
      .filter((r) =>
        String(
          (r as { 'custom-fields': Record<string, unknown> })['custom-fields']['vendor-code'],
        ).startsWith('W-'),
      );
    expect(w).toHaveLength(20); // none sent twice
    const row5 = results.find((r) => r._line === '5');
    expect(row5?.['Credit Limit']).toBe('120000.00');
  });

  it('a bad cell is corrected in place: the copy is written beside the original in its dialect, validates clean and imports', async () => {
    const original = fs.readFileSync(path.join(SAMPLES, 'vendors.csv'), 'utf8').replaceAll('V-1', 'C-1');
    const lines = original.trimEnd().split('\n');
    const cells = (lines[4] as string).split(',');
    lines[4] = [...cells.slice(0, 5), 'abc', ...cells.slice(6)].join(',');
    // A BOM and CRLF line endings, as Excel writes them: the corrected copy keeps both.
    const badText = `${lines.join('\r\n')}\r\n`;
    const bad = path.join(work, 'vendors-april.csv');
    fs.writeFileSync(bad, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(badText)]));

    await page.getByLabel('Spreadsheet').setInputFiles(bad);
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain('UTF-8 with BOM');
    await page.getByLabel('Mapping file').setInputFiles(path.join(SAMPLES, 'vendors.mapping.yaml'));
    await expect.poll(() => page.getByText('Loaded vendors.mapping.yaml.').count()).toBe(1);
    await page.getByRole('button', { name: 'Validate' }).click();
    const status = page.getByRole('status');
    await expect.poll(() => status.textContent()).toContain('invalid 1');
    const cell = page.getByLabel('Row 5 Credit Limit');
    expect(await cell.inputValue()).toBe('abc');
    expect(await page.getByRole('button', { name: 'Save corrected copy' }).isDisabled()).toBe(true);
    await cell.fill('120000.00');
    await shot('5b-correct-cell');
    await page.getByRole('button', { name: 'Save corrected copy' }).click();
    await expect
      .poll(() => page.getByText('Saved vendors-april.corrected.csv beside vendors-april.csv').count())
      .toBe(1);
    expect(await page.locator('dl.facts').textContent()).toContain('Filevendors-april.corrected.csv');

    // On the server: the original untouched, the copy beside it, differing only in the corrected cell.
    const dirs = fs
      .readdirSync(path.join(ui.workDir, 'uploads'))
      .map((d) => path.join(ui.workDir, 'uploads', d));
    const folder = dirs.find((d) => fs.existsSync(path.join(d, 'vendors-april.corrected.csv'))) as string;
    expect(folder).toBeDefined();
    expect(fs.readFileSync(path.join(folder, 'vendors-april.csv'))).toEqual(fs.readFileSync(bad));
    const copy = fs.readFileSync(path.join(folder, 'vendors-april.corrected.csv'));
    expect(copy.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(copy.subarray(3).toString('utf8')).toBe(badText.replace(',abc,', ',120000.00,'));

    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => status.textContent()).toMatch(/Validation finished.*valid 20.*invalid 0/);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Import finished');
    expect(await status.textContent()).toContain('created 20');
    expect(await status.textContent()).toContain('failed 0');
    const resultsFile = await download('Download results');
    expect(path.basename(resultsFile)).toBe('vendors-april.corrected.results.csv');
    const results = readCsv(resultsFile);
    expect(results.map((r) => r._status)).toEqual(Array(20).fill('created'));
    const row5 = results.find((r) => r._line === '5');
    expect(row5?.['Credit Limit']).toBe('120000.00');
    const record = sim.records(101).find((r) => String(r.id) === row5?._id) as {
      'custom-fields': Record<string, unknown>;
    };
    expect(record['custom-fields']['vendor-code']).toBe('C-1004');
    expect(Number(record['custom-fields']['credit-limit'])).toBe(120000);
  });

  it('exports with a filter; the file holds exactly the matching records', async () => {
    await page.getByRole('button', { name: 'Get records from Coupa' }).click();
    await page.locator('#export').getByLabel('Custom object id').fill('101');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByLabel('Filter 1 field').fill('vendor-code');
    await page.getByLabel('Filter 1 operator').selectOption('starts_with');
    await page.getByLabel('Filter 1 value').fill('W-');
    await page.getByLabel('File format').selectOption('csv');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const status = page.locator('#export-status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Export finished');
    expect(await status.textContent()).toContain('records 20');
    await shot('8-export');
    const rows = readCsv(await download('Download export'));
    const expected = sim
      .records(101)
      .filter((r) =>
        String(
          (r as { 'custom-fields': Record<string, unknown> })['custom-fields']['vendor-code'],
        ).startsWith('W-'),
      )
      .map((r) => String(r.id));
    expect(rows.map((r) => r.id).sort()).toEqual(expected.sort());
    expect(rows.every((r) => (r['vendor-code'] ?? '').startsWith('W-'))).toBe(true);
  });

  it('exports as an Excel workbook (.xlsx) and as CSV for Excel; the files hold the records', async () => {
    // The export view is still shown, with the filter of the previous test (vendor-code starts with W-).
    await page.getByLabel('File format').selectOption('xlsx');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const status = page.locator('#export-status');
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Export finished');
    expect(await status.textContent()).toContain('object-101-export.xlsx');
    await shot('8b-export-xlsx');
    const file = await download('Download export');
    expect(path.basename(file)).toBe('object-101-export.xlsx');
    const ExcelJS = (await import('exceljs')).default;
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0];
    expect(sheet).toBeDefined();
    const header = (sheet?.getRow(1).values as unknown[]).slice(1).map(String);
    const col = (name: string): number => header.indexOf(name) + 1;
    expect(col('vendor-code')).toBeGreaterThan(0);
    const expected = sim
      .records(101)
      .map((r) => (r as { 'custom-fields': Record<string, unknown> })['custom-fields'])
      .filter((f) => String(f['vendor-code']).startsWith('W-'));
    expect((sheet?.rowCount ?? 0) - 1).toBe(expected.length);
    const codes: string[] = [];
    for (let r = 2; r <= (sheet?.rowCount ?? 0); r++) {
      const row = sheet?.getRow(r);
      const code = row?.getCell(col('vendor-code')).text ?? '';
      codes.push(code);
      const limit = row?.getCell(col('credit-limit')).value;
      const want = expected.find((f) => f['vendor-code'] === code)?.['credit-limit'];
      expect(typeof limit, `credit-limit of ${code} is a number cell`).toBe('number');
      expect(limit).toBe(Number(want));
    }
    expect(codes.sort()).toEqual(expected.map((f) => String(f['vendor-code'])).sort());

    await page.getByLabel('File format').selectOption('excel');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('object-101-export.csv');
    const csv = fs.readFileSync(await download('Download export'));
    expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // a BOM, for Excel
    expect(csv.toString('utf8')).toContain('\r\n'); // CRLF
    expect(readCsv(path.join(work, 'object-101-export.csv'))).toHaveLength(expected.length);
  });

  it('Stop works as Ctrl-C: rows not sent are kept for a resume, which finishes without sending any row twice', async () => {
    const slowSim = await startTestSim({ latencyMs: 100 });
    const slowUi = await startTestUi(slowSim, path.join(work, 'config'));
    try {
      const header = fs.readFileSync(path.join(SAMPLES, 'vendors.csv'), 'utf8').split('\n')[0] as string;
      const rows = Array.from(
        { length: 300 },
        (_, i) => `X-${1000 + i},Vendor ${i},T${i},2026-01-05,,${i}.50,30,yes,jdoe,S-1001,`,
      );
      const file = path.join(work, 'vendors-bulk.csv');
      fs.writeFileSync(file, `${header}\n${rows.join('\n')}\n`);
      await page.goto(slowUi.url);
      await page.getByLabel('Spreadsheet').setInputFiles(file);
      await expect.poll(() => page.locator('dl.facts').textContent()).toContain('Rows300');
      await page.getByLabel('Mapping file').setInputFiles(path.join(SAMPLES, 'vendors.mapping.yaml'));
      await expect.poll(() => page.getByText('Loaded vendors.mapping.yaml.').count()).toBe(1);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const status = page.getByRole('status');
      await expect.poll(() => status.textContent()).toMatch(/created [1-9]/);
      await page.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('Import stopped');
      const stoppedAt = slowSim.records(101).length;
      expect(stoppedAt).toBeGreaterThan(0);
      expect(stoppedAt).toBeLessThan(300);
      expect(await status.textContent()).toContain(`created ${stoppedAt}`);
      expect(await status.textContent()).toContain(`failed ${300 - stoppedAt}`);
      expect(await status.textContent()).toContain(`of them not sent ${300 - stoppedAt}`);
      await expect
        .poll(() => page.getByRole('region', { name: 'Rows with errors' }).textContent())
        .toMatch(/row \d+: not sent: the import was stopped: press Resume to send it/);
      await shot('9-stopped');
      await page.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => status.textContent(), { timeout: 60_000 }).toContain('Import finished');
      expect(await status.textContent()).toContain(`created ${300 - stoppedAt}`);
      expect(await status.textContent()).toContain('failed 0');
      const results = readCsv(await download('Download results'));
      expect(results.map((r) => r._status)).toEqual(Array(300).fill('created'));
      const codes = slowSim
        .records(101)
        .map((r) =>
          String((r as { 'custom-fields': Record<string, unknown> })['custom-fields']['vendor-code']),
        );
      expect(codes).toHaveLength(300);
      expect(new Set(codes).size).toBe(300);
    } finally {
      await page.goto(ui.url);
      await slowUi.close();
      await slowSim.close();
    }
  });

  it('works from the keyboard: Tab goes through the import steps in order, focus is visible, Enter validates', async () => {
    await page.goto(ui.url);
    await page.getByLabel('Spreadsheet').setInputFiles(path.join(SAMPLES, 'vendors.csv'));
    await expect.poll(() => page.locator('dl.facts').textContent()).toContain('Filevendors.csv');
    await page.getByLabel('Mapping file').setInputFiles(path.join(SAMPLES, 'vendors.mapping.yaml'));
    await expect.poll(() => page.getByText('Loaded vendors.mapping.yaml.').count()).toBe(1);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    // (Browser code as text: the tests are compiled without the DOM's types.)
    await page.evaluate('document.activeElement && document.activeElement.blur()');
    const seen: string[] = [];
    for (let i = 0; i < 120 && !seen.includes('Import'); i++) {
      await page.keyboard.press('Tab');
      seen.push(
        await page.evaluate<string>(
          `(() => { const el = document.activeElement; if (!el) return '';
            return el.getAttribute('aria-label') ?? el.labels?.[0]?.textContent?.trim() ?? el.textContent?.trim() ?? el.tagName; })()`,
        ),
      );
    }
    const order = [
      'Load into Coupa',
      'Spreadsheet',
      'Mapping file',
      'Custom object id',
      'What to do',
      'Instance time zone',
      'Suggest fields from Coupa',
      'Download mapping',
      'Field for Vendor Code',
      'Type of Vendor Code',
      'Vendor Code is the key',
      'Field for Notes',
      'Validate',
      'Plan',
      'Import',
    ];
    const positions = order.map((name) => seen.indexOf(name));
    expect(
      positions.every((p) => p >= 0),
      `reached by Tab: ${seen.join(' | ')}`,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions); // in reading order
    expect(seen).not.toContain('Stop');
    // Back to Validate (Shift+Tab twice: Plan is between) and press Enter: focus is drawn, the keyboard runs the step.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    const focused = await page.evaluate<{ text: string; outline: string; width: string }>(
      `(() => { const el = document.activeElement; const style = getComputedStyle(el);
        return { text: el.textContent, outline: style.outlineStyle, width: style.outlineWidth }; })()`,
    );
    expect(focused.text).toBe('Validate');
    expect(focused.outline).toBe('solid');
    expect(focused.width).toBe('3px');
    await page.getByRole('button', { name: 'Validate' }).scrollIntoViewIfNeeded();
    await browser.shot('10-keyboard-focus', false);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Validation finished');
    expect(await page.getByRole('status').textContent()).toContain('valid 20');
  });
});
