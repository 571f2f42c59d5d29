// Explained recommendations, end to end in a real Chromium against the real server
// binary: demo1 signs in and sees "Suggested for you" on the overview, opens "Why am
// I seeing this?" (a <details>, no script needed) and reads the reason with its
// facts, says "Not interested", and the suggestion is gone, also after a reload.
// The overview is checked with axe with and without the WASM, fits 320 px, and is
// photographed at 390 and 1280 px; so are the security page's marketing switch and
// relationship manager S00003's workspace (/staff/my-customers).
//
// The server runs on the real clock with a fresh database (demo1's three-month time
// deposit matures within the month: the "maturing deposit" rule always applies).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launchBrowser, newContext, pageErrors } from '../support/browser.mjs';
import { checkA11yWithoutJs } from '../support/a11y-static.mjs';
import { loadLocale } from '../support/locale.mjs';
import { PHONE, address, checkBothWidths, logIn, need, noAlert, open, staffPage, text } from '../support/journey.mjs';

const STEP_TIMEOUT = { timeout: 180_000 };
const ZH = loadLocale('zh-CN');

let server;
let browser;
let url;
const at = (p) => address(url, p);
const state = { page: null, dismissed: null };

before(async () => {
  server = await startServer();
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('recommendations: suggested for you, why, not interested, the RM workspace', () => {
  test('1. demo1 sees a suggestion and why', STEP_TIMEOUT, async () => {
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    await logIn(page, at, 'demo1');
    await open(page, at('/accounts'));
    const section = page.locator('section#suggestions');
    await section.waitFor();
    assert.equal(await text(section.locator('h2')), ZH.rec_title);
    const cards = section.locator('li.suggestion');
    assert.ok((await cards.count()) >= 1, 'at least one suggestion');
    const card = section.locator('li.suggestion[data-rule="maturing_deposit"]');
    assert.equal(await card.count(), 1, 'the maturing deposit is suggested');
    const why = card.locator('details.suggestion-why');
    assert.equal(await text(why.locator('summary')), ZH.rec_why);
    assert.equal(await why.locator('p').isVisible(), false, 'closed at first');
    await why.locator('summary').click();
    const reason = await text(why.locator('p'));
    assert.match(reason, /¥[\d,]+\.\d{2}/, `the amount in "${reason}"`);
    assert.match(reason, /\d{4}-\d{2}-\d{2}/, `the maturity day in "${reason}"`);
    await noAlert(page, 'overview');
    await checkBothWidths(page, 'recommendations-overview', { fits320: true });
    await checkA11yWithoutJs(browser, page, 'recommendations-overview without JS');
    state.page = page;
    state.dismissed = await card.getAttribute('data-product');
  });

  test('2. "Not interested" removes it, also after a reload', STEP_TIMEOUT, async () => {
    need(state.page, 'step 1');
    const page = state.page;
    const selector = `li.suggestion[data-rule="maturing_deposit"][data-product="${state.dismissed}"]`;
    await page.locator(selector).getByRole('button', { name: ZH.rec_not_interested, exact: true }).click();
    await page.locator(selector).waitFor({ state: 'detached' });
    await open(page, at('/accounts'));
    await page.locator('section.totals').waitFor();
    assert.equal(await page.locator(selector).count(), 0, 'gone after the reload');
    await noAlert(page, 'overview after dismissal');
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
  });

  test('3. the marketing switch on the security page', STEP_TIMEOUT, async () => {
    need(state.page, 'step 1');
    const page = state.page;
    await open(page, at('/security'));
    const panel = page.locator('section#marketing');
    await panel.waitFor();
    assert.equal(await text(panel.locator('h2')), ZH.rec_marketing_title);
    assert.equal(await panel.locator('[data-marketing="true"]').count(), 1, 'on by default');
    await checkBothWidths(page, 'recommendations-security');
  });

  test('4. S00003 sees their customers and leads', STEP_TIMEOUT, async () => {
    const page = await staffPage(browser, at, 's00003');
    await open(page, at('/staff/home'));
    await page.locator('a[href="/staff/my-customers"]').first().waitFor();
    await open(page, at('/staff/my-customers'));
    assert.equal(await text(page.locator('h1')), ZH.rm_title);
    const demo1 = page.locator('#rm-customers tr[data-customer="C00000001"]');
    assert.equal(await demo1.count(), 1, 'demo1 is S00003\'s customer');
    await noAlert(page, 'workspace');
    await checkBothWidths(page, 'rm-workspace', { fits320: true });
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
  });
});
