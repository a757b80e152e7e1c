// Opens a report in headless Chromium and reports, as one JSON line, whether anything hostile ran while it
// loaded: the page's marker (window.__pwned, set only by injected script), dialogs (alert/confirm), every
// link and image target, any event-handler attribute, and whether the notebook's own HTML output was rendered.
// Usage: node check-report-safety.mjs <page.html> <chromium executable> <profile dir>
import { launchHeadless } from './headless-chromium.mjs';
import { pathToFileURL } from 'node:url';

const [pagePath, executablePath, profile] = process.argv.slice(2);
const context = await launchHeadless(executablePath, profile);
const dialogs = [];
try {
  const page = context.pages()[0] ?? await context.newPage();
  page.on('dialog', async d => { dialogs.push(d.message()); await d.dismiss(); });
  await page.goto(pathToFileURL(pagePath).href, { waitUntil: 'load' });
  // Broken images fire onerror shortly after load; give them time to do so.
  await page.waitForTimeout(500);
  const report = await page.evaluate(() => ({
    pwned: window.__pwned ?? null,
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    images: [...document.querySelectorAll('img[src]')].map(i => i.getAttribute('src').slice(0, 40)),
    handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
    ownHtml: document.querySelector('#own-output')?.tagName ?? null,
    svgScripts: document.querySelectorAll('svg script').length,
  }));
  console.log(JSON.stringify({ dialogs, ...report }));
} finally {
  await context.close();
}
