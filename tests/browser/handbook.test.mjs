// The printable handbook (issue 11, section 4): in both languages, axe-core finds no WCAG 2.1
// A/AA violation (light and dark) and the page logs no console error under the strict CSP; then
// Chromium prints it to PDF on A4 and on Letter, and the PDF's text (poppler's `pdftotext`)
// (`-raw`, which keeps a hyphen at the end of a line) holds every chapter title and every
// checklist question, and none of the site's navigation; each chapter starts a page, and no
// form item is split across pages (its question and its last box are on the same page).
// Expected texts come from the built chapter pages and each checklist's checklist.json, not
// from the handbook itself. INTEGRIDAD_PDF_DIR keeps the PDFs for a person to look at.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  assertNoProblems, chapterPaths, langPrefix, LANGS, launchBrowser, removeDir, runAxe,
  scratchDir, siteDir, startStaticServer, watchPage,
} from './harness.mjs';

const SITE = siteDir();
const HANDBOOK = { es: '/manual/', en: '/en/handbook/' };
const FORMATS = ['A4', 'Letter'];
/** The last of the four boxes of every form item. */
const NOT_APPLICABLE = { es: 'No aplica', en: 'Not applicable' };
/** Texts of the site's chrome that a printed handbook must not carry. */
const CHROME = {
  es: ['Saltar al contenido principal', 'Ruta de navegación', 'Novedades (Atom)'],
  en: ['Skip to main content', 'Breadcrumb', "What's new (Atom)"],
};

function requirePdftotext() {
  const probe = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error('missing: pdftotext (run `apt-get install poppler-utils`; .ci/run installs it)');
  }
}

/** Whitespace collapsed and compatibility characters (ligatures) unfolded, for comparing text. */
function normalize(text) {
  return text
    .normalize('NFKC')
    // A word broken after its own hyphen at the end of a line (`anti-` / `corruption`).
    .replace(/(\p{L})-[ \t]*\n\s*/gu, '$1-')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeEntities(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The `<h1>` text of every chapter page of `lang`, in the built site. */
function chapterTitles(lang) {
  return chapterPaths(SITE, lang).map((p) => {
    const html = readFileSync(path.join(SITE, p, 'index.html'), 'utf8');
    const match = html.match(/<h1[^>]*>([\s\S]*?)<\/h1>/);
    if (!match) throw new Error(`no <h1> in ${p}`);
    return decodeEntities(match[1].replace(/<[^>]+>/g, ''));
  });
}

/** Every checklist's title and item questions in `lang`, from its checklist.json. */
function checklistTexts(lang) {
  const dir = path.join(SITE, langPrefix(lang), 'checklists');
  const pick = (localized) => (typeof localized === 'string' ? localized : localized[lang] ?? Object.values(localized)[0]);
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'checklist.json')))
    .map((e) => {
      const data = JSON.parse(readFileSync(path.join(dir, e.name, 'checklist.json'), 'utf8'));
      const questions = data.sections.flatMap((s) => s.items.map((item) => ({ id: item.id, text: pick(item.question) })));
      return { id: e.name, title: pick(data.title), questions };
    });
}

