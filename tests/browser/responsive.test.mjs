// Responsive, light and printable (issue 6 items 4 and 6): no horizontal scrolling at 320 px on
// any page, the main navigation reachable on a phone, a chapter under 60 KB of HTML + CSS + JS,
// content-hashed CSS and JS URLs, and chapters that print without navigation and with link URLs.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  assertNoProblems, chapterPaths, heaviestChapter, langPrefix, LANGS, launchBrowser, siteDir,
  startStaticServer, watchPage,
} from './harness.mjs';

const SITE = siteDir();
const BUDGET = 60 * 1024;

/** URL path of every page of the output (`…/index.html` and 404.html), redirect pages excluded. */
function allPages() {
  return readdirSync(SITE, { recursive: true })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f === '404.html' || f === 'index.html' || f.endsWith('/index.html'))
    .map((f) => (f === '404.html' ? '/404.html' : `/${f.slice(0, -'index.html'.length)}`))
    .sort();
}

/** The widest elements sticking out of the viewport, for a readable failure. */
async function overflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return null;
    const culprits = [];
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width && r.right > root.clientWidth + 1) {
        const parentSticks = el.parentElement && el.parentElement.getBoundingClientRect().right > root.clientWidth + 1;
        if (parentSticks && el.parentElement !== document.body) continue;
        const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : '') +
          (el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : '');
        culprits.push(`${name} (right edge ${Math.round(r.right)} px)`);
        if (culprits.length >= 4) break;
      }
    }
    return `scrollWidth ${root.scrollWidth} > clientWidth ${root.clientWidth}: ${culprits.join(', ')}`;
  });
}

describe('responsive, light and printable', () => {
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

  it('no page scrolls horizontally at 320 px', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const problems = [];
    const pages = allPages();
    assert.ok(pages.length > 10, `expected the whole site, found ${pages.length} pages`);
    for (const p of pages) {
      await page.goto(server.url(p), { waitUntil: 'load' });
      const wide = await overflow(page);
      if (wide) problems.push(`${p}: ${wide}`);
    }
    console.log(`checked ${pages.length} pages at 320 px`);
    await context.close();
    assertNoProblems('horizontal scrolling at 320 px', problems);
  });

  it('the main navigation is reachable on a phone', async () => {
    const context = await browser.newContext({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const problems = [];
    for (const lang of LANGS) {
      const chapter = chapterPaths(SITE, lang)[0];
      await page.goto(server.url(chapter));
      const navLinks = page.locator('header nav a[href*="toolkit/"]');
      if (!(await navLinks.count())) { problems.push(`${chapter}: no link to the toolkit in a header <nav>`); continue; }
      if (await navLinks.first().isVisible()) continue;
      const toggle = page.locator('header button[aria-expanded]');
      if (!(await toggle.count()) || !(await toggle.first().isVisible())) {
        problems.push(`${chapter}: the navigation is hidden at 320 px and no visible menu button (aria-expanded) opens it`);
        continue;
      }
      await toggle.first().click();
      if ((await toggle.first().getAttribute('aria-expanded')) !== 'true') problems.push(`${chapter}: the menu button does not set aria-expanded="true"`);
      if (!(await navLinks.first().isVisible())) problems.push(`${chapter}: the menu button does not show the navigation`);
    }
    await context.close();
    assertNoProblems('phone navigation', problems);
  });

  for (const lang of LANGS) {
    it(`the heaviest chapter (${lang}) transfers under 60 KB of HTML + CSS + JS`, async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const chapter = heaviestChapter(SITE, lang);
      const responses = [];
      page.on('response', (r) => responses.push(r));
      const log = watchPage(page, server.origin);
      await page.goto(server.url(chapter), { waitUntil: 'load' });
      await page.waitForLoadState('networkidle');
      const parts = [];
      for (const r of responses) {
        const type = r.request().resourceType();
        if (!['document', 'stylesheet', 'script'].includes(type)) continue;
        const body = await r.body();
        parts.push({ url: r.url().slice(server.origin.length), type, bytes: body.length });
      }
      await context.close();
      const total = parts.reduce((sum, p) => sum + p.bytes, 0);
      const detail = parts.map((p) => `${p.url} ${p.bytes} B`).join(', ');
      console.log(`${chapter}: ${total} bytes uncompressed (${detail})`);
      assertNoProblems(`${chapter}`, log.problems());
      assert.ok(total < BUDGET, `${chapter} weighs ${total} bytes of HTML + CSS + JS, over the ${BUDGET}-byte budget: ${detail}`);
    });
  }

  it('CSS and JS URLs carry a content hash', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const seen = new Set();
    page.on('request', (r) => {
      if (['stylesheet', 'script'].includes(r.resourceType())) seen.add(r.url().slice(server.origin.length));
    });
    for (const lang of LANGS) {
      const home = langPrefix(lang);
      for (const p of [home, chapterPaths(SITE, lang)[0], `${home}checklists/construction/`, `${home}search/?q=a`]) {
        await page.goto(server.url(p), { waitUntil: 'load' });
      }
    }
    await context.close();
    const hashed = (u) => /[.-][0-9a-f]{6,}\.(css|js)(\?|$)/.test(u) || /\?(v|h|hash)=[0-9a-zA-Z]{6,}/.test(u);
    const unhashed = [...seen].filter((u) => !hashed(u));
    assert.ok(seen.size > 0, 'no CSS or JS was loaded');
    assertNoProblems('CSS/JS without a content hash (mirrors and browsers may keep a stale copy)', unhashed);
  });

  it('a chapter prints without navigation and with the URLs of its external links', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = [];
    let external = 0;
    for (const lang of LANGS) {
      for (const chapter of chapterPaths(SITE, lang)) {
        await page.goto(server.url(chapter));
        await page.emulateMedia({ media: 'print' });
        if (chapter === chapterPaths(SITE, lang)[0]) {
          for (const nav of await page.locator('nav').all()) {
            if (await nav.isVisible()) problems.push(`${chapter}: navigation is printed (${await nav.getAttribute('aria-label')})`);
          }
          if (!(await page.locator('main h1').isVisible())) problems.push(`${chapter}: the title is not printed`);
        }
        const missing = await page.$$eval('main a[href^="http"]', (links) => links
          .filter((a) => !getComputedStyle(a, '::after').content.includes(a.getAttribute('href')) && !a.textContent.includes(a.getAttribute('href')))
          .map((a) => a.getAttribute('href')));
        external += await page.locator('main a[href^="http"]').count();
        for (const href of missing) problems.push(`${chapter}: the printed link does not show its URL ${href}`);
        await page.emulateMedia({ media: 'screen' });
      }
    }
    console.log(`checked ${external} external links in printed chapters`);
    await context.close();
    assertNoProblems('printed chapters', problems);
  });
});
