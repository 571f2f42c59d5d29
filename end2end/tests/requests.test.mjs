// Service requests (服务申请), end to end in a real Chromium against the real server
// binary: demo customer 1 (on a phone) reports a card lost — frozen at once — and
// files a complaint with a PDF; agent S00005 claims the complaint, asks a question;
// the customer answers; the agent resolves it; the customer rates the service; the
// supervisor S00002 sees the service-level report. Every page is checked with axe,
// photographed at 390 px and 1280 px, and must fit 320 px without sideways scrolling.
//
// The steps run in order and share signed-in pages; a failed step makes the later
// ones fail fast.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launchBrowser, newContext, pageErrors, waitForHydration } from '../support/browser.mjs';
import { loadLocale } from '../support/locale.mjs';
import { PHONE, address, checkBothWidths, logIn, need, noAlert, open, staffPage, text } from '../support/journey.mjs';

const STEP_TIMEOUT = { timeout: 120_000 };
const ZH = loadLocale('zh-CN');
const FITS_320 = { fits320: true };
const SUBJECT = '柜台收费不明';
const HAPPENED = '上周在柜台办理转账时被收取了 20 元手续费，没有任何说明。';
const WANTED = '请说明收费依据，如收费有误请退还。';
const QUESTION = '请问您办理的是哪一天的业务？能否提供回单照片？';
const ANSWER = '是 11 月 20 日上午办理的，回单照片已上传。';
const RESOLUTION = '经核实该笔手续费收取有误，已于今日退还至您的账户。';
// A minimal PDF: the portal judges the type by these first bytes.
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

let server;
let browser;
let url;
const at = (p) => address(url, p);
const state = { customer: null, agent: null, lostRef: null, complaintRef: null, asked: false, answered: false, resolved: false };

