// The advisor's side, end to end in a real Chromium against the real server binary:
// demo customer 1 books a consultation with their relationship manager S00003
// through the customer wizard; S00003 signs in to the console (setting up the
// mandatory authenticator), finds the booking in the week view of the calendar,
// opens it, writes an internal note and a summary for the customer; the customer
// sees the summary on their booking page and never the note. S00003 then starts
// a leave over the booked day and is shown the booking it would cancel; the
// supervisor S00002 assigns demo2 a relationship manager and opens demo1's
// customer summary. Every page is checked with axe and photographed at 390 px and
// 1280 px; the calendar fits a 320 px screen.
//
// The server runs on the real clock with a fresh database; the steps run in order
// and share signed-in pages, so a failed step makes the later ones fail fast.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { checkA11y, launchBrowser, newContext, pageErrors, screenshot, waitForHydration } from '../support/browser.mjs';
import { checkA11yWithoutJs } from '../support/a11y-static.mjs';
import { loadLocale } from '../support/locale.mjs';
import { DESKTOP, PHONE, address, checkBothWidths, logIn, need, noAlert, open, overflow, staffPage, text } from '../support/journey.mjs';

const STEP_TIMEOUT = { timeout: 180_000 };
const ZH = loadLocale('zh-CN');
const REFERENCE = /^\/consultations\/(BK\d{8})$/;
const NOTE = '内部：客户偏好稳健型产品，先与网点负责人沟通。';
const SUMMARY = '我们商定了三年期的养老储蓄计划，下次见面时带上身份证。<b>不是粗体</b>';

let server;
let browser;
let url;
const at = (p) => address(url, p);
const state = { customer: null, advisor: null, reference: null, bookingPath: null, day: null };

