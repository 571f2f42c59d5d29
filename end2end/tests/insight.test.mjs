// The management dashboard (issue #8), end to end in a real Chromium against the
// real server binary: supervisor S00002 signs in to the console, follows the
// "Customer insight" link, filters by branch B001 with the plain GET form, drills
// down from the customer count to the list behind it (as many rows as the number
// said, up to a page), and downloads the list as CSV (the first line is the header
// in the reader's language, after a byte-order mark). Every page is checked with
// axe, photographed at 390 px and 1280 px, and must fit 320 px.
//
// The steps run in order and share the signed-in page; a failed step makes the
// later ones fail fast.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../support/server.mjs';
import { launchBrowser, pageErrors } from '../support/browser.mjs';
import { loadLocale } from '../support/locale.mjs';
import { address, checkBothWidths, need, open, staffPage, text } from '../support/journey.mjs';

const STEP_TIMEOUT = { timeout: 120_000 };
const ZH = loadLocale('zh-CN');
const FITS_320 = { fits320: true };

let server;
let browser;
let url;
const at = (p) => address(url, p);
const state = { page: null, customers: null, listed: false };

before(async () => {
  server = await startServer();
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('management dashboard: filter, drill down, export', () => {
  test('1. supervisor S00002 opens the dashboard from the console', STEP_TIMEOUT, async () => {
    const page = await staffPage(browser, at, 's00002');
    await open(page, at('/staff/home'));
    await page.getByRole('link', { name: ZH.dash_console_link, exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/staff/insight');
    await page.getByRole('heading', { level: 1, name: ZH.dash_title }).waitFor();
    await page.locator('#dash-table-now').waitFor();
    state.page = page;
    await checkBothWidths(page, 'insight-dashboard', FITS_320);
  });

  test('2. filtering by a branch narrows the figures', STEP_TIMEOUT, async () => {
    need(state.page, 'the dashboard');
    const { page } = state;
    const allCustomers = Number(await text(page.locator('#dash-table-now tbody tr').first().locator('td a')));
    await page.locator('#dash-branch').selectOption('B001');
    await page.getByRole('button', { name: ZH.dash_filter_submit, exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/staff/insight' && u.searchParams.get('branch') === 'B001');
    await page.locator('#dash-table-now').waitFor();
    const link = page.locator('#dash-table-now tbody tr').first().locator('td a');
    state.customers = Number(await text(link));
    assert.ok(state.customers > 0 && state.customers < allCustomers, `B001 has ${state.customers} of ${allCustomers}`);
    assert.equal(await page.locator('#dash-branch').inputValue(), 'B001', 'the form keeps the branch');
    assert.ok((await page.locator('svg.chart-svg').count()) >= 2, 'the charts are drawn');
  });

  test('3. the customer count opens the list behind it', STEP_TIMEOUT, async () => {
    need(state.customers, 'the filtered dashboard');
    const { page } = state;
    await page.locator('#dash-table-now tbody tr').first().locator('td a').click();
    await page.waitForURL((u) => u.pathname === '/staff/insight/customers');
    await page.locator('#dash-customers').waitFor();
    const total = Number(await page.locator('[data-total]').getAttribute('data-total'));
    assert.equal(total, state.customers, 'the list is as long as the number clicked');
    const rows = await page.locator('#dash-customers tbody tr').count();
    assert.equal(rows, Math.min(total, 50), 'a page of rows');
    const phone = await text(page.locator('#dash-customers tbody tr').first().locator('td').nth(1));
    assert.match(phone, /\*{4}/, 'the phone is masked');
    const href = await page.locator('#dash-customers tbody tr th a').first().getAttribute('href');
    assert.match(href, /^\/staff\/customers\/C\d+$/, 'each customer links to the 360');
    await checkBothWidths(page, 'insight-customers', FITS_320);
    state.listed = true;
  });

  test('4. the list downloads as CSV with a header row', STEP_TIMEOUT, async () => {
    need(state.listed, 'the customer list');
    const { page } = state;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: ZH.dash_export_list, exact: true }).click(),
    ]);
    const body = readFileSync(await download.path(), 'utf8');
    const [first, ...rest] = body.split('\r\n');
    assert.equal(first, `\u{feff}${ZH.dash_col_customer_no},${ZH.dash_col_name},${ZH.dash_col_phone},${ZH.dash_col_branch},${ZH.dash_col_item}`);
    assert.equal(rest.filter((l) => l.length > 0).length, state.customers, 'every customer of the count');
    assert.deepEqual(pageErrors(page), [], 'no script errors');
  });
});
