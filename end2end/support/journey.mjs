// What the journeys through the Chinese portal share (inquiries, consultations, the
// advisor's side): the browser contexts, opening a page, the checks every page gets,
// and signing a demo customer or a demo staff member in. Nothing here knows the
// server: the functions take the browser and an `at(path)` (the path resolved
// against the server's URL, see `address`) as parameters.
import assert from 'node:assert/strict';
import { checkA11y, newContext, screenshot, waitForHydration } from './browser.mjs';
import { DEMO_PASSWORD } from './demo.mjs';
import { loadLocale } from './locale.mjs';
import { freshCode } from './totp.mjs';

const ZH = loadLocale('zh-CN');

export const CHINESE = { locale: 'zh-CN', extraHTTPHeaders: { 'Accept-Language': 'zh-CN,zh;q=0.9' } };
export const PHONE = { ...CHINESE, viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2, hasTouch: true };
export const DESKTOP = { ...CHINESE, viewport: { width: 1280, height: 800 } };
export const NARROW = { ...CHINESE, viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true };

/** `target` ("/login") resolved against `base`, the server's URL (ending with '/'). */
export function address(base, target) {
  return new URL(target.replace(/^\//, ''), base).href;
}

/** Fails a step whose earlier step (`what`) left `value` unset. */
export function need(value, what) {
  if (!value) assert.fail(`skipped: ${what} did not complete`);
}

/** `page.goto(url)` then hydration (skipped without JavaScript); returns the response. */
export async function open(page, url, { js = true } = {}) {
  const response = await page.goto(url);
  if (js) await waitForHydration(page);
  return response;
}

/** The trimmed text of `locator` ('' when it has none). */
export const text = async (locator) => (await locator.textContent())?.trim() ?? '';

/** The horizontal overflow of the page, in CSS pixels (0 or less when it fits). */
export const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Fails if the page shows an error (`p.error[role="alert"]`); `what` names the step. */
export async function noAlert(page, what) {
  const shown = await page.locator('p.error[role="alert"]').allTextContents();
  assert.deepEqual(shown.map((s) => s.trim()), [], `${what}: the page at ${page.url()} shows an error`);
}

/**
 * Axe and a screenshot (`<name>-zh-<width>`) at 390 px and at 1280 px, with
 * `fits320` first no sideways scrolling at 320 px; then back to the page's own width.
 */
export async function checkBothWidths(page, name, { fits320 = false } = {}) {
  const own = page.viewportSize();
  if (fits320) {
    await page.setViewportSize({ width: 320, height: 640 });
    const wider = await overflow(page);
    assert.ok(wider <= 0, `${name} is ${wider} px too wide at 320 px`);
  }
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 844 });
    await checkA11y(page, `${name} (${width} px)`);
    await screenshot(page, `${name}-zh-${width}`);
  }
  await page.setViewportSize(own);
}

/** Signs demo customer `username` in through /login (password alone) and waits for /accounts. */
export async function logIn(page, at, username) {
  await open(page, at('/login'));
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: ZH.login_submit, exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/accounts');
}

/**
 * Signs demo staff member `username` in to the console through /staff, in a new
 * DESKTOP context, setting up the authenticator; returns the page (on /staff/setup,
 * showing the recovery codes).
 */
export async function staffPage(browser, at, username) {
  const context = await newContext(browser, DESKTOP);
  const page = await context.newPage();
  await open(page, at('/staff'));
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: ZH.login_submit, exact: true }).click();
  await page.waitForURL((u) => u.pathname === '/staff/setup');
  await waitForHydration(page);
  // The second factor is mandatory for staff: set up the authenticator first.
  const panel = page.getByRole('region', { name: ZH.totp_title, exact: true });
  await panel.getByRole('button', { name: ZH.totp_start, exact: true }).click();
  const shown = (await panel.locator('code[data-testid="totp-secret"]').textContent()).trim();
  const { code } = await freshCode(shown);
  await panel.getByLabel(ZH.field_totp_code, { exact: true }).fill(code);
  await panel.getByRole('button', { name: ZH.totp_confirm, exact: true }).click();
  await panel.locator('ol.recovery-codes li').first().waitFor();
  return page;
}