before(async () => {
  server = await startServer();
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('advisor: calendar, booking notes and summary, schedule, relationship managers', () => {
  test('1. demo1 books a consultation with their relationship manager', STEP_TIMEOUT, async () => {
    const context = await newContext(browser, PHONE);
    const page = await context.newPage();
    await logIn(page, at, 'demo1');
    // The overview's "book my RM" shortcut.
    const book = page.locator('a.book-rm');
    assert.equal(await text(book), ZH.adv_book_my_rm);
    assert.equal(await book.getAttribute('href'), '/consultations/book?advisor=S00003');
    await open(page, at('/consultations/book?advisor=S00003'));
    await page.locator('label[for="bk-purpose-wealth_planning"]').click();
    await page.locator('label[for="bk-channel-branch"]').click();
    await page.getByRole('button', { name: ZH.bk_next, exact: true }).click();
    // The slot picker is day first: the first day with free times, then its first time.
    const day = page.locator('a.bk-day-link').first();
    await day.waitFor();
    await day.click();
    const slot = page.locator('a.bk-slot').first();
    await slot.waitFor();
    await slot.click();
    const submit = page.getByRole('button', { name: ZH.bk_confirm_submit, exact: true });
    await submit.waitFor();
    await submit.click();
    await page.waitForURL((u) => REFERENCE.test(u.pathname));
    state.reference = REFERENCE.exec(new URL(page.url()).pathname)[1];
    await noAlert(page, 'booking');
    state.customer = page;
  });

  test('2. S00003 finds the booking in the week view and opens it', STEP_TIMEOUT, async () => {
    need(state.reference, 'step 1');
    const page = await staffPage(browser, at, 's00003');
    state.advisor = page;
    await open(page, at('/staff/home'));
    await page.locator(`a[href="/staff/calendar"]`).first().waitFor();
    await open(page, at('/staff/calendar?view=week'));
    assert.equal(await text(page.locator('h1')), ZH.adv_calendar_title);
    assert.equal(await page.locator('section.adv-day').count(), 7, 'a week has seven days');
    const entry = page.locator(`li.adv-entry[data-reference="${state.reference}"]`);
    // The first free time is within the next weeks: page forward until it shows.
    for (let i = 0; i < 6 && (await entry.count()) === 0; i += 1) {
      await page.getByRole('link', { name: ZH.adv_next_week, exact: true }).click();
      await page.waitForURL((u) => u.searchParams.has('day'));
      await waitForHydration(page);
    }
    await entry.waitFor();
    const week = new URL(page.url()).searchParams.get('day') ?? '';
    await checkBothWidths(page, 'advisor-calendar-week');
    // A list per day, not a wide grid: nothing sticks out at 320 px.
    await page.setViewportSize({ width: 320, height: 640 });
    assert.ok((await overflow(page)) <= 0, 'the week fits 320 px');
    await page.setViewportSize(DESKTOP.viewport);
    await page.getByRole('link', { name: ZH.adv_view_day, exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get('view') === 'day');
    await checkBothWidths(page, 'advisor-calendar-day');

    await open(page, at(`/staff/calendar?view=week&day=${week}`));
    await entry.locator('a').click();
    await page.waitForURL((u) => /^\/staff\/bookings\/\d+$/.test(u.pathname));
    state.bookingPath = new URL(page.url()).pathname;
    await waitForHydration(page);
    assert.equal(await text(page.locator('.adv-ref')), state.reference);
    // The booked day, for the leave in step 4.
    state.day = /\d{4}-\d{2}-\d{2}/.exec(await text(page.locator('.adv-facts')))?.[0];
    await noAlert(page, 'the booking');
    await checkBothWidths(page, 'advisor-booking');
    assert.deepEqual(pageErrors(page), [], 'errors in the page');
  });

  test('3. S00003 writes an internal note and a summary; the customer sees only the summary', STEP_TIMEOUT, async () => {
    need(state.bookingPath, 'step 2');
    const page = state.advisor;
    await page.getByLabel(ZH.adv_note_label, { exact: true }).fill(NOTE);
    await page.getByRole('button', { name: ZH.adv_note_submit, exact: true }).click();
    await page.waitForURL((u) => u.searchParams.has('noted'));
    await page.locator('.adv-notes li').first().waitFor();
    assert.ok((await text(page.locator('.adv-notes'))).includes(NOTE));
    assert.equal(await page.getByLabel(ZH.adv_note_label, { exact: true }).inputValue(), '', 'a saved note leaves the box');
    await page.getByLabel(ZH.adv_summary_label, { exact: true }).fill(SUMMARY);
    await page.getByRole('button', { name: ZH.adv_summary_submit, exact: true }).click();
    await page.waitForURL((u) => u.searchParams.has('shared'));
    await page.locator('p.success[role="status"]').waitFor();
    assert.equal(await text(page.locator('p.success[role="status"]')), ZH.adv_summary_saved);
    await noAlert(page, 'sharing the summary');
    await checkBothWidths(page, 'advisor-booking-noted');

    const customer = state.customer;
    await open(customer, at(`/consultations/${state.reference}`));
    const main = await customer.locator('main').innerText();
    assert.ok(main.includes(SUMMARY), 'the customer reads the summary, as typed');
    assert.ok(!main.includes('稳健型产品'), 'the internal note never reaches the customer');
    assert.equal(await customer.locator('main b').count(), 0, 'the summary is text, not markup');
    await checkA11y(customer, 'the customer booking page with the summary');
    await screenshot(customer, 'advisor-summary-customer-zh-390');
  });

  test('4. leave over the booked day lists the booking before anything is cancelled', STEP_TIMEOUT, async () => {
    need(state.day, 'step 2');
    const page = state.advisor;
    await open(page, at('/staff/schedule'));
    assert.equal(await text(page.locator('h1')), ZH.adv_schedule_title);
    await checkBothWidths(page, 'advisor-schedule');
    await page.locator('#adv-ex-day').fill(state.day);
    await page.getByRole('button', { name: ZH.adv_continue, exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get('ex_day') === state.day);
    await waitForHydration(page);
    const confirm = page.locator('section.adv-confirm');
    await confirm.locator(`li.adv-entry[data-reference="${state.reference}"]`).waitFor();
    assert.equal(await text(confirm.locator('p.warning')), ZH.adv_leave_conflicts);
    await checkBothWidths(page, 'advisor-leave-confirm');
    // Without "cancel them" the leave is refused and the booking stays.
    await confirm.getByRole('button', { name: ZH.adv_add_exception_submit, exact: true }).click();
    await confirm.locator('p.error[role="alert"]').waitFor();
    assert.equal(await text(confirm.locator('p.error[role="alert"]')), ZH.adv_error_leave_over_bookings);
    await open(state.customer, at(`/consultations/${state.reference}`));
    assert.equal(await state.customer.locator('.bk-status-cancelled').count(), 0, 'still booked');
  });

  test('5. the supervisor assigns a relationship manager and reads a customer summary', STEP_TIMEOUT, async () => {
    const page = await staffPage(browser, at, 's00002');
    await open(page, at('/staff/managers'));
    assert.equal(await text(page.locator('h1')), ZH.adv_managers_title);
    await checkBothWidths(page, 'advisor-managers');
    await page.getByLabel(ZH.adv_customer_no, { exact: true }).fill('C00000002');
    await page.getByRole('button', { name: ZH.adv_find, exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get('customer') === 'C00000002');
    await waitForHydration(page);
    await page.getByLabel(ZH.adv_manager, { exact: true }).selectOption('S00004');
    await page.getByRole('button', { name: ZH.adv_save, exact: true }).click();
    await page.waitForURL((u) => u.searchParams.has('saved'));
    await page.locator('p.success[role="status"]').waitFor();
    assert.ok((await page.locator('main').innerText()).includes('S00004'));
    await noAlert(page, 'assigning');
    await checkBothWidths(page, 'advisor-managers-saved');

    await open(page, at('/staff/customers/C00000001'));
    assert.equal(await text(page.locator('h1')), ZH.adv_customer_title);
    await page.locator('.adv-segment').waitFor();
    assert.ok((await page.locator('main').innerText()).includes(state.reference ?? 'BK'), 'the upcoming booking');
    await noAlert(page, 'the customer summary');
    await checkBothWidths(page, 'advisor-customer-summary');

    // Without JavaScript the calendar still works (a GET page with links).
    const nojs = await newContext(browser, { ...PHONE, javaScriptEnabled: false });
    try {
      await nojs.addCookies(await page.context().cookies());
      const p = await nojs.newPage();
      await p.goto(at('/staff/calendar?view=week&advisor=S00003'));
      await p.locator('section.adv-day').first().waitFor();
      await checkA11yWithoutJs(browser, p, '/staff/calendar without JS');
    } finally {
      await nojs.close();
    }
  });
});
