// "View as customer" (issue #7), end to end in a real Chromium against the real
// server binary: agent S00005 signs in to the console, finds demo1 (C00000001), opens
// the customer's 360 page and starts viewing as them with a reason, a ticket
// reference and a fresh authenticator code; every customer page then carries the
// banner (whom, minutes left, a stop button); a transfer is refused with the
// read-only message; the agent stops; demo1 signs in and sees the viewing in the
// security settings (who, why) and a notification. Every page is checked with axe,
// photographed at 390 px and 1280 px, and must fit 320 px without sideways scrolling.
//
// The steps run in order and share signed-in pages; a failed step makes the later
// ones fail fast.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launchBrowser, newContext, pageErrors, waitForHydration } from '../support/browser.mjs';
import { loadLocale } from '../support/locale.mjs';
import { DEMO_PASSWORD } from '../support/demo.mjs';
import { freshCode } from '../support/totp.mjs';
import { DESKTOP, PHONE, address, checkBothWidths, logIn, need, noAlert, open, text } from '../support/journey.mjs';

const STEP_TIMEOUT = { timeout: 120_000 };
const ZH = loadLocale('zh-CN');
const FITS_320 = { fits320: true };
const REASON = '客户来电：找不到定期存款的到期日';
const REFERENCE = 'CALL-1001';

let server;
let browser;
let url;
const at = (p) => address(url, p);
const state = { agent: null, secret: null, usedStep: null, customerName: null, viewing: false, stopped: false };

