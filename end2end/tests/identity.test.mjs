// Identity, end to end in a real Chromium against the real server binary: a demo
// customer activates online banking (SMS code read from the development outbox),
// logs in, sets up the authenticator app (codes computed here, as a phone would),
// logs out, logs in with the second factor, ends a session from another browser;
// and a wrong password without the WASM.
//
// The journey's steps are tests that run in order and share the customer (the
// first context, the TOTP secret, the last time step used): a step whose
// predecessor failed fails at once saying so. The server accepts each TOTP time
// step once, so the second and third log-ins wait for a new 30 s step: about a
// minute of the file's run time is waiting.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, startServer } from '../support/server.mjs';
import { checkA11y, launchBrowser, newContext, pageErrors, screenshot, waitForHydration } from '../support/browser.mjs';
import { loadLocale } from '../support/locale.mjs';
import { base32Decode, codeAtStep, freshCode, stepOf, totp } from '../support/totp.mjs';

// A log-in may wait up to 30 s for a fresh TOTP step, on top of the page work.
const STEP_TIMEOUT = { timeout: 150_000 };

const ZH = loadLocale('zh-CN');

const CHINESE = { locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } };
const MOBILE = { ...CHINESE, viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2, hasTouch: true };
const DESKTOP = { ...CHINESE, viewport: { width: 1280, height: 800 } };

// From the demo data (app/src/backend/seed.rs).
const DEMO_PASSWORD = 'village-post-demo-2026';
const USERNAME = 'wang3';
const PASSWORD = 'my dog eats rice every day';

const ENROLL_LINE = /try enrollment at \/enroll with customer (\S+) and ID tail (\S+?);/;

