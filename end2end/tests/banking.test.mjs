// Banking, end to end in a real Chromium against the real server binary: demo
// customer 1 (demo1, who holds every product family) looks at the overview, hides
// and shows the amounts, reads the demand account's history with filters, keyset
// pages, the CSV export, the charts and the printable statement; sets up the
// authenticator and sends money to a new payee (demo2) with the authenticator code;
// then, without JavaScript, pays the now saved payee and mistypes an amount; and
// the pages fit a 320 px screen.
//
// The steps are tests that run in order and share the signed-in customer (a phone
// context; the desktop, English, no-JS and 320 px contexts carry the same session
// cookie). The server runs with PORTAL_STEP_UP_MINUTES=0, so that a transfer to a
// new payee asks for the code although the authenticator was confirmed a moment
// earlier (by default a confirmation counts for 5 minutes). The server accepts each
// 30-second TOTP step once, so the transfer waits for a new step: up to 30 s of the
// file's run time is waiting.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../support/server.mjs';
import { checkA11y, launchBrowser, newContext, pageErrors, screenshot, waitForHydration } from '../support/browser.mjs';
import { loadLocale } from '../support/locale.mjs';
import { base32Decode, freshCode } from '../support/totp.mjs';
import { checkA11yWithoutJs } from '../support/a11y-static.mjs';
import { DEMO_PASSWORD, FAMILY, demoAccountNo, fenOf, luhnValid, maskNumber } from '../support/demo.mjs';

const STEP_TIMEOUT = { timeout: 120_000 };

const ZH = loadLocale('zh-CN');
const EN = loadLocale('en');

const CHINESE = { locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } };
const PHONE = { ...CHINESE, viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2, hasTouch: true };
const DESKTOP = { ...CHINESE, viewport: { width: 1280, height: 800 } };
const NARROW = { ...CHINESE, viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true };

// Every product family, in the overview's order (types::ProductKind::ALL).
const FAMILIES = ['demand_deposit', 'time_deposit', 'installment_savings', 'notice_deposit', 'credit_card', 'loan',
  'wealth_fund', 'insurance'];
const MASKED = /^\d{4} \*{4} \*{4} \d{4}$/;
const RECEIPT_NO = /^TR\d{8}\d{10}$/;

