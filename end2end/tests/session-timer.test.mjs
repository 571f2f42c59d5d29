// The idle warning: a minute before an idle session would end, a dialog offers to
// stay signed in, and taking it keeps the session. The server runs with a 2-minute
// idle limit, so the warning comes after one minute: this file takes ~70 s.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../support/server.mjs';
import { checkA11y, launchBrowser, newContext, pageErrors, waitForHydration } from '../support/browser.mjs';

const CHINESE = { locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } };

let server;
let browser;

before(async () => {
  server = await startServer({ PORTAL_SESSION_IDLE_MINUTES: '2' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a minute before idle expiry the portal offers to stay signed in', { timeout: 150_000 }, async () => {
  const context = await newContext(browser, CHINESE);
  try {
    const page = await context.newPage();
    await page.goto(new URL('login', server.url).href);
    await page.fill('#username', 'demo2');
    await page.fill('#password', 'village-post-demo-2026');
    await Promise.all([page.waitForURL(/\/accounts$/), page.click('form[action="/api/login"] button[type=submit]')]);
    await page.goto(new URL('security', server.url).href);
    await waitForHydration(page);
    const warning = page.locator('.session-warning');
    assert.equal(await warning.count(), 0, 'no warning while the session is fresh');

    // 120 s idle limit, warning 60 s before: it appears after about a minute.
    await warning.waitFor({ state: 'visible', timeout: 75_000 });
    const stay = warning.locator('button');
    assert.equal(await stay.evaluate((b) => b === document.activeElement), true, 'focus moves to the dialog');
    await checkA11y(page, 'security page with the idle warning');

    await stay.click();
    await warning.waitFor({ state: 'hidden', timeout: 10_000 });
    // Still signed in: the session list is there, and the server agrees.
    await page.reload();
    assert.equal(await page.locator('li.session').count() >= 1, true, 'still signed in after "stay"');
    assert.deepEqual(pageErrors(page), [], 'no errors in the page');
  } finally {
    await context.close();
  }
});