let server;
let browser;
let url; // base URL, ends with '/'
const at = (p) => new URL(p.replace(/^\//, ''), url).href;

before(async () => {
  server = await startServer();
  url = server.url;
  browser = await launchBrowser();
}, { timeout: 60_000 });

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Runs `fn(page, context)` in a fresh context, closed afterwards whatever happens. */
async function withPage(options, fn) {
  const context = await newContext(browser, options);
  try {
    const page = await context.newPage();
    return await fn(page, context);
  } finally {
    await context.close();
  }
}

/**
 * Axe (the shared checkA11y, unchanged) on every page, without stopping the
 * journey at the first page with a violation: `fn` gets `check(page, label)`,
 * which collects; afterwards the step fails listing them all, or, if the step
 * failed anyway, they are appended to its error.
 */
async function withChecks(fn) {
  const violations = [];
  const check = async (page, label) => {
    try {
      await checkA11y(page, label);
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

/** Waits until the page is at `pathname` (client-side navigation or a full load). */
async function waitForPath(page, pathname) {
  await page.waitForURL((u) => u.pathname === pathname);
}

/** `page.goto` then hydration; returns the response. */
async function open(page, target) {
  const response = await page.goto(at(target));
  await waitForHydration(page);
  return response;
}

/**
 * Submits a form by clicking `button` and waits for `pathname`. Returns whether
 * the page stayed the same document (the WASM handled the form) or was loaded anew.
 */
async function submitTo(page, button, pathname) {
  await page.evaluate(() => { window.__sameDocument = 1; });
  await button.click();
  await waitForPath(page, pathname);
  await page.waitForLoadState('load');
  return (await page.evaluate(() => window.__sameDocument)) === 1;
}

/** The `p.error[role=alert]` texts on the page. */
const alerts = (page) => page.locator('p.error[role="alert"]').allTextContents().then((a) => a.map((s) => s.trim()));

/** Fails with what the page says if an error alert is shown. */
async function noAlert(page, what) {
  const shown = await alerts(page);
  assert.deepEqual(shown, [], `${what}: the page at ${page.url()} shows an error`);
}

/** The signed-in name in the header, or null when nobody is signed in. */
async function headerName(page) {
  const who = page.locator('header .account-nav a.who');
  if ((await who.count()) === 0) return null;
  return (await who.textContent()).trim();
}

/** Uncaught exceptions and console errors of the page (a CSP violation is one too). */
const jsErrors = (page) => pageErrors(page);

async function submitPassword(page, username, password) {
  await open(page, '/login');
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: ZH.login_submit, exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/login/verify' || u.pathname === '/accounts' || u.searchParams.has('__err'));
  await page.waitForLoadState('load');
}

/** Types a TOTP code on /login/verify and waits for /accounts (the customer's home). Returns the step used. */
async function submitTotp(page, secret, usedStep) {
  const { code, step } = await freshCode(secret, usedStep);
  await page.locator('#code').fill(code);
  const sameDocument = await submitTo(page, page.getByRole('button', { name: ZH.verify_submit, exact: true }), '/accounts');
  return { step, sameDocument };
}

describe('support/totp.mjs', () => {
  test('RFC 6238 test vector (SHA-1, T = 59 s) and base32 with spaces', () => {
    const key = Buffer.from('12345678901234567890', 'ascii');
    assert.equal(totp(key, 59_000), '287082');
    assert.equal(codeAtStep(key, 1), '287082');
    // The same key as the portal would show it: base32 in groups of four, lowercase too.
    assert.deepEqual(base32Decode('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ'), key);
    assert.equal(totp('gezd gnbv gy3t qojq gezd gnbv gy3t qojq', 59_000), '287082');
    // The other SHA-1 vectors of RFC 6238 appendix B (8 digits there; the last 6 here).
    assert.equal(totp(key, 1111111109_000), '081804');
    assert.equal(totp(key, 1234567890_000), '005924');
    assert.equal(totp(key, 20000000000_000), '353130');
    assert.equal(stepOf(59_000), 1);
    assert.throws(() => base32Decode('GEZD1'), /not base32/);
  });
});

describe('identity journey: enrollment, authenticator, log-out, second factor, sessions', () => {
  // Shared between the steps, in order.
  const customer = {};
  let context1; // the customer's phone (390 px), signed in from step 2 on
  let page1;
  let secret; // base32, as shown on /security
  let usedStep; // last TOTP step the server accepted
  let displayName;

  const need = (value, step) => {
    if (value === undefined || value === null) throw new Error(`cannot run: ${step} did not complete`);
  };

  before(async () => {
    const match = ENROLL_LINE.exec(server.output());
    assert.ok(match, `no "try enrollment" line in the server's output:\n${server.output()}`);
    [, customer.no, customer.idTail] = match;
    context1 = await newContext(browser, MOBILE);
    page1 = await context1.newPage();
  });

  after(async () => {
    await context1?.close();
  });

  test('1. the demo customer activates online banking with the SMS code', STEP_TIMEOUT, async () => {
    assert.equal(customer.no, 'C00000003', 'the server suggests another customer for enrollment');
    await withChecks(async (check) => {
      await open(page1, '/enroll');
      assert.equal((await page1.locator('h1').textContent()).trim(), ZH.enroll_title);
      await check(page1, '/enroll');
      await page1.getByLabel(ZH.field_customer_no).fill(customer.no);
      await page1.getByLabel(ZH.field_id_tail).fill(customer.idTail);
      const sendSame = await submitTo(page1, page1.getByRole('button', { name: ZH.enroll_send_code, exact: true }), '/enroll/verify');
      assert.ok(sendSame, '"send the code" reloaded the page: the WASM did not handle the form');
      await noAlert(page1, '/enroll/verify');
      assert.equal((await page1.locator('h1').textContent()).trim(), ZH.enroll_verify_title);
      const masked = (await page1.locator('main strong').first().textContent()).trim();
      assert.match(masked, /^\d{3}\*{4}\d{4}$/, 'the masked phone number');
      await check(page1, '/enroll/verify');

      // The SMS, in another tab of the same browser.
      const outbox = await context1.newPage();
      await open(outbox, '/dev/outbox');
      await check(outbox, '/dev/outbox');
      const messages = await outbox.locator('li.message').evaluateAll((items) =>
        items.map((li) => ({ recipient: li.dataset.recipient, body: li.querySelector('.body')?.textContent ?? '' })));
      const sms = messages.find((m) => m.recipient?.startsWith(masked.slice(0, 3)) && m.recipient.endsWith(masked.slice(-4)));
      assert.ok(sms, `no message to ${masked} in the outbox: ${JSON.stringify(messages)}`);
      const code = /验证码\s*(\d{6})/.exec(sms.body)?.[1];
      assert.ok(code, `no code in the SMS "${sms.body}"`);
      assert.match(sms.body, new RegExp(`code is ${code}`), 'the English part of the SMS has another code');
      assert.deepEqual(jsErrors(outbox), [], 'errors in /dev/outbox');
      await outbox.close();

      await page1.getByLabel(ZH.field_sms_code).fill(code);
      await page1.getByLabel(ZH.field_new_username).fill(USERNAME);
      await page1.getByLabel(ZH.field_new_password).fill(PASSWORD);
      await page1.getByRole('button', { name: ZH.enroll_finish, exact: true }).click();
      await page1.waitForURL((u) => u.pathname === '/login' || u.searchParams.has('__err'));
      await noAlert(page1, 'finishing the enrollment');
      const landed = new URL(page1.url());
      assert.equal(`${landed.pathname}${landed.search}`, '/login?enrolled=1');
      await page1.locator('p.success[role="status"]').waitFor();
      assert.equal((await page1.locator('p.success[role="status"]').textContent()).trim(), ZH.enrolled_now_login);
      await check(page1, '/login?enrolled=1 (390 px)');
      await screenshot(page1, 'login-enrolled-zh-390');
      assert.deepEqual(jsErrors(page1), [], 'errors in the page');
      customer.enrolled = true;
    });
  });

  test('2. logs in with the password and sets up the authenticator app', STEP_TIMEOUT, async () => {
    need(customer.enrolled, 'step 1 (enrollment)');
    await withChecks(async (check) => {
      await open(page1, '/login');
      await check(page1, '/login (390 px)');
      await screenshot(page1, 'login-zh-390');
      await page1.getByLabel(ZH.field_username, { exact: true }).fill(USERNAME);
      await page1.getByLabel(ZH.field_password, { exact: true }).fill(PASSWORD);
      const same = await submitTo(page1, page1.getByRole('button', { name: ZH.login_submit, exact: true }), '/accounts');
      assert.ok(same, 'the log-in reloaded the page: the WASM did not handle the form');
      await noAlert(page1, '/accounts after log-in');
      assert.equal((await page1.locator('h1').textContent()).trim(), ZH.acct_overview_title);
      await page1.locator('header .account-nav a.who').waitFor();
      displayName = await headerName(page1);
      assert.ok(displayName, 'no name in the header');
      assert.equal(await page1.locator('header .account-nav a.who').getAttribute('href'), '/accounts');
      // To the security settings through the main menu (a client-side navigation).
      await page1.getByRole('navigation', { name: ZH.nav_sections }).getByRole('link', { name: ZH.nav_security, exact: true }).click();
      await waitForPath(page1, '/security');
      assert.equal((await page1.locator('h1').textContent()).trim(), ZH.security_title);
      await check(page1, '/security (signed in, no second factor, 390 px)');
      await screenshot(page1, 'security-zh-390');

      // The page has other panels with a code field (e.g. the password change's step-up).
      const panel = page1.getByRole('region', { name: ZH.totp_title, exact: true });
      await panel.getByRole('button', { name: ZH.totp_start, exact: true }).click();
      await panel.locator('.qr svg').waitFor();
      const shown = (await panel.locator('code[data-testid="totp-secret"]').textContent()).trim();
      assert.match(shown, /^[A-Z2-7]{4}( [A-Z2-7]{4}){7}$/, `the secret "${shown}" is not 32 base32 characters in groups of four`);
      assert.equal(base32Decode(shown).length, 20, 'the secret is not 160 bits');
      await check(page1, '/security with the QR code (390 px)');
      await screenshot(page1, 'security-qr-zh-390');

      const { code, step } = await freshCode(shown);
      await panel.getByLabel(ZH.field_totp_code, { exact: true }).fill(code);
      await panel.getByRole('button', { name: ZH.totp_confirm, exact: true }).click();
      await panel.locator('ol.recovery-codes li').first().waitFor();
      await noAlert(page1, 'confirming the authenticator');
      secret = shown;
      usedStep = step;
      const codes = (await panel.locator('ol.recovery-codes li').allTextContents()).map((s) => s.trim());
      assert.equal(codes.length, 10, `recovery codes: ${JSON.stringify(codes)}`);
      assert.equal(new Set(codes).size, 10, 'recovery codes repeat');
      assert.equal(await page1.locator('.qr svg').count(), 0, 'the QR code is still shown next to the recovery codes');
      await check(page1, '/security with the recovery codes (390 px)');
      await screenshot(page1, 'security-recovery-codes-zh-390');

      const [saved] = await Promise.all([
        page1.waitForResponse((r) => new URL(r.url()).pathname === '/api/recovery_codes_saved'),
        panel.getByRole('button', { name: ZH.recovery_codes_saved, exact: true }).click(),
      ]);
      assert.ok(saved.ok(), `"I have saved the codes" answered ${saved.status()}`);
      // Checked after the rest of the step, so that one failure does not hide others.
      const codesStayed = await page1.locator('ol.recovery-codes').waitFor({ state: 'detached', timeout: 10_000 })
        .then(() => false, () => true);
      assert.equal(pathOf(page1), '/security');
      // The set-up is done: the events say so, and a reload does not show the codes again.
      await page1.reload();
      await waitForHydration(page1);
      assert.equal(await page1.locator('ol.recovery-codes').count(), 0, 'the recovery codes are shown again after a reload');
      const events = await page1.locator('ul.event-list li').allTextContents();
      for (const name of [ZH.event_enrolled, ZH.event_totp_enabled]) {
        assert.ok(events.some((e) => e.includes(name)), `no "${name}" among the security events: ${JSON.stringify(events)}`);
      }
      assert.deepEqual(jsErrors(page1), [], 'errors in the page');
      assert.ok(!codesStayed, 'after "I have saved the codes" (answered with a redirect to /security) the recovery '
        + 'codes stayed on the page until a reload');
    });
  });

  test('3. logs out with the header button: landing page, signed out', STEP_TIMEOUT, async () => {
    need(secret, 'step 2 (authenticator set-up)');
    await page1.getByRole('button', { name: ZH.logout, exact: true }).click();
    await waitForPath(page1, '/');
    await page1.locator('header .account-nav').waitFor({ state: 'detached' });
    assert.equal(await page1.locator('a[href="/login"]').first().isVisible(), true, 'no log-in link on the landing page');
    // Signed out on the server too, not just on the page.
    await page1.reload();
    await waitForHydration(page1);
    assert.equal(await headerName(page1), null, 'still signed in after a reload');
    await page1.goto(at('/security'));
    await waitForHydration(page1);
    assert.equal(await headerName(page1), null, '/security shows a signed-in name after log-out');
    assert.ok((await alerts(page1)).includes(ZH.error_unauthenticated), '/security after log-out does not say "log in first"');
    assert.deepEqual(jsErrors(page1), [], 'errors in the page');
  });

  test('4. logs in again: password, then the authenticator code', STEP_TIMEOUT, async () => {
    need(secret, 'step 2 (authenticator set-up)');
    await withChecks(async (check) => {
      await submitPassword(page1, USERNAME, PASSWORD);
      await noAlert(page1, 'password');
      assert.equal(pathOf(page1), '/login/verify', 'the password did not lead to the second factor');
      assert.equal(await headerName(page1), null, 'signed in before the second factor');
      assert.equal((await page1.locator('h1').textContent()).trim(), ZH.verify_title);
      await check(page1, '/login/verify (390 px)');
      const { step, sameDocument } = await submitTotp(page1, secret, usedStep);
      usedStep = step;
      assert.ok(sameDocument, 'the code form reloaded the page: the WASM did not handle it');
      await noAlert(page1, '/accounts after the second factor');
      await page1.locator('header .account-nav a.who').waitFor();
      assert.equal(await headerName(page1), displayName);
      await open(page1, '/security');
      assert.deepEqual(jsErrors(page1), [], 'errors in the page');
      customer.signedInAgain = true;
    });
  });

  test('5. a second browser signs in; the first ends that session', STEP_TIMEOUT, async () => {
    need(customer.signedInAgain, 'step 4 (log-in with the second factor)');
    await withChecks(async (check) => {
      await withPage(DESKTOP, async (page2) => {
        await submitPassword(page2, USERNAME, PASSWORD);
        await noAlert(page2, 'password in the second browser');
        assert.equal(pathOf(page2), '/login/verify');
        await check(page2, '/login/verify (1280 px)');
        const { step } = await submitTotp(page2, secret, usedStep);
        usedStep = step;
        await noAlert(page2, '/accounts in the second browser');
        await page2.locator('header .account-nav a.who').waitFor();
        assert.equal(await headerName(page2), displayName);
        await open(page2, '/security');

        await page1.reload();
        await waitForHydration(page1);
        const sessions = page1.locator('li.session');
        assert.equal(await sessions.count(), 2, `sessions listed: ${JSON.stringify(await sessions.allTextContents())}`);
        assert.equal(await page1.locator('li.session[data-current="true"]').count(), 1, 'not exactly one "this device"');
        const other = page1.locator('li.session[data-current="false"]');
        assert.equal(await other.count(), 1);
        assert.equal(await page1.locator('li.session[data-current="true"]').getByRole('button').count(), 0,
          'the current session has an "end" button');
        await check(page1, '/security with two sessions (390 px)');
        await screenshot(page1, 'security-sessions-zh-390');

        await other.getByRole('button', { name: ZH.session_end, exact: true }).click();
        await page1.locator('li.session[data-current="false"]').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {
          throw new Error('the ended session is still listed');
        });
        await noAlert(page1, 'ending the other session');
        assert.equal(await page1.locator('li.session').count(), 1);
        assert.equal(await headerName(page1), displayName, 'the first browser lost its own session');

        // The second browser is signed out.
        await page2.reload();
        await waitForHydration(page2);
        assert.equal(await headerName(page2), null, 'the ended session still shows a name in the header');
        assert.ok((await alerts(page2)).includes(ZH.error_unauthenticated),
          `/security in the ended session does not say "log in first": ${JSON.stringify(await alerts(page2))}`);
        assert.equal(await page2.locator('li.session').count(), 0, 'the ended session still lists sessions');
        await check(page2, '/security, signed out (1280 px)');
        assert.deepEqual(jsErrors(page2), [], 'errors in the second browser');
      });
      // The first browser still works, and the end is in the events.
      await page1.reload();
      await waitForHydration(page1);
      assert.equal(await headerName(page1), displayName);
      const events = await page1.locator('ul.event-list li').allTextContents();
      assert.ok(events.some((e) => e.includes(ZH.event_session_ended)), `no "${ZH.event_session_ended}" event: ${JSON.stringify(events)}`);
      assert.deepEqual(jsErrors(page1), [], 'errors in the first browser');
    });
  });
});

describe('log-in without WASM', () => {
  test('a wrong password shows the translated error and stays on /login', STEP_TIMEOUT, async () => {
    await withPage({ ...CHINESE, javaScriptEnabled: false }, async (page) => {
      await page.goto(at('/login'));
      await page.getByLabel(ZH.field_username, { exact: true }).fill('demo1');
      await page.getByLabel(ZH.field_password, { exact: true }).fill(`${DEMO_PASSWORD}-wrong`);
      const [post] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/login' && r.request().method() === 'POST'),
        page.getByRole('button', { name: ZH.login_submit, exact: true }).click(),
      ]);
      assert.ok(post.status() >= 300 && post.status() < 400, `the plain form POST answered ${post.status()}, not a redirect`);
      await page.locator('p.error[role="alert"]').waitFor();
      await page.waitForLoadState('load');
      assert.equal(pathOf(page), '/login');
      assert.deepEqual(await alerts(page), [ZH.error_invalid_credentials]);
      assert.equal(await page.locator('html').getAttribute('data-hydrated'), null, 'no JS, yet hydrated?');
      assert.equal(await headerName(page), null);
    });
  });
});