describe('the printable handbook', () => {
  let browser;
  let server;
  let pdfDir;
  before(async () => {
    requirePdftotext();
    server = await startStaticServer(SITE);
    browser = await launchBrowser();
    pdfDir = process.env.INTEGRIDAD_PDF_DIR || scratchDir('handbook-pdf-');
    mkdirSync(pdfDir, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (!process.env.INTEGRIDAD_PDF_DIR) removeDir(pdfDir);
  });

  for (const lang of LANGS) {
    it(`(${lang}) ${HANDBOOK[lang]} passes axe and loads cleanly`, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        const log = watchPage(page, server.origin);
        const problems = [];
        const response = await page.goto(server.url(HANDBOOK[lang]), { waitUntil: 'load' });
        if (response?.status() !== 200) problems.push(`HTTP ${response?.status()} for ${HANDBOOK[lang]}`);
        for (const colorScheme of ['light', 'dark']) {
          await page.emulateMedia({ colorScheme });
          problems.push(...(await runAxe(page, colorScheme)).map((v) => `[${colorScheme}] ${v}`));
        }
        problems.push(...log.problems());
        assertNoProblems(`handbook (${lang})`, problems);
      } finally {
        await context.close();
      }
    });

    it(`(${lang}) the home and about pages link to the handbook and pass axe`, async () => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const about = lang === 'es' ? 'acerca/' : 'about/';
        const problems = [];
        for (const from of [langPrefix(lang), `${langPrefix(lang)}${about}`]) {
          await page.goto(server.url(from), { waitUntil: 'load' });
          const targets = await page.$$eval('main a[href]', (as) => as.map((a) => new URL(a.href).pathname));
          if (!targets.includes(HANDBOOK[lang])) problems.push(`${from} has no link to ${HANDBOOK[lang]}`);
          problems.push(...(await runAxe(page, from)));
        }
        assertNoProblems(`links to the handbook (${lang})`, problems);
      } finally {
        await context.close();
      }
    });

    for (const format of FORMATS) {
      it(`(${lang}) prints to PDF on ${format} with every chapter and checklist question`, { timeout: 120_000 }, async () => {
        const context = await browser.newContext();
        try {
          const page = await context.newPage();
          const log = watchPage(page, server.origin);
          await page.goto(server.url(HANDBOOK[lang]), { waitUntil: 'load' });
          const file = path.join(pdfDir, `handbook-${lang}-${format}.pdf`);
          writeFileSync(file, await page.pdf({ format, printBackground: true, preferCSSPageSize: false }));
          const result = spawnSync('pdftotext', ['-raw', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
          if (result.status !== 0) throw new Error(`pdftotext failed on ${file}: ${result.stderr}`);
          const text = normalize(result.stdout);
          const pages = result.stdout.split('\f').filter((p) => p.trim()).length;
          const problems = [];
          const pageTexts = result.stdout.split('\f').map(normalize);
          const titles = chapterTitles(lang);
          if (!titles.length) problems.push(`no chapter pages found under ${langPrefix(lang)}toolkit/`);
          for (const title of titles) {
            const t = normalize(title);
            if (!text.includes(t)) problems.push(`chapter title missing from the PDF: ${title}`);
            // A page break before each chapter: its title is at the top of a page.
            else if (!pageTexts.some((p) => p.slice(0, 120).includes(t))) problems.push(`chapter does not start a page: ${title}`);
          }
          const checklists = checklistTexts(lang);
          if (!checklists.length) problems.push('no checklist.json found');
          let questions = 0;
          for (const checklist of checklists) {
            if (!text.includes(normalize(checklist.title))) problems.push(`checklist title missing: ${checklist.title}`);
            for (const q of checklist.questions) {
              questions += 1;
              const t = normalize(q.text);
              if (!text.includes(t)) {
                problems.push(`${checklist.id}/${q.id} missing from the PDF: ${q.text}`);
                continue;
              }
              // No item split across pages: its question and its last box are on one page.
              const whole = pageTexts.some((p) => {
                const at = p.indexOf(t);
                return at >= 0 && p.slice(at + t.length, at + t.length + 300).includes(NOT_APPLICABLE[lang]);
              });
              if (!whole) problems.push(`${checklist.id}/${q.id} is split across pages: ${q.text}`);
            }
          }
          for (const chrome of CHROME[lang]) {
            if (text.includes(chrome)) problems.push(`the site's navigation is printed: "${chrome}"`);
          }
          if (pages < titles.length + 2) problems.push(`only ${pages} pages for ${titles.length} chapters: chapters do not start on new pages`);
          problems.push(...log.problems());
          console.log(`handbook ${lang} ${format}: ${pages} pages, ${titles.length} chapters, ${checklists.length} checklists, ${questions} questions`);
          assertNoProblems(`handbook PDF (${lang}, ${format})`, problems);
        } finally {
          await context.close();
        }
      });
    }
  }
});
