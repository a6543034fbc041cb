// Search benchmark (issue 14, point 1): serves a built site on loopback with `default-src
// 'self'`, opens its search page in headless Chromium, types each query key by key as a reader
// does, and reports what the page transferred (every file gzipped at level 6, as a server would
// send it) and the time from the last keystroke until the results are shown. Usage:
//
//     node scripts/search-bench.mjs PUBLIC_DIR [lang:query …]
//
// e.g. `node scripts/search-bench.mjs target/bench-site/public es:integridad "es:riesgos de corrupcion"`.

import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { launchBrowser, startStaticServer } from '../tests/browser/harness.mjs';

const [dir, ...args] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node scripts/search-bench.mjs PUBLIC_DIR [lang:query …]');
  process.exit(2);
}
const queries = args.length ? args : ['es:integridad', 'es:riesgos de corrupcion'];
const DEFAULT_LANG = 'es';

const gzipped = new Map();
function gzipSize(rel) {
  if (!gzipped.has(rel)) {
    let file = path.join(dir, decodeURIComponent(rel));
    if (rel.endsWith('/')) file = path.join(file, 'index.html');
    try {
      statSync(file);
      gzipped.set(rel, gzipSync(readFileSync(file), { level: 6 }).length);
    } catch {
      gzipped.set(rel, 0);
    }
  }
  return gzipped.get(rel);
}

const server = await startStaticServer(dir);
const browser = await launchBrowser();
const rows = [];
try {
  for (const spec of queries) {
    const [lang, ...rest] = spec.split(':');
    const query = rest.join(':');
    const context = await browser.newContext();
    const page = await context.newPage();
    const requested = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    const prefix = lang === DEFAULT_LANG ? '' : `${lang}/`;
    await page.goto(server.url(`/${prefix}search/`), { waitUntil: 'load' });
    const pageOnly = requested.slice();
    await page.focus('#search-input');
    let typed = '';
    let last = 0;
    for (const ch of query) {
      typed += ch;
      await page.keyboard.type(ch);
      last = await page.evaluate(() => performance.now());
    }
    const shown = await page.waitForFunction((q) => {
      const app = document.getElementById('search-app');
      const summary = document.getElementById('search-summary').textContent;
      return app.hasAttribute('data-results') && summary.includes(q.trim()) ? performance.now() : false;
    }, typed, { timeout: 30_000, polling: 'raf' });
    const at = await shown.jsonValue();
    const results = await page.getAttribute('#search-app', 'data-results');
    const total = (list) => list.reduce((sum, rel) => sum + gzipSize(rel), 0);
    rows.push({
      query: spec,
      results: Number(results),
      'page (KB gz)': (total(pageOnly) / 1000).toFixed(1),
      'query (KB gz)': (total(requested.slice(pageOnly.length)) / 1000).toFixed(1),
      'total (KB gz)': (total(requested) / 1000).toFixed(1),
      files: requested.length,
      'last key → results (ms)': Math.round(at - last),
    });
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
console.table(rows);
