// Search (issue 14): the committed relevance list (tests/browser/relevance.json) against the
// bundled site, served with `default-src 'self'`; result counts announced in an aria-live region;
// the form, the results and "show more" work with the keyboard only; without JavaScript the page
// says so and links to the chapters; a query loads only some shards of the split index.

import { after, before, describe, it } from 'node:test';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import {
  assertNoProblems, langPrefix, LANGS, launchBrowser, removeDir, REPO, runAxe, scratchDir, siteDir,
  startStaticServer, watchPage,
} from './harness.mjs';

const SITE = siteDir();
const RELEVANCE = JSON.parse(readFileSync(path.join(REPO, 'tests', 'browser', 'relevance.json'), 'utf8'));

/** Opens the search page of `lang` with `q` and waits until the results are shown. */
async function searchFor(page, server, lang, q) {
  await page.goto(server.url(`${langPrefix(lang)}search/?q=${encodeURIComponent(q)}`), { waitUntil: 'load' });
  await page.waitForFunction(() => document.getElementById('search-app')?.hasAttribute('data-results'), null, { timeout: 15000 });
}

/** The first `n` results as paths from the site root, without `index.html` or fragment. */
async function topResults(page, origin, n) {
  const hrefs = await page.$$eval('#search-list li a', (as) => as.map((a) => a.href));
  return hrefs.slice(0, n).map((h) => h.slice(origin.length + 1).split('#')[0].replace(/index\.html$/, ''));
}

