// The public landing page, the language switch and the not-found page, in a real
// Chromium against the real server binary. One server for the whole file; every
// test gets a fresh browser context (own cookies).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { REPO_ROOT, startServer } from '../support/server.mjs';
import { checkA11y, launchBrowser, newContext, pageErrors, screenshot, waitForHydration } from '../support/browser.mjs';

const TEST_TIMEOUT = { timeout: 90_000 };

const readTexts = (tag) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'app', 'locales', `${tag}.json`), 'utf8'));
const ZH = readTexts('zh-CN');
const EN = readTexts('en');
// From the demo data seeded into the empty database (app/src/backend/seed.rs).
const BRANCH = { zh: '县城营业部', en: 'County Town Office' };

// Chromium's own Accept-Language follows the machine's locale (usually en-US), so
// every context states its language: a Chinese-speaking customer by default.
const CHINESE = { locale: 'zh-CN' };
const MOBILE = { ...CHINESE, viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2, hasTouch: true };
const DESKTOP = { ...CHINESE, viewport: { width: 1280, height: 800 } };

let server;
let browser;
let url; // base URL, ends with '/'

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

/** GET with exactly the given headers (Node's fetch would add an Accept-Language). */
function rawGet(target, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(target, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

const htmlLang = (page) => page.evaluate(() => document.documentElement.lang);

async function langCookie(context) {
  const cookie = (await context.cookies(url)).find((c) => c.name === 'lang');
  return cookie?.value;
}

/** Asserts the landing page is in `texts`'s language: `<html lang>`, title, heading, branch. */
async function expectLanding(page, texts, tag, branch) {
  assert.equal(await htmlLang(page), tag);
  assert.equal((await page.locator('h1').textContent()).trim(), texts.hero_title);
  assert.equal((await page.locator('.brand-name').textContent()).trim(), texts.bank_name);
  assert.equal(await page.title(), `${texts.portal_name} · ${texts.bank_name}`);
  const login = page.locator('a[href="/login"]');
  assert.equal((await login.textContent()).trim(), texts.login_personal);
  const branches = await page.locator('.branch-list .branch h3').allTextContents();
  if (!branches.map((s) => s.trim()).includes(branch)) {
    const section = (await page.locator('section.branches').textContent())?.trim();
    assert.fail(`branch "${branch}" is not on the page; branch names found: ${JSON.stringify(branches)}; the branches section reads: "${section}"`);
  }
  const pressed = tag === 'en' ? 'en' : 'zh-CN';
  const other = tag === 'en' ? 'zh-CN' : 'en';
  assert.equal(await page.locator(`.language-switch button[value="${pressed}"]`).getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator(`.language-switch button[value="${other}"]`).getAttribute('aria-pressed'), 'false');
}

describe('landing page', () => {
  test('is rendered by the server (no JavaScript), in Chinese by default', TEST_TIMEOUT, async () => {
    // No language preference at all, or only unsupported ones: Chinese.
    for (const headers of [{}, { 'Accept-Language': 'fr-FR,fr;q=0.9' }]) {
      const { status, body } = await rawGet(url, headers);
      assert.equal(status, 200);
      assert.match(body, /<html[^>]* lang="zh-CN"/, `not Chinese for ${JSON.stringify(headers)}`);
    }
    await withPage({ javaScriptEnabled: false, locale: 'fr-FR' }, async (page) => {
      const response = await page.goto(url);
      assert.equal(response.status(), 200);
      const html = await response.text();
      assert.match(html, /<html[^>]* lang="zh-CN"/);
      assert.ok(html.includes(ZH.bank_name), 'bank name not in the server-rendered HTML');
      assert.ok(html.includes(BRANCH.zh), 'branch from the database not in the server-rendered HTML');
      await expectLanding(page, ZH, 'zh-CN', BRANCH.zh);
      assert.equal(await page.locator('a[href="/login"]').isVisible(), true);
      assert.equal(await page.locator('html').getAttribute('data-hydrated'), null, 'no JS, yet hydrated?');
    });
  });

  test('hydrates, and the language switch then works in place (no navigation)', TEST_TIMEOUT, async () => {
    await withPage({ ...DESKTOP }, async (page, context) => {
      await page.goto(url);
      await waitForHydration(page);
      await expectLanding(page, ZH, 'zh-CN', BRANCH.zh);
      await checkA11y(page, 'landing (zh-CN, hydrated)');

      let navigations = 0;
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations += 1;
      });
      await page.evaluate(() => { window.__noReload = 1; });
      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
      await page.getByRole('heading', { level: 1, name: EN.hero_title }).waitFor();

      await expectLanding(page, EN, 'en', BRANCH.en);
      assert.equal(await page.evaluate(() => window.__noReload), 1, 'the page was reloaded: the WASM did not handle the click');
      assert.equal(navigations, 0, 'the click navigated');
      assert.equal(await langCookie(context), 'en', 'the in-browser switch did not write the lang cookie');
      await checkA11y(page, 'landing (en, switched in the browser)');
      assert.deepEqual(pageErrors(page), [], 'errors in the page');
    });
  });

  test('the language choice survives a reload, and switching back works', TEST_TIMEOUT, async () => {
    await withPage({ ...DESKTOP }, async (page, context) => {
      await page.goto(url);
      await waitForHydration(page);
      await page.getByRole('button', { name: 'English' }).click();
      await page.locator('html[lang="en"]').waitFor({ state: 'attached' });

      let response = await page.reload();
      let html = await response.text();
      assert.match(html, /<html[^>]* lang="en"/, 'after reload the server did not render English');
      assert.ok(html.includes(EN.hero_title));
      await waitForHydration(page);
      await expectLanding(page, EN, 'en', BRANCH.en);

      await page.evaluate(() => { window.__noReload = 1; });
      await page.getByRole('button', { name: '中文' }).click();
      await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
      await page.getByRole('heading', { level: 1, name: ZH.hero_title }).waitFor();
      await expectLanding(page, ZH, 'zh-CN', BRANCH.zh);
      assert.equal(await page.evaluate(() => window.__noReload), 1);
      assert.equal(await langCookie(context), 'zh-CN');

      response = await page.reload();
      html = await response.text();
      assert.match(html, /<html[^>]* lang="zh-CN"/, 'after switching back and reloading the server did not render Chinese');
      await waitForHydration(page);
      await expectLanding(page, ZH, 'zh-CN', BRANCH.zh);
    });
  });

  test('the language switch works without WASM (form POST, cookie, redirect)', TEST_TIMEOUT, async () => {
    await withPage({ ...CHINESE, javaScriptEnabled: false }, async (page, context) => {
      await page.goto(url);
      const isSwitch = (r) => new URL(r.url()).pathname === '/locale' && r.request().method() === 'POST';

      const [post] = await Promise.all([
        page.waitForResponse(isSwitch),
        page.getByRole('button', { name: 'English' }).click(),
      ]);
      assert.equal(post.status(), 303);
      assert.equal(post.headers().location, '/');
      await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
      await page.waitForLoadState('load');
      assert.equal(page.url(), url);
      await expectLanding(page, EN, 'en', BRANCH.en);
      assert.equal(await langCookie(context), 'en');

      await Promise.all([page.waitForResponse(isSwitch), page.getByRole('button', { name: '中文' }).click()]);
      await page.locator('html[lang="zh-CN"]').waitFor({ state: 'attached' });
      await page.waitForLoadState('load');
      await expectLanding(page, ZH, 'zh-CN', BRANCH.zh);
      assert.equal(await langCookie(context), 'zh-CN');
    });
  });

  test('Accept-Language en-US gives English when there is no cookie', TEST_TIMEOUT, async () => {
    const options = { ...DESKTOP, locale: 'en-US', extraHTTPHeaders: { 'Accept-Language': 'en-US,en;q=0.9' } };
    await withPage(options, async (page, context) => {
      const response = await page.goto(url);
      assert.match(await response.text(), /<html[^>]* lang="en"/);
      await waitForHydration(page);
      // Hydration reads the language back from <html lang>: still English afterwards.
      await expectLanding(page, EN, 'en', BRANCH.en);
      assert.equal(await langCookie(context), undefined, 'a cookie was set without a choice');
      assert.deepEqual(pageErrors(page), [], 'errors in the page');
    });
  });
});