before(async () => {
  server = await startServer();
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Signs staff member `username` in through /staff (desktop), setting up the
 * authenticator; returns the page, the secret and the step its code used.
 */
async function staffSignIn(username) {
  const context = await newContext(browser, DESKTOP);
  const page = await context.newPage();
  await open(page, at('/staff'));
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: ZH.login_submit, exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/staff/setup');
  await waitForHydration(page);
  const panel = page.getByRole('region', { name: ZH.totp_title, exact: true });
  await panel.getByRole('button', { name: ZH.totp_start, exact: true }).click();
  const secret = (await panel.locator('code[data-testid="totp-secret"]').textContent()).trim();
  const { code, step } = await freshCode(secret);
  await panel.getByLabel(ZH.field_totp_code, { exact: true }).fill(code);
  await panel.getByRole('button', { name: ZH.totp_confirm, exact: true }).click();
  await panel.locator('ol.recovery-codes li').first().waitFor();
  return { page, secret, step };
}

/** The banner on the current page: names the customer, minutes left, a stop button. */
async function checkBanner(page, where) {
  const banner = page.locator('.impersonation-banner');
  await banner.first().waitFor();
  assert.equal(await banner.count(), 1, `one banner on ${where}`);
  const shown = await text(banner);
  assert.ok(shown.includes(state.customerName), `the banner on ${where} names ${state.customerName}: "${shown}"`);
  assert.ok(shown.includes(ZH.impersonation_banner_left), `the banner on ${where} shows the minutes left: "${shown}"`);
  assert.match(shown, /\d+/, `a number of minutes on ${where}`);
  await page.locator('form.impersonation-stop button').first().waitFor();
}

describe('view as customer: start with a reason, read only, stop, the customer is told', () => {
  test('1. agent S00005 finds demo1 and opens the 360 page', STEP_TIMEOUT, async () => {
    const { page, secret, step } = await staffSignIn('s00005');
    state.secret = secret;
    state.usedStep = step;
    await open(page, at('/staff/customers?q=C00000001'));
    await noAlert(page, 'the customer search');
    const link = page.locator('a[href="/staff/customers/C00000001"]').first();
    await link.waitFor();
    await checkBothWidths(page, 'impersonation-search', FITS_320);
    await link.click();
    await page.waitForURL((u) => u.pathname === '/staff/customers/C00000001');
    await waitForHydration(page);
    await noAlert(page, 'the 360 page');
    // The customer's name, as the start form's data has it.
    const form = await page.request.post(at('/api/impersonation_form'), { form: { customer_no: 'C00000001' } });
    assert.equal(form.status(), 200, 'impersonation_form answers');
    const data = await form.json();
    assert.equal(data.refusal, null, `demo1 can be viewed: ${JSON.stringify(data)}`);
    state.customerName = data.customer_name;
    assert.ok(state.customerName, 'a customer name');
    await page.locator('form:has([name="reason"])').first().waitFor();
    await checkBothWidths(page, 'impersonation-360', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
    state.agent = page;
  });

  test('2. the agent starts viewing as demo1 and sees the banner everywhere', STEP_TIMEOUT, async () => {
    need(state.agent, 'step 1');
    const page = state.agent;
    const form = page.locator('form:has([name="reason"])').first();
    await form.locator('[name="reason"]').fill(REASON);
    await form.locator('[name="reference"]').fill(REFERENCE);
    // A code of a later step than the set-up's: the portal takes each step once.
    const { code, step } = await freshCode(state.secret, state.usedStep);
    state.usedStep = step;
    await form.locator('[name="code"]').fill(code);
    await form.locator('button[type="submit"]').first().click();
    await page.waitForURL((u) => u.pathname === '/accounts', { timeout: 20_000 }).catch(async (err) => {
      const shown = await page.locator('p.error[role="alert"]').allTextContents();
      throw new Error(`not on /accounts; the page says ${JSON.stringify(shown)}`, { cause: err });
    });
    await waitForHydration(page);
    state.viewing = true;
    await checkBanner(page, '/accounts');
    await noAlert(page, 'the overview while viewing');
    await page.locator('li.product').first().waitFor();
    await checkBothWidths(page, 'impersonation-accounts', FITS_320);
    for (const path of ['/transfer', '/security']) {
      await open(page, at(path));
      await checkBanner(page, path);
      await noAlert(page, `${path} while viewing`);
      await checkBothWidths(page, `impersonation-${path.slice(1)}`, FITS_320);
    }
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
  });

  test('3. a transfer is refused: viewing is read only', STEP_TIMEOUT, async () => {
    need(state.viewing, 'step 2');
    const page = state.agent;
    await open(page, at('/transfer'));
    await page.locator('#xfer-from').waitFor();
    // From the first account to another of demo1's own.
    const from = await page.locator('#xfer-from option').first().getAttribute('value');
    await page.locator('#xfer-from').selectOption(from);
    const own = page.locator(`#xfer-to option[value^="own:"]:not([value="own:${from}"])`).first();
    await page.locator('#xfer-to').selectOption(await own.getAttribute('value'));
    await page.getByLabel(ZH.xfer_amount, { exact: true }).fill('1.00');
    await page.getByRole('button', { name: ZH.xfer_next, exact: true }).click();
    await page.getByText(ZH.error_impersonation_read_only).first().waitFor();
    await checkBanner(page, 'the refused transfer');
    await checkBothWidths(page, 'impersonation-transfer-refused', FITS_320);
    // The refused preview itself is logged by the browser as a failed load: expected.
    const refusedLoad = /status of 403 .*\/api\/transfer_preview/;
    assert.deepEqual(pageErrors(page).filter((e) => !refusedLoad.test(e)), [], 'errors in the page');
  });

  test('4. the agent stops viewing', STEP_TIMEOUT, async () => {
    need(state.viewing, 'step 2');
    const page = state.agent;
    await open(page, at('/accounts'));
    await checkBanner(page, '/accounts');
    await page.locator('form.impersonation-stop button').first().click();
    await page.waitForURL((u) => u.pathname !== '/accounts');
    await waitForHydration(page);
    assert.equal(await page.locator('.impersonation-banner').count(), 0, `no banner after stopping (${page.url()})`);
    await noAlert(page, 'after stopping');
    // The customer's pages are closed to the agent again.
    const overview = await page.request.post(at('/api/overview'), { form: {} });
    assert.equal(overview.status(), 403, 'the agent reads no customer data after stopping');
    state.stopped = true;
  });

  test('5. demo1 sees who viewed their account, and why, and was told', STEP_TIMEOUT, async () => {
    need(state.stopped, 'step 4');
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    await logIn(page, at, 'demo1');
    await open(page, at('/security'));
    const access = page.locator('#staff-access');
    await access.waitFor();
    const shown = await text(access);
    assert.ok(shown.includes('张丽') || shown.includes('S00005'), `the agent is named: "${shown}"`);
    assert.ok(shown.includes(REASON), `the reason is shown: "${shown}"`);
    await access.scrollIntoViewIfNeeded();
    await checkBothWidths(page, 'impersonation-customer-security', FITS_320);
    await open(page, at('/notifications'));
    await page.getByText(ZH.notice_staff_view_started).first().waitFor();
    await checkBothWidths(page, 'impersonation-customer-notifications', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
  });
});
