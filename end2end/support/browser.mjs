// Chromium via playwright-core (Debian's build, no downloaded browsers), an axe-core
// accessibility check and a screenshot helper.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const E2E_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOT_DIR = path.join(E2E_ROOT, 'screenshots');
const AXE_PATH = require.resolve('axe-core/axe.min.js');

/** Default time to wait for a selector, a navigation or the first hydration. */
export const TIMEOUT_MS = 30_000;

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const ERRORS = new WeakMap();

const PANIC_WAITERS = new WeakMap();
const isPanic = (text) => text.includes('panicked at');

function record(page, text) {
  if (!page) return;
  if (!ERRORS.has(page)) ERRORS.set(page, []);
  ERRORS.get(page).push(text);
  if (isPanic(text)) PANIC_WAITERS.get(page)?.();
}

/**
 * A fresh context (own cookies, own storage) with the default timeouts set. It
 * records uncaught exceptions and console errors of its pages (see `pageErrors`).
 */
export async function newContext(browser, options = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  context.on('weberror', (err) => record(err.page(), `uncaught: ${err.error().message}`));
  context.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url;
    // Chromium asks for /favicon.ico on its own; the portal links no icon (yet).
    if (where && new URL(where).pathname === '/favicon.ico') return;
    record(msg.page(), `console.error: ${msg.text()}${where ? ` (${where})` : ''}`);
  });
  return context;
}

/** Uncaught exceptions and console errors seen in `page` so far (a WASM panic shows in both). */
export function pageErrors(page) {
  return [...(ERRORS.get(page) ?? [])];
}

/** Waits until the WASM bundle has hydrated the page (`<html data-hydrated="true">`). */
// Fails at once if the WASM panics (a panic stops hydration for good).
export async function waitForHydration(page) {
  const failure = (why, cause) => {
    const errors = pageErrors(page);
    const seen = errors.length ? `errors in the page:\n  ${errors.join('\n  ')}` : 'no errors in the page';
    return new Error(`${page.url()} did not hydrate: ${why} (${seen})`, { cause });
  };
  if (pageErrors(page).some(isPanic)) throw failure('the WASM panicked');
  const panicked = new Promise((resolve) => PANIC_WAITERS.set(page, () => resolve('panic')));
  try {
    const hydrated = page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: TIMEOUT_MS });
    hydrated.catch(() => {}); // if the panic wins the race
    if ((await Promise.race([hydrated, panicked])) === 'panic') throw failure('the WASM panicked');
  } catch (err) {
    if (err.message.includes('did not hydrate')) throw err;
    throw failure(`no data-hydrated="true" within ${TIMEOUT_MS / 1000} s`, err);
  } finally {
    PANIC_WAITERS.delete(page);
  }
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA) on the page and throws, listing every
 * violation, if there is any. Needs JavaScript enabled in the page's context.
 */
export async function checkA11y(page, label) {
  // Through the DevTools protocol, not a <script> tag: the portal's CSP (rightly)
  // refuses scripts without its nonce, and the pages keep their real CSP here.
  await page.evaluate(readFileSync(AXE_PATH, 'utf8'));
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const violations = results.violations;
  if (violations.length === 0) return;
  const report = violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `      - ${JSON.stringify(n.target)}${n.failureSummary ? `\n        ${n.failureSummary.replace(/\n/g, '\n        ')}` : ''}`)
        .join('\n');
      return `  * ${v.id} [${v.impact}] ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
  throw new Error(`${violations.length} accessibility violation(s) on ${label} (${page.url()}):\n${report}`);
}

/** Saves a full-page PNG as end2end/screenshots/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  // Text in the final font, not a fallback mid-swap.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
