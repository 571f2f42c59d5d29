// Axe for a page seen without JavaScript. axe-core runs inside the page and needs its
// timers, which a `javaScriptEnabled: false` context never fires (checkA11y would wait
// for ever), so the page's HTML as the browser has it is shown again, at the same
// address and size, in a context with JavaScript on but the portal's scripts and
// WASM blocked: the same DOM and stylesheet, never hydrated.
import { checkA11y, newContext } from './browser.mjs';

export async function checkA11yWithoutJs(browser, page, label) {
  const html = await page.content();
  const where = page.url();
  const context = await newContext(browser, { viewport: page.viewportSize() ?? undefined });
  try {
    await context.route('**/*', (route) => {
      const request = route.request();
      if (request.resourceType() === 'document' && request.url() === where) {
        return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      }
      if (request.resourceType() === 'script' || /\.wasm(\?|$)/.test(request.url())) return route.abort();
      return route.continue();
    });
    const copy = await context.newPage();
    await copy.goto(where, { waitUntil: 'load' });
    await checkA11y(copy, label);
  } finally {
    await context.close();
  }
}