let server;
let browser;
let url; // base URL, ends with '/'
const at = (p) => new URL(p.replace(/^\//, ''), url).href;

before(async () => {
  server = await startServer({ PORTAL_STEP_UP_MINUTES: '0' });
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Axe on every page without stopping at the first page with a violation (as in
 * identity.test.mjs): the step fails afterwards listing them all.
 */
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

const pathOf = (page) => new URL(page.url()).pathname;
const text = async (locator) => (await locator.textContent())?.trim() ?? '';

/** `page.goto` then hydration (skipped without JavaScript); returns the response. */
async function open(page, target, { js = true } = {}) {
  const response = await page.goto(at(target));
  if (js) await waitForHydration(page);
  return response;
}

/** Clicks `button` and waits for `pathname`; whether the page stayed the same document. */
async function submitTo(page, button, pathname) {
  await page.evaluate(() => { window.__sameDocument = 1; });
  await button.click();
  await page.waitForURL((u) => u.pathname === pathname);
  await page.waitForLoadState('load');
  return (await page.evaluate(() => window.__sameDocument)) === 1;
}

const alerts = (page) => page.locator('p.error[role="alert"]').allTextContents().then((a) => a.map((s) => s.trim()));

async function noAlert(page, what) {
  assert.deepEqual(await alerts(page), [], `${what}: the page at ${page.url()} shows an error`);
}

async function noErrors(page, what) {
  assert.deepEqual(pageErrors(page), [], `${what}: errors in the page`);
}

/** The `<dd>` next to the `<dt>` saying `label` inside `scope`. */
function ddOf(scope, label) {
  return scope.locator(`div:has(> dt:text-is(${JSON.stringify(label)})) > dd`).first();
}

/** Logs in with the password alone (no second factor set up yet) and lands on /accounts. */
async function logIn(page, username) {
  await open(page, '/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await submitTo(page, page.getByRole('button', { name: ZH.login_submit, exact: true }), '/accounts');
  await page.locator('header .account-nav a.who').waitFor();
}

/** The horizontal overflow of the page, in CSS pixels (0 when it fits). */
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('banking journey: overview, history, transfers, without JavaScript, 320 px', () => {
  let context1; // demo1's phone, signed in from step 1 on
  let page1;
  const acct = {}; // what the steps learn: ids, balances, the payee
  let secret;
  let usedStep;

  const need = (value, step) => {
    if (value === undefined || value === null) throw new Error(`cannot run: ${step} did not complete`);
  };

  /** Another context with demo1's session cookie (and `lang` when given). */
  async function sibling(options, fn, { lang } = {}) {
    const context = await newContext(browser, options);
    try {
      await context.addCookies(await context1.cookies());
      if (lang) await context.addCookies([{ name: 'lang', value: lang, url }]);
      const page = await context.newPage();
      return await fn(page, context);
    } finally {
      await context.close();
    }
  }

  /**
   * The page at `target` at 1280 px in Chinese and in English (a desktop context with
   * the same session), checked and photographed; `ready(page, locale)` waits for and
   * checks what must be there.
   */
  async function desktopViews(check, target, name, ready) {
    for (const [lang, L] of [['zh-CN', ZH], ['en', EN]]) {
      await sibling(DESKTOP, async (page) => {
        await open(page, target);
        await ready(page, L);
        await check(page, `${target} (1280 px, ${lang})`);
        await screenshot(page, `${name}-${lang === 'en' ? 'en' : 'zh'}-1280`);
        await noErrors(page, `${target} at 1280 px (${lang})`);
      }, { lang });
    }
  }

  /** Runs `fn(page)` signed in as demo2 (password only: no second factor set up) at 1280 px. */
  async function withDemo2(fn) {
    const context = await newContext(browser, DESKTOP);
    try {
      const page = await context.newPage();
      await logIn(page, 'demo2');
      return await fn(page, context);
    } finally {
      await context.close();
    }
  }

  /** Switches the phone page's language in place with the header's switcher. */
  async function switchLanguage(page, lang) {
    await page.locator(`form.language-switch button[value="${lang}"]`).click();
    await page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });
  }

  before(async () => {
    context1 = await newContext(browser, PHONE);
    page1 = await context1.newPage();
  });

  after(async () => {
    await context1?.close();
  });

  test('1. demo1 logs in and sees every product, amounts can be hidden', STEP_TIMEOUT, async () => {
    await withChecks(async (check) => {
      await logIn(page1, 'demo1');
      await noAlert(page1, '/accounts after log-in');
      assert.equal(await text(page1.locator('h1')), ZH.acct_overview_title);

      // Totals.
      const assets = await text(page1.getByTestId('total-assets'));
      const liabilities = await text(page1.getByTestId('total-liabilities'));
      assert.ok(fenOf(assets) > 0, `total assets "${assets}"`);
      assert.ok(fenOf(liabilities) > 0, `total liabilities "${liabilities}" (demo1 has a loan and a credit card)`);

      // Every family, under its translated heading.
      for (const kind of FAMILIES) {
        const group = page1.locator(`section.product-group[aria-labelledby="group-${kind}"]`);
        assert.equal(await group.count(), 1, `no group for ${kind}`);
        assert.equal(await text(group.locator('h2')), ZH[`acct_group_${kind}`], `heading of ${kind}`);
        assert.ok((await group.locator('li.product').count()) >= 1, `no product in ${kind}`);
      }

      // Numbers only masked: account and card numbers, and no long digit run anywhere.
      // (A wealth fund shows its product code, e.g. "WM-STEADY", where others show a number.)
      const numbers = await page1.locator('li.product:not([data-kind="wealth_fund"]) .number')
        .evaluateAll((ps) => ps.map((p) => `${p.closest('li').dataset.kind}: ${p.textContent.trim()}`));
      assert.ok(numbers.length >= FAMILIES.length - 1, `masked numbers: ${JSON.stringify(numbers)}`);
      for (const n of numbers) {
        // An insurance policy number has letters ("PL20 **** **** 0001").
        const pattern = n.startsWith('insurance:') ? /^[A-Z0-9]{4} \*{4} \*{4} \d{4}$/ : MASKED;
        assert.match(n.split(': ')[1], pattern, `an account number on the overview (${n})`);
      }
      const card = await text(ddOf(page1.locator('li.product[data-kind="demand_deposit"]').first(), ZH.acct_debit_card));
      assert.match(card, MASKED, 'the debit card number');
      const digitRuns = (await page1.locator('main').innerText()).match(/\d{9,}/g) ?? [];
      assert.deepEqual(digitRuns, [], 'unmasked numbers on the overview');

      // The (first) Type I demand account with a debit card: its id and balance for later steps.
      const demands = page1.locator('li.product[data-kind="demand_deposit"]')
        .filter({ has: page1.locator('dt', { hasText: ZH.acct_debit_card }) })
        .filter({ has: page1.locator('dd', { hasText: ZH.acct_tier_1 }) });
      assert.ok((await demands.count()) >= 1, 'no Type I demand account with a debit card');
      const demand = demands.first();
      const href = await demand.locator('h3 a').getAttribute('href');
      acct.demandId = /^\/accounts\/(\d+)$/.exec(href)?.[1];
      assert.ok(acct.demandId, `the demand account's link "${href}"`);
      acct.demandMasked = await text(demand.locator('.number'));
      acct.balance = fenOf(await text(demand.locator('.product-figure .figure')));
      assert.ok(acct.balance > 0, 'the demand account has money');

      // The relationship manager.
      const manager = page1.locator('section.manager-card');
      assert.equal(await text(manager.locator('h2')), ZH.acct_manager_title);
      assert.ok((await text(manager.locator('.manager-name'))).length > 0, 'no manager name');
      assert.match(await manager.locator('a.tel').getAttribute('href'), /^tel:\d{5,}$/);

      await check(page1, '/accounts (390 px, zh-CN)');
      await screenshot(page1, 'accounts-zh-390');

      // Hide the amounts: every figure becomes ****, and stays so after a reload.
      const figures = async () => (await page1.locator('main .figure').allTextContents()).map((s) => s.trim());
      const shown = await figures();
      assert.ok(shown.every((f) => fenOf(f) !== null), `figures: ${JSON.stringify(shown)}`);
      await page1.getByRole('button', { name: ZH.acct_hide_amounts, exact: true }).click();
      const showButton = page1.getByRole('button', { name: ZH.acct_show_amounts, exact: true });
      await showButton.waitFor();
      assert.equal(pathOf(page1), '/accounts');
      const hidden = await figures();
      assert.ok(hidden.length === shown.length && hidden.every((f) => f === '****'), `hidden: ${JSON.stringify(hidden)}`);
      assert.equal(await showButton.getAttribute('aria-pressed'), 'true');
      const leaked = (await page1.locator('main').innerText()).match(/¥\s*[\d,]+\.\d{2}/g) ?? [];
      assert.deepEqual(leaked, [], 'amounts still on the page with amounts hidden');
      await page1.reload();
      await waitForHydration(page1);
      assert.ok((await figures()).every((f) => f === '****'), 'the choice did not survive a reload');
      await check(page1, '/accounts with amounts hidden (390 px)');
      await screenshot(page1, 'accounts-hidden-zh-390');
      await page1.getByRole('button', { name: ZH.acct_show_amounts, exact: true }).click();
      await page1.getByRole('button', { name: ZH.acct_hide_amounts, exact: true }).waitFor();
      assert.deepEqual(await figures(), shown, 'the figures after "show amounts"');

      // English on the phone (the switcher, in place), then back.
      await switchLanguage(page1, 'en');
      assert.equal(await text(page1.locator('h1')), EN.acct_overview_title);
      assert.equal(await text(page1.locator('#group-demand_deposit')), EN.acct_group_demand_deposit);
      await check(page1, '/accounts (390 px, en)');
      await screenshot(page1, 'accounts-en-390');
      await switchLanguage(page1, 'zh-CN');
      assert.equal(await text(page1.locator('h1')), ZH.acct_overview_title);

      await desktopViews(check, '/accounts', 'accounts', async (page, L) => {
        assert.equal(await text(page.locator('h1')), L.acct_overview_title);
        assert.equal(await page.locator('section.product-group').count(), FAMILIES.length);
      });
      await noErrors(page1, '/accounts');
    });
  });

  test('2. the demand account: history, filters, keyset pages, charts, statement', STEP_TIMEOUT, async () => {
    need(acct.demandId, 'step 1 (overview)');
    const detail = `/accounts/${acct.demandId}`;
    const rowsOf = (page) => page.locator('table.history tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      date: tr.cells[0].textContent.trim(),
      text: tr.cells[1].textContent.trim(),
      counterparty: tr.cells[1].querySelector('.counterparty')?.textContent.trim() ?? '',
      amount: tr.cells[2].textContent.trim(),
      out: tr.cells[2].classList.contains('out'),
      balance: tr.cells[3].textContent.trim(),
    })));
    await withChecks(async (check) => {
      await page1.locator(`a[href="${detail}"]`).first().click();
      await page1.waitForURL((u) => u.pathname === detail);
      await page1.locator('table.history tbody tr').first().waitFor();
      await noAlert(page1, detail);
      assert.equal(await text(page1.locator('.account-header .number')), acct.demandMasked);
      assert.equal(fenOf(await text(page1.getByTestId('account-balance'))), acct.balance, 'the balance on the account page');
      const first = await rowsOf(page1);
      assert.equal(first.length, 25, 'a full first page of history');
      assert.equal(await text(page1.locator('table.history caption')), ZH.acct_history_caption);
      assert.equal(await page1.locator('table.history thead th[scope="col"]').count(), 4);
      const dates = first.map((r) => r.date);
      assert.deepEqual([...dates].sort().reverse(), dates, 'history not newest first');
      // Two charts, drawn as SVG with a title.
      const charts = page1.locator('section.charts svg');
      assert.equal(await charts.count(), 2, 'the balance and in/out charts');
      for (const svg of await charts.all()) {
        assert.ok((await svg.locator('title').count()) >= 1, 'a chart without a <title>');
        assert.ok((await svg.locator('path, polyline, rect').count()) >= 1, 'a chart without marks');
      }
      await check(page1, `${detail} (390 px)`);
      await screenshot(page1, 'account-detail-zh-390');

      // Older: the keyset link shows the next 25, older than the first page.
      await page1.getByTestId('older-link').click();
      await page1.waitForURL((u) => u.pathname === detail && u.searchParams.has('after'));
      await page1.locator('table.history tbody tr').first().waitFor();
      const older = await rowsOf(page1);
      assert.ok(older.length >= 1, 'the older page is empty');
      assert.ok(older.every((r) => r.date <= first.at(-1).date), 'the older page has newer rows');
      assert.equal(older[0].balance !== first[0].balance || older[0].date !== first[0].date, true, 'the same rows again');
      assert.equal(await page1.locator('a[rel="first"]').count(), 1, 'no way back to the newest');
      await check(page1, `${detail}?after=… (390 px)`);

      // Filters: money out, "电费" (the electricity bill of the demo history), ¥20 to ¥2,000.
      await open(page1, detail);
      await page1.locator('#direction').selectOption('out');
      await page1.locator('#q').fill('电费');
      await page1.locator('#min').fill('20');
      await page1.locator('#max').fill('2,000');
      await page1.getByRole('button', { name: ZH.acct_filter_apply, exact: true }).click();
      await page1.waitForURL((u) => u.searchParams.get('q') === '电费');
      await page1.locator('table.history caption', { hasText: ZH.acct_history_caption_filtered }).waitFor();
      await noAlert(page1, 'filtered history');
      const filtered = await rowsOf(page1);
      assert.ok(filtered.length >= 2, `the filter left ${filtered.length} rows (the demo has monthly power bills)`);
      assert.ok(filtered.length < 25 || (await page1.getByTestId('older-link').count()) === 1, 'filtered paging');
      for (const r of filtered) {
        const fen = fenOf(r.amount);
        assert.ok(r.out && fen < 0, `not money out: ${JSON.stringify(r)}`);
        assert.ok(r.text.includes('电费'), `no 电费: ${JSON.stringify(r)}`);
        assert.ok(-fen >= 2_000 && -fen <= 200_000, `outside ¥20–¥2,000: ${JSON.stringify(r)}`);
      }
      assert.equal(await page1.locator('#direction').inputValue(), 'out', 'the form forgot the direction');
      assert.equal(await page1.locator('#q').inputValue(), '电费', 'the form forgot the text');
      await check(page1, `${detail} filtered (390 px)`);
      await screenshot(page1, 'account-detail-filtered-zh-390');

      acct.filteredUrl = page1.url();
      acct.filtered = filtered;
      acct.moreFiltered = (await page1.getByTestId('older-link').count()) === 1;

      // Clearing the filter brings back all 25.
      await page1.getByRole('link', { name: ZH.acct_filter_clear, exact: true }).click();
      await page1.waitForURL((u) => u.pathname === detail && u.search === '');
      await page1.locator('table.history caption', { hasText: ZH.acct_history_caption }).first().waitFor();
      assert.equal((await rowsOf(page1)).length, 25);

      // The printable statement.
      await page1.getByRole('link', { name: ZH.acct_statement_link, exact: true }).click();
      await page1.waitForURL((u) => u.pathname === `${detail}/statement`);
      await page1.locator('article.statement').waitFor();
      await noAlert(page1, 'statement');
      assert.equal(await text(page1.locator('h1')), ZH.acct_statement_title);
      const summary = {};
      for (const id of ['opening', 'total-in', 'total-out', 'closing']) {
        summary[id] = fenOf(await text(page1.getByTestId(id)));
        assert.notEqual(summary[id], null, `the statement's ${id}`);
      }
      assert.equal(summary.opening + summary['total-in'] - Math.abs(summary['total-out']), summary.closing,
        `opening + in - out != closing: ${JSON.stringify(summary)}`);
      assert.ok((await page1.locator('table.statement-table tbody tr').count()) >= 1, 'a statement without rows');
      acct.holder1 = await text(ddOf(page1.locator('.statement-meta'), ZH.acct_holder));
      await check(page1, `${detail}/statement (390 px)`);
      await screenshot(page1, 'statement-zh-390');
      await page1.emulateMedia({ media: 'print' });
      try {
        for (const selector of ['.site-header', '.main-menu', '.site-footer', '.statement-tools', '.language-switch']) {
          const shownInPrint = await page1.locator(selector).first().isVisible();
          assert.equal(shownInPrint, false, `${selector} is printed`);
        }
        assert.equal(await page1.locator('article.statement').isVisible(), true, 'the statement is not printed');
        assert.equal(await page1.locator('table.statement-table').isVisible(), true, 'the statement table is not printed');
        await screenshot(page1, 'statement-print-zh-390');
      } finally {
        await page1.emulateMedia({ media: 'screen' });
      }
      await desktopViews(check, `${detail}/statement`, 'statement', async (page, L) => {
        assert.equal(await text(page.locator('h1')), L.acct_statement_title);
      });
      await desktopViews(check, detail, 'account-detail', async (page, L) => {
        await page.locator('table.history tbody tr').first().waitFor();
        assert.equal(await text(page.locator('#history-title')), L.acct_history_title);
      });
      await noErrors(page1, 'statement');
      acct.historyDone = true;
    });
  });

  test('3. the CSV export of the filtered history', STEP_TIMEOUT, async () => {
    need(acct.filteredUrl, 'step 2 (history filters)');
    const filtered = acct.filtered;
    await page1.goto(acct.filteredUrl);
    await waitForHydration(page1);
      // The CSV of the filtered rows.
      const [download] = await Promise.all([page1.waitForEvent('download'), page1.getByTestId('csv-link').click()]);
      const csvName = download.suggestedFilename();
      assert.match(csvName, new RegExp(`^account-${acct.demandMasked.slice(-4)}_\\d{4}-\\d{2}-\\d{2}_\\d{4}-\\d{2}-\\d{2}\\.csv$`));
      const file = await download.path().catch(() => null);
      const failure = await download.failure();
      assert.equal(failure, null, `the download of ${download.url()} failed ("${failure}"): the body did not end cleanly`);
      const bytes = readFileSync(file);
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'no UTF-8 byte-order mark');
      const csv = bytes.subarray(3).toString('utf8');
      assert.ok(!csv.includes('\ufffd'), 'broken characters in the CSV');
      const lines = csv.split('\r\n').filter((l) => l.length > 0);
      const header = [ZH.acct_col_date, ZH.acct_col_type, ZH.acct_col_counterparty, ZH.acct_col_memo, ZH.acct_col_amount,
        ZH.acct_col_balance];
      assert.deepEqual(lines[0].split(',').map((c) => c.replace(/^"|"$/g, '')), header, 'the header row');
      const data = lines.slice(1).map((l) => l.split(',').map((c) => c.replace(/^"|"$/g, '')));
      if (!acct.moreFiltered) {
        assert.equal(data.length, filtered.length, 'the CSV and the table have different row counts');
      }
      for (const r of filtered) {
        const yuan = (fenOf(r.amount) / 100).toFixed(2);
        assert.ok(data.some((d) => d[0] === r.date && d[4] === yuan && d.join(',').includes('电费')),
          `row ${JSON.stringify(r)} is not in the CSV:\n${csv}`);
      }
      assert.ok(data.every((d) => d.join(',').includes('电费') && Number(d[4]) < 0), `the CSV has other rows:\n${csv}`);
      await noErrors(page1, 'the CSV download');

  });

  test('4. sets up the authenticator, pays a new payee with the code, sees the receipt', STEP_TIMEOUT, async () => {
    need(acct.demandId, 'step 1 (overview)');
    await withChecks(async (check) => {
      // demo2, in a browser of their own: the name on their statement and their total
      // assets. Its 19-digit account number shows
      // nowhere in full (the pages show the card number, masked): it is derived as
      // the seed does, and the confirmation's masked number must match it.
      const payeeNo = demoAccountNo(FAMILY.demandI, 2);
      assert.ok(luhnValid(payeeNo) && payeeNo.length === 19, payeeNo);
      await withDemo2(async (page2) => {
        const theirs = page2.locator('li.product[data-kind="demand_deposit"]').first();
        acct.payeeAssets = fenOf(await text(page2.getByTestId('total-assets')));
        const theirHref = await theirs.locator('h3 a').getAttribute('href');
        await open(page2, `${theirHref}/statement`);
        acct.payeeName = await text(ddOf(page2.locator('.statement-meta'), ZH.acct_holder));
        assert.match(acct.payeeName, /^\p{Script=Han}{2,4}$/u, `demo2's name "${acct.payeeName}"`);
        assert.notEqual(acct.payeeName, acct.holder1, 'demo1 and demo2 have the same name');
        await check(page2, `${theirHref}/statement (demo2, 1280 px)`);
      });

      // The authenticator, as in identity.test.mjs.
      await page1.getByRole('navigation', { name: ZH.nav_sections }).getByRole('link', { name: ZH.nav_security, exact: true })
        .click();
      await page1.waitForURL((u) => u.pathname === '/security');
      const panel = page1.getByRole('region', { name: ZH.totp_title, exact: true });
      await panel.getByRole('button', { name: ZH.totp_start, exact: true }).click();
      await panel.locator('.qr svg').waitFor();
      const shownSecret = (await panel.locator('code[data-testid="totp-secret"]').textContent()).trim();
      assert.equal(base32Decode(shownSecret).length, 20);
      const setUp = await freshCode(shownSecret);
      await panel.getByLabel(ZH.field_totp_code, { exact: true }).fill(setUp.code);
      await panel.getByRole('button', { name: ZH.totp_confirm, exact: true }).click();
      await panel.locator('ol.recovery-codes li').first().waitFor();
      await noAlert(page1, 'confirming the authenticator');
      secret = shownSecret;
      usedStep = setUp.step;
      await panel.getByRole('button', { name: ZH.recovery_codes_saved, exact: true }).click();
      await page1.locator('ol.recovery-codes').waitFor({ state: 'detached' });

      // The balance right before.
      await open(page1, '/accounts');
      const before = fenOf(await text(page1.locator(`li.product:has(a[href="/accounts/${acct.demandId}"]) .product-figure .figure`)));
      assert.equal(before, acct.balance, 'the balance changed between the steps');

      // The form: a new payee, saved.
      await page1.getByRole('navigation', { name: ZH.nav_sections }).getByRole('link', { name: ZH.nav_transfer, exact: true })
        .click();
      await page1.waitForURL((u) => u.pathname === '/transfer');
      await page1.locator('#xfer-from').waitFor();
      await check(page1, '/transfer (390 px)');
      await screenshot(page1, 'transfer-form-zh-390');
      await page1.locator('#xfer-from').selectOption(acct.demandId);
      await page1.locator('#xfer-to').selectOption('new');
      await page1.getByLabel(ZH.xfer_payee_account_no, { exact: true }).fill(payeeNo);
      await page1.getByLabel(ZH.xfer_payee_name, { exact: true }).fill(acct.payeeName);
      await page1.getByLabel(ZH.xfer_amount, { exact: true }).fill('12.34');
      await page1.getByLabel(ZH.xfer_memo, { exact: true }).fill('电费分摊');
      assert.equal(await page1.getByLabel(ZH.xfer_save_payee, { exact: true }).isChecked(), true, '"save" is not preset');
      await page1.getByRole('button', { name: ZH.xfer_next, exact: true }).click();
      await page1.waitForURL((u) => u.pathname === '/transfer' && u.searchParams.get('step') === 'confirm');
      await page1.getByRole('button', { name: ZH.xfer_send, exact: true }).waitFor();
      await noAlert(page1, 'the confirmation');

      // The confirmation: amount, payee, limit left, and the code it asks for.
      const details = page1.locator('dl.xfer-details');
      assert.equal(await text(page1.locator('.xfer-amount-figure')), '¥12.34');
      assert.equal(await text(page1.locator('.xfer-amount-words span[lang]')), '人民币壹拾贰元叁角肆分');
      assert.equal(await text(ddOf(details, ZH.xfer_payee)), acct.payeeName);
      assert.equal(await text(ddOf(details, ZH.xfer_to_account)), maskNumber(payeeNo));
      // The account number (family 10: Type I demand), not the card number the overview shows.
      assert.match(await text(ddOf(details, ZH.xfer_from_account)), /^6010 \*{4} \*{4} \d{4}$/);
      const limit = await text(ddOf(details, ZH.xfer_limit_left));
      const [left, afterThis] = (limit.match(/¥[\d,]+\.\d{2}/g) ?? []).map(fenOf);
      assert.ok(left > 0 && afterThis === left - 1234, `the limit "${limit}"`);
      assert.ok((await page1.locator('main').innerText()).includes(ZH.xfer_step_up_new_payee), 'no reason for the code');
      const code = page1.getByLabel(ZH.xfer_code, { exact: true });
      assert.equal(await code.isVisible(), true, 'the confirmation does not ask for the authenticator code');
      await check(page1, '/transfer?step=confirm (390 px)');
      await screenshot(page1, 'transfer-confirm-zh-390');
      const confirmUrl = new URL(page1.url());
      await desktopViews(check, `${confirmUrl.pathname}${confirmUrl.search}`, 'transfer-confirm', async (page, L) => {
        await page.getByRole('button', { name: L.xfer_send, exact: true }).waitFor();
        assert.equal(await text(page.locator('.xfer-amount-figure')), '¥12.34');
      });

      // A fresh code (not the set-up's step), and send.
      const sent = await freshCode(secret, usedStep);
      await code.fill(sent.code);
      await page1.getByRole('button', { name: ZH.xfer_send, exact: true }).click();
      await page1.waitForURL((u) => u.pathname.startsWith('/transfer/receipt/'), { timeout: 20_000 }).catch(async (err) => {
        throw new Error(`no receipt; the page says ${JSON.stringify(await alerts(page1))}`, { cause: err });
      });
      usedStep = sent.step;
      await page1.getByTestId('receipt-no').waitFor();
      await noAlert(page1, 'the receipt');
      const receiptNo = await text(page1.getByTestId('receipt-no'));
      assert.match(receiptNo, RECEIPT_NO);
      assert.equal(pathOf(page1), `/transfer/receipt/${receiptNo}`);
      assert.equal(await text(page1.locator('h1')), ZH.xfer_receipt_title);
      assert.equal(await text(page1.locator('.xfer-amount-figure')), '¥12.34');
      const receiptDetails = page1.locator('dl.xfer-details');
      assert.equal(await text(ddOf(receiptDetails, ZH.xfer_payee)), acct.payeeName);
      assert.equal(fenOf(await text(ddOf(receiptDetails, ZH.xfer_receipt_limit_left))), left - 1234);
      await check(page1, `/transfer/receipt/${receiptNo} (390 px)`);
      await screenshot(page1, 'transfer-receipt-zh-390');
      await switchLanguage(page1, 'en');
      assert.equal(await text(page1.locator('h1')), EN.xfer_receipt_title);
      await check(page1, `/transfer/receipt/${receiptNo} (390 px, en)`);
      await screenshot(page1, 'transfer-receipt-en-390');
      await switchLanguage(page1, 'zh-CN');
      await desktopViews(check, `/transfer/receipt/${receiptNo}`, 'transfer-receipt', async (page, L) => {
        assert.equal(await text(page.locator('h1')), L.xfer_receipt_title);
        assert.equal(await text(page.getByTestId('receipt-no')), receiptNo);
      });

      // The money left demo1's account, exactly.
      await page1.getByRole('link', { name: ZH.xfer_back_accounts, exact: true }).click();
      await page1.waitForURL((u) => u.pathname === '/accounts');
      const figure = page1.locator(`li.product:has(a[href="/accounts/${acct.demandId}"]) .product-figure .figure`);
      await figure.waitFor();
      const afterBalance = fenOf(await text(figure));
      assert.equal(afterBalance, before - 1234, `balance ${before} -> ${afterBalance} fen after sending 1234 fen`);
      acct.balance = afterBalance;
      // And arrived in demo2's.
      await withDemo2(async (page2) => {
        const now = fenOf(await text(page2.getByTestId('total-assets')));
        assert.equal(now, acct.payeeAssets + 1234, `demo2's total assets ${acct.payeeAssets} -> ${now} fen`);
      });
      acct.receiptNo = receiptNo;
      await noErrors(page1, 'the transfer');
    });
  });

  test('5. without JavaScript: the saved payee, no code under ¥5,000; a bad amount', STEP_TIMEOUT, async () => {
    need(acct.receiptNo, 'step 4 (transfer to a new payee)');
    await withChecks(async (checkJs) => {
      // Axe needs the page's timers: the no-JS page's HTML is checked in a copy.
      const check = (page, label) => checkJs(page, label, { withoutJs: true });
      await sibling({ ...PHONE, javaScriptEnabled: false }, async (page) => {
        await open(page, '/transfer', { js: false });
        assert.equal(await page.locator('html').getAttribute('data-hydrated'), null, 'no JS, yet hydrated?');
        await page.locator('#xfer-from').selectOption(acct.demandId);
        const payee = page.locator('#xfer-to option', { hasText: acct.payeeName });
        assert.equal(await payee.count(), 1, `the payee ${acct.payeeName} was not saved`);
        const value = await payee.getAttribute('value');
        assert.match(value, /^payee:\d+$/);
        await page.locator('#xfer-to').selectOption(value);
        await page.getByLabel(ZH.xfer_amount, { exact: true }).fill('8.88');
        await page.getByRole('button', { name: ZH.xfer_next, exact: true }).click();
        await page.waitForURL((u) => u.searchParams.get('step') === 'confirm');
        await page.getByRole('button', { name: ZH.xfer_send, exact: true }).waitFor();
        await noAlert(page, 'the confirmation without JS');
        assert.equal(await text(page.locator('.xfer-amount-figure')), '¥8.88');
        assert.equal(await text(ddOf(page.locator('dl.xfer-details'), ZH.xfer_payee)), acct.payeeName);
        assert.equal(await page.locator('#xfer-step_up_code').count(), 0, 'a saved payee under ¥5,000 asks for a code');
        await check(page, '/transfer?step=confirm without JS (390 px)');
        await screenshot(page, 'transfer-confirm-nojs-zh-390');
        const [post] = await Promise.all([
          page.waitForResponse((r) => new URL(r.url()).pathname === '/api/transfer_make' && r.request().method() === 'POST'),
          page.getByRole('button', { name: ZH.xfer_send, exact: true }).click(),
        ]);
        assert.ok(post.status() >= 300 && post.status() < 400, `the plain form POST answered ${post.status()}`);
        await page.waitForURL((u) => u.pathname.startsWith('/transfer/receipt/'));
        await noAlert(page, 'the receipt without JS');
        const receiptNo = await text(page.getByTestId('receipt-no'));
        assert.match(receiptNo, RECEIPT_NO);
        assert.notEqual(receiptNo, acct.receiptNo);
        assert.equal(await text(page.locator('.xfer-amount-figure')), '¥8.88');
        assert.ok((await page.locator('main').innerText()).includes(ZH.xfer_print_hint), 'no print hint without JS');
        await check(page, `/transfer/receipt/${receiptNo} without JS (390 px)`);
        await screenshot(page, 'transfer-receipt-nojs-zh-390');

        await open(page, '/accounts', { js: false });
        const figure = page.locator(`li.product:has(a[href="/accounts/${acct.demandId}"]) .product-figure .figure`);
        assert.equal(fenOf(await text(figure)), acct.balance - 888, 'the balance after ¥8.88 more');
        acct.balance -= 888;

        // A bad amount: back at the form, the error at the amount field.
        await open(page, '/transfer', { js: false });
        await page.locator('#xfer-from').selectOption(acct.demandId);
        await page.locator('#xfer-to').selectOption(value);
        await page.getByLabel(ZH.xfer_amount, { exact: true }).fill('1.234');
        await page.getByRole('button', { name: ZH.xfer_next, exact: true }).click();
        await page.waitForURL((u) => u.searchParams.get('amount') === '1.234');
        const amount = page.locator('#xfer-amount');
        await amount.waitFor();
        assert.equal(await text(page.locator('#xfer-amount-error')), ZH.error_amount_too_precise);
        assert.equal(await amount.getAttribute('aria-invalid'), 'true');
        assert.match(await amount.getAttribute('aria-describedby'), /\bxfer-amount-error\b/);
        assert.equal(await amount.inputValue(), '1.234', 'the form lost what was typed');
        assert.equal(await page.locator('#xfer-to').inputValue(), value, 'the form lost the payee');
        assert.equal(await page.getByRole('button', { name: ZH.xfer_send, exact: true }).count(), 0);
        await check(page, '/transfer with the amount error without JS (390 px)');
        await screenshot(page, 'transfer-amount-error-nojs-zh-390');
      });
    });
  });

  test('6. at 320 px the pages fit without sideways scrolling', STEP_TIMEOUT, async () => {
    need(acct.demandId, 'step 1 (overview)');
    const pages = ['/accounts', `/accounts/${acct.demandId}`, `/accounts/${acct.demandId}/statement`, '/transfer'];
    if (acct.receiptNo) pages.push(`/transfer/receipt/${acct.receiptNo}`);
    await withChecks(async (check) => {
      await sibling(NARROW, async (page) => {
        const wide = [];
        for (const target of pages) {
          await open(page, target);
          await noAlert(page, target);
          const over = await overflow(page);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 320) {
            // Name the widest culprits, for the report.
            const culprits = await page.evaluate(() => [...document.querySelectorAll('main *')]
              .filter((el) => el.getBoundingClientRect().right > 320.5)
              .slice(0, 5)
              .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''} (right ${Math.round(el.getBoundingClientRect().right)})`));
            wide.push(`${target}: scrollWidth ${width} (${over} px too wide): ${culprits.join(', ')}`);
          }
          await check(page, `${target} (320 px)`);
          await screenshot(page, `narrow-320-${target.replace(/^\//, '').replace(/\//g, '-') || 'home'}`);
          await noErrors(page, `${target} at 320 px`);
        }
        assert.deepEqual(wide, [], 'pages wider than 320 px');
      });
    });
  });
});
