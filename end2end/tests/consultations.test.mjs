// Consultations, end to end in a real Chromium against the real server binary:
// demo customer 1 (whose relationship manager is the advisor S00003) books a
// consultation through the wizard with JavaScript (their manager is offered
// first), sees the confirmation, downloads the calendar file and checks it,
// moves the booking to another time and cancels it; then books again without
// JavaScript (the "book my RM" link, by phone) and sees the dial-in number. Every
// page is checked with axe and photographed at 390 px and 1280 px, and the slot
// picker (day first: the days with free times, then one day's times) fits a
// 320 px screen and about two screens of a 390 px phone.
//
// The server runs on the real clock with a fresh database: the advisor's free
// times are whatever the next 30 days offer, so the steps take the first ones.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { checkA11y, launchBrowser, newContext, pageErrors, screenshot } from '../support/browser.mjs';
import { checkA11yWithoutJs } from '../support/a11y-static.mjs';
import { loadLocale } from '../support/locale.mjs';
import { DESKTOP, NARROW, PHONE, address, logIn as logInCustomer, open, overflow, text } from '../support/journey.mjs';

const STEP_TIMEOUT = { timeout: 120_000 };
const ZH = loadLocale('zh-CN');
const EN = loadLocale('en');

const REFERENCE = /^\/consultations\/(BK\d{8})$/;

let server;
let browser;
let url;
const at = (p) => address(url, p);