describe('search on the bundled site', () => {
  let browser;
  let server;
  before(async () => {
    server = await startStaticServer(SITE);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it(`the relevance list (${RELEVANCE.queries.length} queries) finds each expected page in the top 3`, async () => {
    if (RELEVANCE.queries.length < 20) throw new Error('the relevance list needs at least 20 queries');
    const context = await browser.newContext();
    const problems = [];
    try {
      const page = await context.newPage();
      const log = watchPage(page, server.origin);
      for (const { lang, q, expect } of RELEVANCE.queries) {
        await searchFor(page, server, lang, q);
        const top = await topResults(page, server.origin, 3);
        if (!top.includes(expect)) problems.push(`[${lang}] "${q}": expected ${expect} in the top 3, got ${JSON.stringify(top)}`);
      }
      problems.push(...log.problems());
    } finally {
      await context.close();
    }
    assertNoProblems('relevance list', problems);
  });

  it('results link to the heading nearest the match and checklist items to their question', async () => {
    const context = await browser.newContext();
    const problems = [];
    try {
      const page = await context.newPage();
      await searchFor(page, server, 'es', 'regalos');
      const hrefs = await page.$$eval('#search-list li a', (as) => as.map((a) => a.getAttribute('href')));
      const items = hrefs.filter((h) => /checklists\/[a-z-]+\/#[a-z]+-\d+$/.test(h));
      if (items.length < 3) problems.push(`"regalos" gives ${items.length} checklist items, expected items of several sectors: ${hrefs.join(', ')}`);
      const chapter = hrefs.find((h) => h.includes('liderazgo-y-codigo-de-conducta/#'));
      if (!chapter) problems.push(`no result links into a heading of the code-of-conduct chapter: ${hrefs.join(', ')}`);
      await page.waitForSelector('#search-list mark', { timeout: 15000 }).catch(() => {});
      const marks = await page.$$eval('#search-list mark', (ms) => ms.map((m) => m.textContent.toLowerCase()));
      if (!marks.some((m) => m.startsWith('regalo'))) problems.push(`no highlighted "regalo…" in the excerpts: ${marks.join(', ')}`);
      // Follow an item link: the question is on the page under that id.
      if (items[0]) {
        await page.goto(new URL(items[0], page.url()).href, { waitUntil: 'load' });
        const id = items[0].split('#')[1];
        if (!(await page.locator(`[id="${id}"]`).count())) problems.push(`${items[0]} has no element #${id}`);
      }
    } finally {
      await context.close();
    }
    assertNoProblems('result links', problems);
  });

  for (const lang of LANGS) {
    it(`(${lang}) the count is announced, the keyboard alone searches and opens a result, axe finds nothing`, async () => {
      const context = await browser.newContext();
      const problems = [];
      try {
        const page = await context.newPage();
        const log = watchPage(page, server.origin);
        await page.goto(server.url(`${langPrefix(lang)}search/`), { waitUntil: 'load' });
        const live = await page.locator('#search-summary').getAttribute('aria-live');
        if (live !== 'polite') problems.push(`#search-summary has aria-live=${live}, expected polite`);
        // Tab from the top of the page to the search field, type, and submit with Enter.
        let focused = '';
        for (let i = 0; i < 40 && focused !== 'search-input'; i += 1) {
          await page.keyboard.press('Tab');
          focused = await page.evaluate(() => document.activeElement?.id || '');
        }
        if (focused !== 'search-input') problems.push('Tab never reaches the search field');
        await page.keyboard.type(lang === 'es' ? 'integridad' : 'integrity');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.getElementById('search-app')?.hasAttribute('data-results'), null, { timeout: 15000 });
        const count = Number(await page.locator('#search-app').getAttribute('data-results'));
        const summary = await page.locator('#search-summary').textContent();
        if (!(count > 10)) problems.push(`only ${count} results for integridad/integrity`);
        if (!summary.includes(String(count))) problems.push(`the announced summary "${summary}" does not give the count ${count}`);
        problems.push(...(await runAxe(page, 'search with results')));
        // "Show more" is a button reached by Tab; it moves focus to the first new result.
        const more = page.locator('#search-more');
        if (!(await more.isVisible())) problems.push('no "show more" button with more than 10 results');
        else {
          await more.focus();
          await page.keyboard.press('Enter');
          await page.waitForFunction(() => document.activeElement?.closest('#search-list'), null, { timeout: 15000 }).catch(() => {});
          const index = await page.evaluate(() => [...document.querySelectorAll('#search-list li a')].indexOf(document.activeElement));
          if (index !== 10) problems.push(`after "show more", focus is on result ${index}, expected the 11th (index 10)`);
          // The new results' excerpts are still arriving: leaving the page now would abort them.
          await page.waitForLoadState('networkidle');
          const opened = page.waitForURL((u) => !u.pathname.includes('/search/'), { timeout: 15000 }).then(() => true, () => false);
          await page.keyboard.press('Enter');
          if (!(await opened)) problems.push('Enter on a focused result did not open it');
        }
        problems.push(...log.problems());
      } finally {
        await context.close();
      }
      assertNoProblems(`keyboard search (${lang})`, problems);
    });

    it(`(${lang}) without JavaScript the page says search needs it and links to the chapters`, async () => {
      const context = await browser.newContext({ javaScriptEnabled: false });
      const problems = [];
      try {
        const page = await context.newPage();
        await page.goto(server.url(`${langPrefix(lang)}search/?q=x`), { waitUntil: 'load' });
        const note = page.locator('main .search-nojs');
        if (!(await note.isVisible())) problems.push('no visible no-script note (.search-nojs)');
        else if (!(await note.innerText()).toLowerCase().includes('javascript')) problems.push('the note does not say that search needs JavaScript');
        const links = await page.$$eval('main .search-nojs a', (as) => as.map((a) => a.getAttribute('href')));
        if (!links.some((h) => /toolkit\/$/.test(h))) problems.push(`the note does not link to the chapter list: ${JSON.stringify(links)}`);
      } finally {
        await context.close();
      }
      assertNoProblems(`search without JavaScript (${lang})`, problems);
    });
  }

  it('a query loads the manifest and a few shards, not the whole index', async () => {
    const context = await browser.newContext();
    const problems = [];
    try {
      const page = await context.newPage();
      const loaded = [];
      page.on('request', (request) => {
        const url = request.url();
        if (url.includes('/search-index.')) loaded.push(url.slice(server.origin.length));
      });
      await searchFor(page, server, 'es', 'denuncia');
      const shards = loaded.filter((u) => /\/s-[^/]+$/.test(u));
      if (!loaded.some((u) => /^\/search-index\.es\.[0-9a-f]+\.js$/.test(u))) problems.push(`no manifest loaded: ${loaded.join(', ')}`);
      if (shards.length < 1 || shards.length > 3) problems.push(`"denuncia" loaded ${shards.length} term shards: ${shards.join(', ')}`);
      const texts = loaded.filter((u) => /\/t-\d+\.[0-9a-f]+\.js$/.test(u));
      if (texts.length > 10) problems.push(`${texts.length} result texts loaded for the first 10 results`);
    } finally {
      await context.close();
    }
    assertNoProblems('what a query loads', problems);
  });
});

// A mirror copied by crawling lacks the index's shards: search must not claim that nothing
// matches, but say that the index could not be loaded, in the page's language.
describe('search on a copy whose index lost its term shards', () => {
  let browser;
  let server;
  let dir;
  before(async () => {
    dir = scratchDir('search-broken-');
    cpSync(SITE, dir, { recursive: true });
    for (const lang of LANGS) {
      const shards = path.join(dir, `search-index.${lang}`);
      for (const name of readdirSync(shards)) {
        // Titles (`m-*`) and texts (`t-*`) stay; the term shards go.
        if (!/^[mt]-/.test(name)) rmSync(path.join(shards, name));
      }
    }
    server = await startStaticServer(dir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    removeDir(dir);
  });

  for (const [lang, q, expected] of [
    ['es', 'soborno', 'No se pudo cargar una parte del índice de búsqueda'],
    ['en', 'bribery', 'Part of the search index could not be loaded'],
  ]) {
    it(`[${lang}] "${q}" says the index could not be loaded and suggests reloading`, async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await searchFor(page, server, lang, q);
        const summary = await page.textContent('#search-summary');
        if (!summary.includes(expected)) throw new Error(`summary: ${summary}`);
        if (!/Recargue|Reload/.test(summary)) throw new Error(`no advice to reload: ${summary}`);
      } finally {
        await context.close();
      }
    });
  }
});
