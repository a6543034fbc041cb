// Every page type in both languages (issue 6, items 1 and 3): axe-core finds no WCAG 2.1 A/AA
// violation in the light and the dark color scheme, the page logs no console error (CSP
// violations included: the server sends `default-src 'self'`), no request fails and none goes to
// another host. The one deliberate 404 is the missing URL itself.

import { after, before, describe, it } from 'node:test';

import {
  assertNoProblems, chapterPaths, langPrefix, LANGS, launchBrowser, runAxe, siteDir,
  startStaticServer, watchPage,
} from './harness.mjs';

const SITE = siteDir();
const CHECKLIST = 'construction';
const SEARCH = { es: 'integridad', en: 'integrity' };
const TEMPLATES = { es: 'plantillas/', en: 'templates/' };
const GIFTS = { es: 'registro-de-regalos/', en: 'gifts-register/' };
const MISSING = { es: '/toolkit/esta-pagina-no-existe/', en: '/en/no-such-page/' };

function pageTypes(lang) {
  const home = langPrefix(lang);
  const chapter = chapterPaths(SITE, lang)[0];
  return [
    { kind: 'home', path: home },
    { kind: 'section', path: `${home}toolkit/` },
    { kind: 'chapter', path: chapter || `${home}toolkit/(no chapter was built)/` },
    { kind: 'templates index', path: `${home}${TEMPLATES[lang]}` },
    { kind: 'template with downloads', path: `${home}${TEMPLATES[lang]}${GIFTS[lang]}` },
    { kind: 'checklists index', path: `${home}checklists/` },
    { kind: 'checklist', path: `${home}checklists/${CHECKLIST}/` },
    { kind: 'checklist answered', path: `${home}checklists/${CHECKLIST}/`, answer: true },
    { kind: 'search', path: `${home}search/?q=${SEARCH[lang]}`, search: true },
    { kind: '404', path: MISSING[lang], notFound: true },
  ];
}

/** Answers a few items of the checklist by clicking the labels of their radio buttons. */
async function answerSome(page) {
  const picks = ['yes', 'partly', 'no', 'not-applicable', 'yes'];
  const items = await page.locator('fieldset[data-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
  if (items.length < picks.length) return [`only ${items.length} checklist items (fieldset[data-item]) found`];
  for (const [i, value] of picks.entries()) {
    await page.locator(`fieldset[data-item="${items[i]}"] label:has(input[type="radio"][value="${value}"])`).click();
  }
  const shown = await page.locator('#score-value').textContent().catch(() => '');
  return /\d/.test(shown || '') ? [] : [`no score shown after answering (#score-value is ${JSON.stringify(shown)})`];
}

/** Structure checks of issue 6 item 1 that axe's WCAG tags do not cover. */
async function structure(page, lang, notFound) {
  const facts = await page.evaluate(() => ({
    lang: document.documentElement.getAttribute('lang'),
    h1: document.querySelectorAll('h1').length,
    main: document.querySelectorAll('main, [role="main"]').length,
    skip: (() => {
      const a = document.querySelector('a[href^="#"]');
      const id = a && a.getAttribute('href').slice(1);
      return Boolean(id && document.getElementById(id) && document.getElementById(id).closest('main, [role="main"]'));
    })(),
  }));
  const problems = [];
  if (facts.lang !== lang) problems.push(`<html lang> is ${JSON.stringify(facts.lang)}, expected "${lang}"`);
  if (facts.h1 !== 1) problems.push(`${facts.h1} <h1> elements, expected exactly 1`);
  if (facts.main !== 1) problems.push(`${facts.main} main landmarks, expected exactly 1`);
  if (!facts.skip) problems.push('the first in-page link is not a skip link into <main>');
  return problems;
}

/** Links on the 404 page must work wherever a host serves it (here: at a nested missing URL). */
async function brokenLinks(page, origin) {
  const hrefs = await page.$$eval('a[href]:not([href^="#"])', (as) => [...new Set(as.map((a) => a.href.split('#')[0]))]);
  const problems = [];
  for (const href of hrefs.filter((h) => h.startsWith(origin + '/'))) {
    const response = await fetch(href, { method: 'HEAD', redirect: 'follow' });
    if (response.status >= 400) problems.push(`link to ${href.slice(origin.length)} on the 404 page gives HTTP ${response.status}`);
  }
  return problems;
}

describe('every page type in both languages', () => {
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

  for (const lang of LANGS) {
    for (const type of pageTypes(lang)) {
      it(`${type.kind} (${lang}) ${type.path}`, async () => {
        const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1280, height: 800 } });
        try {
          const page = await context.newPage();
          const url = server.url(type.path);
          const log = watchPage(page, server.origin, { expect404: type.notFound ? url : null });
          const problems = [];
          const response = await page.goto(url, { waitUntil: 'load' });
          const expected = type.notFound ? 404 : 200;
          if (response?.status() !== expected) problems.push(`HTTP ${response?.status()} for ${type.path}, expected ${expected}`);
          if (type.answer) problems.push(...(await answerSome(page)));
          if (type.search) {
            const found = await page.locator('#search-list li a').first().waitFor({ timeout: 5000 }).then(() => true, () => false);
            if (!found) problems.push(`search for "${SEARCH[lang]}" shows no results (#search-list li a)`);
          }
          problems.push(...(await structure(page, lang, type.notFound)));
          for (const colorScheme of ['light', 'dark']) {
            await page.emulateMedia({ colorScheme });
            problems.push(...(await runAxe(page, colorScheme)).map((v) => `[${colorScheme}] ${v}`));
          }
          if (type.notFound) problems.push(...(await brokenLinks(page, server.origin)));
          problems.push(...log.problems());
          assertNoProblems(`${type.kind} (${lang}) ${type.path}`, problems);
        } finally {
          await context.close();
        }
      });
    }
  }
});