before(async () => {
  server = await startServer();
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

const referenceOf = (page) => new URL(page.url()).pathname.split('/').pop();
const status = (page) => page.locator('.sr-status').first().getAttribute('data-status');

/** Submits the form with class `cls` by its (only) submit button. */
async function submit(page, cls) {
  await page.locator(`form.${cls} button[type="submit"]`).first().click();
}

/** Waits until the page's request has status `wanted` (a reload when `reload`). */
async function waitForStatus(page, wanted, { reload = false } = {}) {
  if (reload) await open(page, page.url());
  await page.locator(`.sr-status[data-status="${wanted}"]`).first().waitFor();
}

describe('service requests: a lost card, and a complaint followed to the end', () => {
  test('1. the customer reports a card lost: it is frozen at once', STEP_TIMEOUT, async () => {
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    await logIn(page, at, 'demo1');

    await open(page, at('/requests'));
    assert.equal(await text(page.locator('h1')), ZH.srq_title);
    await checkBothWidths(page, 'requests-list', FITS_320);
    await page.getByRole('link', { name: ZH.srq_new, exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/requests/new');
    await waitForHydration(page);
    await checkBothWidths(page, 'requests-kinds', FITS_320);
    await page.locator('a[href="/requests/new/card_lost"]').click();
    await page.waitForURL((u) => u.pathname === '/requests/new/card_lost');
    await waitForHydration(page);
    await page.getByText(ZH.srq_card_lost_lead).waitFor();
    await page.locator('select[name="card_id"]').selectOption({ index: 0 });
    await page.getByLabel(ZH.srq_replacement, { exact: true }).check();
    await checkBothWidths(page, 'request-card-lost', FITS_320);
    await page.locator('form button[type="submit"]').last().click();
    await page.waitForURL((u) => /^\/requests\/SR-\d{4}-\d{6}$/.test(u.pathname));
    await waitForHydration(page);
    await noAlert(page, 'reporting the card lost');
    await page.locator('.sr-frozen').waitFor();
    assert.equal(await status(page), 'submitted');
    await page.locator('.sr-timeline li', { hasText: ZH.srq_step_card_frozen }).first().waitFor();
    await checkBothWidths(page, 'request-card-lost-done', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
    state.customer = page;
    state.lostRef = referenceOf(page);
  });

  test('2. the customer files a complaint and attaches a receipt', STEP_TIMEOUT, async () => {
    need(state.customer, 'step 1');
    const page = state.customer;
    await open(page, at('/requests/new/complaint'));
    await page.getByText(ZH.srq_complaint_lead).waitFor();
    await page.getByLabel(ZH.srq_category, { exact: true }).selectOption('fees');
    await page.getByLabel(ZH.srq_subject, { exact: true }).fill(SUBJECT);
    await page.getByLabel(ZH.srq_what_happened, { exact: true }).fill(HAPPENED);
    await page.getByLabel(ZH.srq_wanted, { exact: true }).fill(WANTED);
    await checkBothWidths(page, 'request-complaint', FITS_320);
    await page.locator('form button[type="submit"]').last().click();
    await page.waitForURL((u) => /^\/requests\/SR-\d{4}-\d{6}$/.test(u.pathname) && u.pathname !== `/requests/${state.lostRef}`);
    await waitForHydration(page);
    await noAlert(page, 'filing the complaint');
    state.complaintRef = referenceOf(page);

    await page.locator('#sr-file').setInputFiles({ name: '回单.pdf', mimeType: 'application/pdf', buffer: PDF });
    await submit(page, 'sr-attach');
    await page.waitForURL((u) => u.searchParams.get('file') === 'ok');
    await waitForHydration(page);
    await page.getByText(ZH.sr_file_attached).waitFor();
    const link = page.locator('.sr-timeline a', { hasText: '回单.pdf' });
    await link.waitFor();
    // The file comes back as a download of exactly what was sent.
    const response = await page.request.get(new URL(await link.getAttribute('href'), page.url()).href);
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'application/pdf');
    assert.deepEqual(Buffer.from(await response.body()), PDF);
    await checkBothWidths(page, 'request-complaint-filed', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
  });

  test('3. agent S00005 claims the complaint and asks a question', STEP_TIMEOUT, async () => {
    need(state.complaintRef, 'step 2');
    const page = await staffPage(browser, at, 's00005');
    await open(page, at('/staff/requests'));
    assert.equal(await text(page.locator('h1')), ZH.srs_queue_title);
    const row = page.locator(`a[href="/staff/requests/${state.complaintRef}"]`).first();
    await row.waitFor();
    await checkBothWidths(page, 'staff-requests-queue', FITS_320);
    await row.click();
    await page.waitForURL((u) => u.pathname === `/staff/requests/${state.complaintRef}`);
    await waitForHydration(page);
    await page.getByText(HAPPENED).first().waitFor();
    await submit(page, 'sr-claim');
    await waitForStatus(page, 'in_progress');
    await noAlert(page, 'claiming');
    await page.locator('form.sr-staff-reply textarea[name="body"]').fill(QUESTION);
    await page.locator('form.sr-staff-reply input[name="ask"]').check();
    await submit(page, 'sr-staff-reply');
    await waitForStatus(page, 'waiting_customer');
    await page.locator('.srs-timeline, .sr-timeline').getByText(QUESTION).first().waitFor();
    assert.equal(await page.locator('form.sr-staff-reply input[name="ask"]').isChecked(), false, 'the box is unticked once sent');
    await noAlert(page, 'asking the customer');
    await checkBothWidths(page, 'staff-request-asked', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
    state.agent = page;
    state.asked = true;
  });

  test('4. the customer sees the question and answers it', STEP_TIMEOUT, async () => {
    need(state.asked, 'step 3');
    const page = state.customer;
    await open(page, at(`/requests/${state.complaintRef}`));
    await waitForStatus(page, 'waiting_customer');
    await page.locator('.sr-timeline').getByText(QUESTION).waitFor();
    await checkBothWidths(page, 'request-question', FITS_320);
    await page.locator('form.sr-reply textarea[name="body"]').fill(ANSWER);
    await submit(page, 'sr-reply');
    await waitForStatus(page, 'in_progress');
    await page.locator('.sr-timeline').getByText(ANSWER).waitFor();
    await noAlert(page, 'answering');
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
    state.answered = true;
  });

  test('5. the agent resolves the complaint', STEP_TIMEOUT, async () => {
    need(state.answered, 'step 4');
    const page = state.agent;
    await open(page, at(`/staff/requests/${state.complaintRef}`));
    await page.getByText(ANSWER).first().waitFor();
    await page.locator('form.sr-resolve textarea[name="body"]').fill(RESOLUTION);
    await submit(page, 'sr-resolve');
    await waitForStatus(page, 'resolved');
    await noAlert(page, 'resolving');
    await checkBothWidths(page, 'staff-request-resolved', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
    state.resolved = true;
  });

  test('6. the customer reads the resolution and rates the service', STEP_TIMEOUT, async () => {
    need(state.resolved, 'step 5');
    const page = state.customer;
    await open(page, at(`/requests/${state.complaintRef}`));
    await waitForStatus(page, 'resolved');
    await page.locator('.sr-timeline').getByText(RESOLUTION).waitFor();
    await page.locator('form.sr-rate input[name="score"][value="5"]').check();
    await page.locator('form.sr-rate textarea[name="comment"]').fill('处理及时，谢谢！');
    await checkBothWidths(page, 'request-resolved', FITS_320);
    await submit(page, 'sr-rate');
    await page.locator('.sr-rated').waitFor();
    assert.equal(await page.locator('form.sr-rate').count(), 0, 'a service is rated once');
    await noAlert(page, 'rating');
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
  });

  test('7. supervisor S00002 sees the service-level report', STEP_TIMEOUT, async () => {
    need(state.resolved, 'step 5');
    const page = await staffPage(browser, at, 's00002');
    await open(page, at('/staff/requests/report'));
    await noAlert(page, 'the report');
    await page.locator('h1').waitFor();
    await page.getByText('处理及时，谢谢！').first().waitFor();
    await checkBothWidths(page, 'staff-sla-report', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
  });
});
