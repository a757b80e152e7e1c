// Opens archnb HTML reports in headless Chromium and prints one JSON line: for each page, its console
// and page errors and what plotly.js drew (figures, drawn figures, main SVGs).
// Usage: node check-reports.mjs <chromium> <profile dir> <page.html>...
// ARCHNB_SCREENSHOT_DIR=dir keeps a full-page PNG of each page (named after it) for a person to look at.
import { launchHeadless } from './headless-chromium.mjs';
import { pathToFileURL } from 'node:url';
import { basename, join } from 'node:path';

const [executablePath, profile, ...pages] = process.argv.slice(2);
const context = await launchHeadless(executablePath, profile, { viewport: { width: 1100, height: 900 } });
const results = [];
try {
  for (const pagePath of pages) {
    const errors = [];
    const page = await context.newPage();
    page.on('console', m => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
    page.on('pageerror', e => errors.push('page: ' + e.message));
    await page.goto(pathToFileURL(pagePath).href, { waitUntil: 'load' });
    const expected = await page.locator('.archnb-figure').count();
    await page.waitForFunction(n => document.querySelectorAll('.js-plotly-plot').length >= n, expected, { timeout: 60000 })
      .catch(() => errors.push('timeout: not every figure was drawn'));
    const report = await page.evaluate(() => ({
      title: document.title,
      figures: document.querySelectorAll('.archnb-figure').length,
      drawn: document.querySelectorAll('.js-plotly-plot').length,
      mainSvgs: document.querySelectorAll('svg.main-svg').length,
      tables: document.querySelectorAll('table').length,
      textLength: document.body.innerText.length,
    }));
    if (process.env.ARCHNB_SCREENSHOT_DIR)
      await page.screenshot({ path: join(process.env.ARCHNB_SCREENSHOT_DIR, basename(pagePath, '.html') + '.png'), fullPage: true });
    results.push({ page: pagePath, errors, ...report });
    await page.close();
  }
  console.log(JSON.stringify(results));
} finally {
  await context.close();
}