before(async () => {
  server = await startServer();
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Axe on every page, collecting violations; the step fails afterwards listing them all. */
async function withChecks(fn) {
  const violations = [];
  const check = async (page, label, { withoutJs = false } = {}) => {
    try {
      if (withoutJs) await checkA11yWithoutJs(browser, page, label);
      else await checkA11y(page, label);
    } catch (err) {
      if (!String(err.message).includes('accessibility violation')) throw err;
      violations.push(err.message);
    }
  };
  try {
    await fn(check);
  } catch (err) {
    if (violations.length) err.message += `\n\nand on the way:\n${violations.join('\n')}`;
    throw err;
  }
  if (violations.length) assert.fail(violations.join('\n'));
}

const alerts = (page) => page.locator('p.error[role="alert"]').allTextContents().then((a) => a.map((s) => s.trim()));
/** Errors in the page other than the expected "slot taken" answer (a 409 the browser logs). */
const unexpectedErrors = (page) =>
  pageErrors(page).filter((e) => !(e.includes('status of 409') && e.includes('/api/booking_book')));
const pageHeight = (page) => page.evaluate(() => document.documentElement.scrollHeight);
const cardHeight = (page) => page.locator('section.bk-book').evaluate((e) => e.getBoundingClientRect().height);
/** A screen of the 390 x 844 phone. A picker step's card takes at most one and a
 * half, the whole page (with the bank's header and footer) about two. */
const SCREEN = 844;
async function assertShort(page, what) {
  const [card, whole] = [await cardHeight(page), await pageHeight(page)];
  assert.ok(card <= 1.5 * SCREEN, `${what}: the step is ${card} px tall`);
  assert.ok(whole <= 2.2 * SCREEN, `${what}: the page is ${whole} px tall`);
}

function ddOf(scope, label) {
  return scope.locator(`div:has(> dt:text-is(${JSON.stringify(label)})) > dd`).first();
}

/** Signs demo customer `username` in and waits for the signed-in header. */
async function logIn(page, username) {
  await logInCustomer(page, at, username);
  await page.locator('header .account-nav a.who').waitFor();
}

/** Unfolds an iCalendar text into its content lines. */
const icsLines = (body) => body.replace(/\r\n /g, '').split('\r\n');

describe('consultations: book, confirm, calendar file, reschedule, cancel, without JavaScript', () => {
  let context;
  let page;
  const state = {};

  before(async () => {
    context = await newContext(browser, PHONE);
    page = await context.newPage();
  });

  after(async () => {
    await context?.close();
  });

  /** demo2 books S00003 at `startsAt` (UTC microseconds) through the server function. */
  async function bookAsDemo2(startsAt) {
    const other = await newContext(browser, DESKTOP);
    try {
      const p = await other.newPage();
      await logIn(p, 'demo2');
      const response = await p.request.post(at('/api/booking_book'), {
        form: { purpose: 'loan', channel: 'branch', advisor: 'S00003', starts_at: startsAt, note: '', key: 'e2e-demo2-key-00000001' },
      });
      assert.equal(response.status(), 200, await response.text());
    } finally {
      await other.close();
    }
  }

  /** The page at `target` at 1280 px (same session) in both languages, checked and photographed. */
  async function desktopViews(check, target, name, ready) {
    for (const [lang, L] of [['zh-CN', ZH], ['en', EN]]) {
      const desk = await newContext(browser, DESKTOP);
      try {
        await desk.addCookies(await context.cookies());
        await desk.addCookies([{ name: 'lang', value: lang, url }]);
        const p = await desk.newPage();
        await open(p, at(target));
        await ready(p, L);
        await check(p, `${target} (1280 px, ${lang})`);
        await screenshot(p, `${name}-${lang === 'en' ? 'en' : 'zh'}-1280`);
        assert.deepEqual(pageErrors(p), [], `${target} at 1280 px: errors in the page`);
      } finally {
        await desk.close();
      }
    }
  }

  test('1. demo1 books a consultation with the wizard', STEP_TIMEOUT, async () => {
    await withChecks(async (check) => {
      await logIn(page, 'demo1');
      await open(page, at('/consultations'));
      assert.equal(await text(page.locator('h1')), ZH.bk_title);
      assert.ok((await page.locator('main').innerText()).includes(ZH.bk_none_upcoming));
      await check(page, '/consultations (empty, 390 px)');
      await screenshot(page, 'consultations-empty-zh-390');

      const bookLink = page.locator('main a[href="/consultations/book"]');
      assert.equal(await text(bookLink), ZH.bk_book_link);
      await bookLink.click();
      await page.waitForURL((u) => u.pathname === '/consultations/book');
      await page.locator('#bk-purpose-wealth_planning').waitFor();
      await check(page, '/consultations/book step 1 (390 px)');
      await screenshot(page, 'consultations-book-1-zh-390');
      await page.locator('label[for="bk-purpose-wealth_planning"]').click();
      await page.locator('label[for="bk-channel-branch"]').click();
      await page.getByRole('button', { name: ZH.bk_next, exact: true }).click();

      // Step 2: the relationship manager comes first, marked as such.
      const first = page.locator('li.bk-advisor').first();
      await first.waitFor();
      assert.ok((await text(first)).includes(ZH.bk_your_manager), 'the own manager is offered first');
      await check(page, '/consultations/book step 2 (390 px)');
      await screenshot(page, 'consultations-book-2-zh-390');
      await first.locator('a.button').click();

      // Step 3, day first: the days with free times (no times yet), short on a phone.
      const days = page.locator('a.bk-day-link');
      await days.first().waitFor();
      assert.ok((await days.count()) >= 5, 'several days with free times');
      assert.equal(await page.locator('a.bk-slot').count(), 0, 'no times before a day is chosen');
      assert.match(await text(days.nth(1)), new RegExp(`${ZH.bk_free_count.replace('{n}', '\\d+')}$`), 'a count per day');
      await check(page, '/consultations/book step 3, the days (390 px)');
      await screenshot(page, 'consultations-book-3-zh-390');
      await assertShort(page, 'the days');
      // The second day: the first may be today's last hours.
      await days.nth(1).click();
      await page.waitForURL((u) => u.searchParams.has('day'));
      state.day = new URL(page.url()).searchParams.get('day');
      const slot = page.locator('a.bk-slot').first();
      await slot.waitFor();
      assert.equal(await page.locator('a.bk-day-link').count(), 0, 'the other days are folded away');
      assert.equal(await text(page.locator('a.bk-change-day')), ZH.bk_change_day);
      const hrefs = await page.locator('a.bk-slot').evaluateAll((links) => links.map((l) => l.getAttribute('href')));
      assert.ok(hrefs.every((h) => h.includes(`day=${state.day}&`)), "the times are the chosen day's");
      await check(page, '/consultations/book step 3, one day (390 px)');
      await screenshot(page, 'consultations-book-3-day-zh-390');
      await assertShort(page, "one day's times");
      await slot.click();

      // Step 4, but demo2 takes the time first: "just taken", and the fresh list without it.
      const submit = page.getByRole('button', { name: ZH.bk_confirm_submit, exact: true });
      await submit.waitFor();
      const taken = await page.locator('input[name="starts_at"]').inputValue();
      await bookAsDemo2(taken);
      await submit.click();
      await page.locator('p.error[role="alert"]', { hasText: ZH.error_slot_taken }).first().waitFor();
      await page.locator('a.bk-slot').first().waitFor();
      assert.equal(await page.locator(`a.bk-slot[href*="slot=${taken}&"]`).count(), 0, 'the taken time is gone');
      assert.equal(new URL(page.url()).searchParams.get('day'), state.day, 'still on the chosen day');
      assert.equal(await page.locator('a.bk-change-day').count(), 1, "the same day's other times");
      await check(page, '/consultations/book after "just taken" (390 px)');
      await screenshot(page, 'consultations-slot-taken-zh-390');
      const next = page.locator('a.bk-slot').first();
      state.firstTime = await text(next);
      await next.click();

      // Step 4: confirm with a note.
      await submit.waitFor();
      assert.ok((await text(ddOf(page, ZH.bk_time))).startsWith(state.firstTime));
      await page.locator('#bk-note').fill('想了解养老理财 <b>不是粗体</b>');
      await check(page, '/consultations/book step 4 (390 px)');
      await screenshot(page, 'consultations-book-4-zh-390');
      await submit.click();
      await page.waitForURL((u) => REFERENCE.test(u.pathname));
      state.reference = REFERENCE.exec(new URL(page.url()).pathname)[1];
      await page.locator('p.success[role="status"]').waitFor();
      assert.equal(await text(page.locator('p.success[role="status"]')), ZH.bk_booked_notice);
      assert.equal(await text(ddOf(page, ZH.bk_reference)), state.reference);
      assert.ok((await text(ddOf(page, ZH.bk_place))).includes('幸福路 18 号'), 'the branch address');
      assert.ok((await text(ddOf(page, ZH.bk_note))).includes('<b>不是粗体</b>'), 'the note is shown as typed');
      assert.deepEqual(await alerts(page), []);
      await check(page, `/consultations/${state.reference} (390 px)`);
      await screenshot(page, 'consultations-confirmation-zh-390');
      assert.deepEqual(unexpectedErrors(page), []);

      await desktopViews(check, `/consultations/${state.reference}`, 'consultations-confirmation', async (p, L) => {
        assert.equal(await text(p.locator('h1')), L.bk_detail_title);
        assert.equal(await text(ddOf(p, L.bk_reference)), state.reference);
      });
      await desktopViews(check, '/consultations', 'consultations-list', async (p) => {
        assert.ok((await p.locator('main').innerText()).includes(state.reference));
      });
      const picker = '/consultations/book?purpose=loan&channel=branch&advisor=S00003';
      await desktopViews(check, picker, 'consultations-days', async (p, L) => {
        await p.locator('a.bk-day-link').first().waitFor();
        assert.equal(await text(p.locator('#bk-days-title')), L.bk_days_title);
      });
      await desktopViews(check, `${picker}&day=${state.day}`, 'consultations-day', async (p, L) => {
        await p.locator('a.bk-slot').first().waitFor();
        assert.equal(await text(p.locator('a.bk-change-day')), L.bk_change_day);
      });
    });
  });

  test('2. the calendar file', STEP_TIMEOUT, async () => {
    assert.ok(state.reference, 'step 1 booked');
    const link = page.locator(`a[href="/consultations/${state.reference}/calendar.ics"]`);
    assert.equal(await text(link), ZH.bk_add_to_calendar);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), `${state.reference}.ics`);
    const response = await page.request.get(at(`/consultations/${state.reference}/calendar.ics`));
    assert.equal(response.status(), 200);
    assert.equal(response.headers()['content-type'], 'text/calendar; charset=utf-8');
    const body = await response.text();
    assert.ok(body.startsWith('BEGIN:VCALENDAR\r\n') && body.endsWith('END:VCALENDAR\r\n'));
    const lines = icsLines(body);
    assert.ok(lines.includes(`UID:${state.reference}@portal`));
    assert.ok(lines.includes('STATUS:CONFIRMED') && lines.includes('SEQUENCE:0'));
    assert.ok(lines.some((l) => /^DTSTART:\d{8}T\d{6}Z$/.test(l)) && lines.some((l) => /^DTEND:\d{8}T\d{6}Z$/.test(l)));
    // The start in UTC is the booked Beijing time less 8 hours.
    const start = lines.find((l) => l.startsWith('DTSTART:')).slice(8);
    const beijing = `${String((Number(start.slice(9, 11)) + 8) % 24).padStart(2, '0')}:${start.slice(11, 13)}`;
    assert.equal(beijing, state.firstTime);
    assert.ok(lines.some((l) => l.startsWith('LOCATION:') && l.includes('幸福路 18 号')));
    assert.ok(body.split('\r\n').every((l) => Buffer.byteLength(l) <= 75), 'folded at 75 octets');
  });

  test('3. demo1 moves the booking to another time', STEP_TIMEOUT, async () => {
    assert.ok(state.reference, 'step 1 booked');
    await withChecks(async (check) => {
      await open(page, at(`/consultations/${state.reference}`));
      // Day first here too: the days as links, then the chosen day's times as radios.
      const days = page.locator('section[aria-labelledby="bk-reschedule-title"] a.bk-day-link');
      await days.first().waitFor();
      assert.equal(await page.locator('form.bk-reschedule-form').count(), 0, 'no times before a day is chosen');
      await check(page, `/consultations/${state.reference} with the days to move to (390 px)`);
      await screenshot(page, 'consultations-reschedule-days-zh-390');
      await days.nth(2).click();
      await page.waitForURL((u) => u.searchParams.has('day'));
      const form = page.locator('form.bk-reschedule-form');
      await form.waitFor();
      assert.equal(await page.locator('a.bk-day-link').count(), 0, 'the other days are folded away');
      await check(page, `/consultations/${state.reference} with the reschedule form (390 px)`);
      await screenshot(page, 'consultations-reschedule-day-zh-390');
      const labels = form.locator('.bk-slot-radio label');
      const target = labels.last();
      state.newTime = await text(target);
      await target.click();
      await form.getByRole('button', { name: ZH.bk_reschedule_submit, exact: true }).click();
      await page.waitForURL((u) => u.search.includes('moved=1'));
      await page.locator('p.success[role="status"]').waitFor();
      assert.equal(await text(page.locator('p.success[role="status"]')), ZH.bk_moved_notice);
      assert.ok((await text(ddOf(page, ZH.bk_time))).startsWith(state.newTime), 'the new time is shown');
      assert.deepEqual(await alerts(page), []);
      await screenshot(page, 'consultations-moved-zh-390');
      const body = await (await page.request.get(at(`/consultations/${state.reference}/calendar.ics`))).text();
      assert.ok(icsLines(body).includes('SEQUENCE:1'), 'the calendar event was updated');
    });
  });

  test('4. without JavaScript: "book my RM" by phone', STEP_TIMEOUT, async () => {
    await withChecks(async (check) => {
      const nojs = await newContext(browser, { ...PHONE, javaScriptEnabled: false });
      try {
        await nojs.addCookies(await context.cookies());
        const p = await nojs.newPage();
        await open(p, at('/consultations/book?advisor=S00003'), { js: false });
        await p.locator('label[for="bk-purpose-pension"]').click();
        await p.locator('label[for="bk-channel-phone"]').click();
        await p.getByRole('button', { name: ZH.bk_next, exact: true }).click();
        // The advisor was preselected: straight to the days, then one day's times.
        const day = p.locator('a.bk-day-link').first();
        await day.waitFor();
        assert.ok((await text(p.locator('.bk-advisor-chosen'))).includes(ZH.bk_your_manager));
        await check(p, '/consultations/book days without JS', { withoutJs: true });
        await day.click();
        const slot = p.locator('a.bk-slot').first();
        await slot.waitFor();
        await check(p, '/consultations/book one day without JS', { withoutJs: true });
        await slot.click();
        await p.getByRole('button', { name: ZH.bk_confirm_submit, exact: true }).click();
        await p.waitForURL((u) => REFERENCE.test(u.pathname) && u.search.includes('booked=1'));
        assert.equal(await text(p.locator('p.success[role="status"]')), ZH.bk_booked_notice);
        assert.equal(await text(ddOf(p, ZH.bk_dial_in)), '0571-8800-1013', 'the number to call');
        await check(p, 'the phone booking without JS', { withoutJs: true });
        await screenshot(p, 'consultations-phone-nojs-zh-390');
      } finally {
        await nojs.close();
      }

      // The picker fits a 320 px screen: the days, then one day's times.
      const narrow = await newContext(browser, NARROW);
      try {
        await narrow.addCookies(await context.cookies());
        const p = await narrow.newPage();
        await open(p, at('/consultations/book?purpose=loan&channel=branch&advisor=S00003'));
        await p.locator('a.bk-day-link').first().waitFor();
        assert.ok((await overflow(p)) <= 0, 'no sideways scrolling at 320 px (days)');
        await screenshot(p, 'consultations-slots-zh-320');
        await p.locator('a.bk-day-link').first().click();
        await p.locator('a.bk-slot').first().waitFor();
        assert.ok((await overflow(p)) <= 0, 'no sideways scrolling at 320 px (times)');
        await screenshot(p, 'consultations-day-zh-320');
      } finally {
        await narrow.close();
      }
    });
  });

  test('5. demo1 cancels with a reason', STEP_TIMEOUT, async () => {
    assert.ok(state.reference, 'step 1 booked');
    await withChecks(async (check) => {
      await open(page, at(`/consultations/${state.reference}`));
      await page.locator('#bk-reason').fill('临时有事，改天再约');
      await check(page, `/consultations/${state.reference} before cancelling (390 px)`);
      await page.getByRole('button', { name: ZH.bk_cancel_submit, exact: true }).click();
      await page.waitForURL((u) => u.search.includes('cancelled=1'));
      await page.locator('p.success[role="status"]').waitFor();
      assert.equal(await text(ddOf(page, ZH.bk_status)), ZH.booking_status_cancelled);
      assert.equal(await text(ddOf(page, ZH.bk_cancel_reason_shown)), '临时有事，改天再约');
      assert.equal(await page.locator('form.bk-cancel-form').count(), 0, 'nothing left to change');
      await check(page, `/consultations/${state.reference} cancelled (390 px)`);
      await screenshot(page, 'consultations-cancelled-zh-390');
      const body = await (await page.request.get(at(`/consultations/${state.reference}/calendar.ics`))).text();
      assert.ok(icsLines(body).includes('STATUS:CANCELLED') && icsLines(body).includes('SEQUENCE:2'));

      // The list: the phone booking ahead, the cancelled one under "past".
      await open(page, at('/consultations'));
      const past = page.locator('section[aria-labelledby="bk-past-title"]');
      assert.ok((await past.innerText()).includes(state.reference));
      assert.equal(await page.locator('section[aria-labelledby="bk-upcoming-title"] li.bk-card').count(), 1);
      await check(page, '/consultations (390 px)');
      await screenshot(page, 'consultations-list-zh-390');
      assert.deepEqual(unexpectedErrors(page), []);
    });
  });
});