describe('not-found page', () => {
  test('an unknown path answers 404 with the not-found page', TEST_TIMEOUT, async () => {
    await withPage({ ...DESKTOP }, async (page) => {
      const response = await page.goto(new URL('no-such-page', url).href);
      assert.equal(response.status(), 404);
      await waitForHydration(page);
      assert.equal(await htmlLang(page), 'zh-CN');
      assert.equal((await page.locator('h1').textContent()).trim(), ZH.not_found_title);
      assert.ok((await page.locator('main').textContent()).includes(ZH.not_found_text));
      const home = page.locator('main a[href="/"]');
      assert.equal((await home.textContent()).trim(), ZH.not_found_home);
      await checkA11y(page, 'not-found (zh-CN, 1280 px)');
      await screenshot(page, 'not-found-zh-1280');

      // In English, switched in the browser.
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { level: 1, name: EN.not_found_title }).waitFor();
      assert.equal(await htmlLang(page), 'en');
      await checkA11y(page, 'not-found (en, 1280 px)');
    });
  });

  test('the language switch without WASM sends one back to the same path', TEST_TIMEOUT, async () => {
    await withPage({ ...CHINESE, javaScriptEnabled: false }, async (page) => {
      const target = new URL('no-such-page', url).href;
      await page.goto(target);
      const [post] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/locale'),
        page.getByRole('button', { name: 'English' }).click(),
      ]);
      assert.equal(post.headers().location, '/no-such-page');
      await page.getByRole('heading', { level: 1, name: EN.not_found_title }).waitFor();
      assert.equal(page.url(), target);
    });
  });

  test('screenshot and accessibility at 390 px', TEST_TIMEOUT, async () => {
    await withPage({ ...MOBILE }, async (page) => {
      const response = await page.goto(new URL('no-such-page', url).href);
      assert.equal(response.status(), 404);
      await waitForHydration(page);
      await checkA11y(page, 'not-found (zh-CN, 390 px)');
      await screenshot(page, 'not-found-zh-390');
    });
  });
});

