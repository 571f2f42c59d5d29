// Inquiries (咨询), end to end in a real Chromium against the real server binary:
// demo customer 1 asks a question in Chinese; staff member S00006 (an agent no other
// browser test uses) signs in to the console, sets up the mandatory authenticator,
// finds the question in the inbox (unread, waiting) and replies; the customer sees
// the unread reply on the list and reads it, then sends a too-long reply that is
// refused. Every page is checked with axe, photographed at 390 px and 1280 px, and
// must fit 320 px without sideways scrolling.
//
// The steps run in order and share two signed-in pages (the customer's, the staff
// member's); a failed step makes the later ones fail fast.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { launchBrowser, newContext, pageErrors, waitForHydration } from '../support/browser.mjs';
import { loadLocale } from '../support/locale.mjs';
import { PHONE, address, checkBothWidths, logIn, need, noAlert, open, staffPage } from '../support/journey.mjs';

const STEP_TIMEOUT = { timeout: 120_000 };
const ZH = loadLocale('zh-CN');
const SUBJECT = '定期存款提前支取';
const QUESTION = '我的三年定期存款如果提前支取，利息怎么算？<script>alert(1)</script>';
const REPLY = '提前支取的部分按活期利率计息，剩余部分仍按原利率。';

let server;
let browser;
let url;
const at = (p) => address(url, p);
const state = { customer: null, staff: null, threadPath: null, replied: false };

before(async () => {
  server = await startServer();
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

const pathOf = (page) => new URL(page.url()).pathname;

// Every inquiry page must also fit 320 px without sideways scrolling.
const FITS_320 = { fits320: true };

describe('inquiries: a customer asks, staff reply, the customer reads', () => {
  test('1. the customer asks a question', STEP_TIMEOUT, async () => {
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    await logIn(page, at, 'demo1');

    await open(page, at('/inquiries'));
    assert.equal((await page.locator('h1').textContent()).trim(), ZH.inq_title);
    await checkBothWidths(page, 'inquiries-list', FITS_320);
    await page.getByRole('link', { name: ZH.inq_ask, exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/inquiries/new');
    await waitForHydration(page);
    await page.getByLabel(ZH.inq_topic, { exact: true }).selectOption('deposits');
    await page.getByLabel(ZH.inq_subject, { exact: true }).fill(SUBJECT);
    await page.getByLabel(ZH.inq_body, { exact: true }).fill(QUESTION);
    await checkBothWidths(page, 'inquiry-new', FITS_320);
    await page.getByRole('button', { name: ZH.inq_submit_question, exact: true }).click();
    await page.waitForURL((u) => /^\/inquiries\/\d+$/.test(u.pathname));
    await page.waitForLoadState('load');
    await noAlert(page, 'asking');
    await page.locator('.inq-msg').first().waitFor();
    assert.equal((await page.locator('h1').textContent()).trim(), SUBJECT);
    // The message is shown as typed: the <script> is text, not markup.
    assert.equal((await page.locator('.inq-msg .inq-body').first().textContent()).trim(), QUESTION);
    assert.equal(await page.locator('.inq-msg script').count(), 0);
    await checkBothWidths(page, 'inquiry-asked', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
    state.customer = page;
    state.threadPath = pathOf(page);
  });

  test('2. staff S00006 signs in, finds the question in the inbox and replies', STEP_TIMEOUT, async () => {
    need(state.threadPath, 'step 1');
    const page = await staffPage(browser, at, 's00006');

    await open(page, at('/staff/home'));
    await page.locator('.inq-home').waitFor();
    await open(page, at('/staff/inquiries?filter=unassigned'));
    assert.equal((await page.locator('h1').textContent()).trim(), ZH.inq_staff_title);
    const row = page.locator('.inq-inbox-row', { hasText: SUBJECT });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-unread'), '1', 'unread for the bank');
    assert.ok(await row.locator('strong').count(), 'waiting since is shown');
    await checkBothWidths(page, 'staff-inbox', FITS_320);

    await row.getByRole('link', { name: SUBJECT, exact: true }).click();
    await page.waitForURL((u) => u.pathname === `/staff${state.threadPath}`);
    await waitForHydration(page);
    assert.equal((await page.locator('.inq-msg .inq-body').first().textContent()).trim(), QUESTION);
    await checkBothWidths(page, 'staff-inquiry', FITS_320);
    await page.getByLabel(ZH.inq_staff_reply_label, { exact: true }).fill(REPLY);
    await page.getByRole('button', { name: ZH.inq_reply_submit, exact: true }).click();
    await page.locator('.inq-msg.inq-from-bank', { hasText: REPLY }).waitFor();
    await noAlert(page, 'replying');
    assert.equal(await page.getByLabel(ZH.inq_staff_reply_label, { exact: true }).inputValue(), '', 'the box is emptied once sent');
    await checkBothWidths(page, 'staff-inquiry-replied', FITS_320);
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
    state.staff = page;
    state.replied = true;
  });

  test('3. the customer sees the unread reply and reads it', STEP_TIMEOUT, async () => {
    need(state.replied, 'step 2');
    const page = state.customer;
    await open(page, at('/inquiries'));
    const item = page.locator('.inq-thread', { hasText: SUBJECT });
    await item.waitFor();
    assert.equal(await item.getAttribute('data-unread'), '1');
    assert.equal((await item.locator('.inq-badge').textContent()).trim(), ZH.inq_unread_badge.replace('{n}', '1'));
    await checkBothWidths(page, 'inquiries-unread', FITS_320);
    await item.getByRole('link', { name: SUBJECT, exact: true }).click();
    await page.waitForURL((u) => u.pathname === state.threadPath);
    await waitForHydration(page);
    const reply = page.locator('.inq-msg.inq-from-bank');
    await reply.waitFor();
    assert.equal((await reply.locator('.inq-body').textContent()).trim(), REPLY);
    await checkBothWidths(page, 'inquiry-read', FITS_320);
    // Read now: the list shows no badge any more.
    await open(page, at('/inquiries'));
    assert.equal(await page.locator('.inq-thread', { hasText: SUBJECT }).getAttribute('data-unread'), '0');
    // And the notification centre has the reply.
    await open(page, at('/notifications'));
    await page.getByText(ZH.inq_notice_reply).first().waitFor();
    assert.deepEqual(pageErrors(page), [], 'errors in the page');

    await open(page, at(state.threadPath));
    // Too long: refused with the message, and what was typed stays in the box. The
    // box's maxlength would cut the text at 2000, so it is taken off first (as a
    // browser that ignores maxlength would): the server's limit is what is tested.
    const long = '长'.repeat(2001);
    const box = page.getByLabel(ZH.inq_reply_label, { exact: true });
    await box.evaluate((el) => el.removeAttribute('maxlength'));
    await box.fill(long);
    await page.getByRole('button', { name: ZH.inq_reply_submit, exact: true }).click();
    await page.locator('p.error[role="alert"]', { hasText: ZH.error_text_too_long }).waitFor();
    assert.equal(await box.inputValue(), long, 'the text typed is kept');
    assert.equal(await page.locator('.inq-msg').count(), 2, 'nothing was added');
    // The refused call's 400 is the only error the browser logs.
    const unexpected = pageErrors(page).filter((e) => !(e.includes('status of 400') && e.includes('/api/inquiry_reply')));
    assert.deepEqual(unexpected, [], 'errors in the page');
  });
});
