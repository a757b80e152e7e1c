// Opens an HTML page in headless Chromium and reports, as one JSON line, the console errors and
// what plotly.js drew: figures, their main SVGs (with sizes), heatmap images and canvases.
// Usage: node check-page.mjs <page.html> <chromium executable> <profile dir>  (ARCHNB_SCREENSHOT=out.png to keep a picture)
import { launchHeadless } from './headless-chromium.mjs';
import { pathToFileURL } from 'node:url';

const [pagePath, executablePath, profile] = process.argv.slice(2);
const context = await launchHeadless(executablePath, profile);
const errors = [];
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', m => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  page.on('pageerror', e => errors.push('page: ' + e.message));
  await page.goto(pathToFileURL(pagePath).href, { waitUntil: 'load' });
  const expected = await page.locator('.archnb-figure').count();
  await page.waitForFunction(n => document.querySelectorAll('.js-plotly-plot').length >= n, expected, { timeout: 60000 })
    .catch(() => errors.push('timeout: not every figure was drawn'));
  const report = await page.evaluate(() => {
    const figures = [...document.querySelectorAll('.archnb-figure')].map(div => {
      const svgs = [...div.querySelectorAll('svg.main-svg')];
      const box = svgs[0]?.getBoundingClientRect();
      return {
        id: div.id,
        drawn: div.classList.contains('js-plotly-plot'),
        mainSvgs: svgs.length,
        width: box ? box.width : 0,
        height: box ? box.height : 0,
        heatmapImages: div.querySelectorAll('g.hm image').length,
        canvases: div.querySelectorAll('canvas').length,
        marks: div.querySelectorAll('g.trace path, g.trace rect, g.point path, g.hm image').length,
        tickLabels: [...div.querySelectorAll('g.xtick text, g.ytick text')].map(t => t.textContent),
      };
    });
    return { figures, title: document.title };
  });
  // ARCHNB_SCREENSHOT=path.png keeps a full-page picture for a person to look at.
  if (process.env.ARCHNB_SCREENSHOT) await page.screenshot({ path: process.env.ARCHNB_SCREENSHOT, fullPage: true });
  console.log(JSON.stringify({ errors, ...report }));
} finally {
  await context.close();
}