describe('layout', () => {
  const sizes = [
    ['390', MOBILE],
    ['1280', DESKTOP],
  ];
  const languages = [
    ['zh', ZH, 'zh-CN', BRANCH.zh],
    ['en', EN, 'en', BRANCH.en],
  ];
  for (const [size, device] of sizes) {
    for (const [short, texts, tag, branch] of languages) {
      test(`landing page in ${tag} at ${size} px: accessibility and screenshot`, TEST_TIMEOUT, async () => {
        await withPage({ ...device }, async (page, context) => {
          if (tag !== 'zh-CN') await context.addCookies([{ name: 'lang', value: tag, url }]);
          await page.goto(url);
          await waitForHydration(page);
          await expectLanding(page, texts, tag, branch);
          await checkA11y(page, `landing (${tag}, ${size} px)`);
          await screenshot(page, `landing-${short}-${size}`);
        });
      });
    }
  }

  for (const [short, , tag] of languages) {
    test(`landing page in ${tag} at 320 px has no horizontal overflow`, TEST_TIMEOUT, async () => {
      await withPage({ ...CHINESE, viewport: { width: 320, height: 640 } }, async (page, context) => {
        if (tag !== 'zh-CN') await context.addCookies([{ name: 'lang', value: tag, url }]);
        await page.goto(url);
        await waitForHydration(page);
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        const { scrollWidth, offenders } = await page.evaluate(() => {
          const width = document.documentElement.clientWidth;
          const offenders = [...document.body.querySelectorAll('*')]
            .filter((el) => el.getBoundingClientRect().right > width + 0.5)
            .slice(0, 10)
            .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join('.')}` : ''} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
          return { scrollWidth: document.documentElement.scrollWidth, offenders };
        });
        assert.ok(scrollWidth <= 320, `page is ${scrollWidth} px wide at 320 px (${short}); too wide: ${offenders.join(', ')}`);
      });
    });
  }
});
