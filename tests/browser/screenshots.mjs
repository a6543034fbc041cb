// `npm run screenshots`: full-page PNGs of the home page, a chapter and a checklist, plus the
// results of an answered checklist, at 390×844 and 1280×800 in both languages, in
// target/screenshots/, for reviewers.
// Builds the bundled site first (`cargo run -- build`) unless INTEGRIDAD_SITE_DIR names a built one.
// `npm run screenshots -- --dark` adds the dark color scheme. `npm run screenshots -- --report DIR`
// shoots a report written by `integridad report` instead: its index and first checklist page
// (`report-…png`). Nothing here is committed.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

import { chapterPaths, langPrefix, LANGS, launchBrowser, REPO, startStaticServer } from './harness.mjs';

const OUT = path.join(REPO, 'target', 'screenshots');
const SIZES = [
  { name: 'phone', width: 390, height: 844, mobile: true },
  { name: 'desktop', width: 1280, height: 800, mobile: false },
];
const SCHEMES = process.argv.includes('--dark') ? ['light', 'dark'] : ['light'];
const REPORT = process.argv.includes('--report') ? path.resolve(process.argv[process.argv.indexOf('--report') + 1] ?? '') : null;
if (REPORT && !existsSync(path.join(REPORT, 'index.html'))) {
  throw new Error(`--report needs a folder written by \`integridad report\` (no index.html in ${REPORT})`);
}

/** The pages to shoot in one language. */
function shotsFor(site, lang) {
  const home = langPrefix(lang);
  if (REPORT) {
    const checklists = existsSync(path.join(site, 'checklists')) ? readdirSync(path.join(site, 'checklists')).sort() : [];
    return [
      { name: 'report', path: home },
      ...checklists.slice(0, 1).map((id) => ({ name: 'report-checklist', path: `${home}checklists/${id}/` })),
    ];
  }
  return [
    { name: 'home', path: home },
    { name: 'chapter', path: chapterPaths(site, lang)[0] },
    { name: 'checklist', path: `${home}checklists/construction/` },
    { name: 'checklist-answered', path: `${home}checklists/construction/`, answer: true },
  ];
}

function builtSite() {
  if (REPORT) return REPORT;
  if (process.env.INTEGRIDAD_SITE_DIR) return process.env.INTEGRIDAD_SITE_DIR;
  const site = path.join(OUT, 'site');
  rmSync(site, { recursive: true, force: true });
  const build = spawnSync('cargo', ['run', '--quiet', '--', 'build', '--root', REPO, '--output', site], {
    cwd: REPO,
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('`cargo run -- build` failed; see above');
  return site;
}

/** Answers the first items of a checklist so the results and priority actions show. */
async function answer(page) {
  const picks = ['yes', 'partly', 'no', 'yes', 'not-applicable', 'no', 'partly', 'yes'];
  const items = await page.locator('fieldset[data-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
  for (const [i, value] of picks.entries()) {
    if (!items[i]) break;
    await page.locator(`fieldset[data-item="${items[i]}"] label:has(input[type="radio"][value="${value}"])`).click();
  }
}

const site = builtSite();
mkdirSync(OUT, { recursive: true });
const server = await startStaticServer(site);
const browser = await launchBrowser();
const written = [];
try {
  for (const lang of LANGS) {
    const shots = shotsFor(site, lang);
    for (const size of SIZES) {
      for (const colorScheme of SCHEMES) {
        const context = await browser.newContext({
          viewport: { width: size.width, height: size.height },
          isMobile: size.mobile,
          hasTouch: size.mobile,
          colorScheme,
        });
        const page = await context.newPage();
        for (const shot of shots) {
          await page.goto(server.url(shot.path), { waitUntil: 'load' });
          if (shot.answer) {
            await answer(page);
            await page.evaluate(() => document.getElementById('results')?.scrollIntoView({ block: 'start' }));
          }
          const suffix = colorScheme === 'light' ? '' : `-${colorScheme}`;
          const file = path.join(OUT, `${lang}-${shot.name}-${size.width}x${size.height}${suffix}.png`);
          // The answered checklist is shot at its results, one screen high; the others full-page.
          await page.screenshot({ path: file, fullPage: !shot.answer });
          written.push(file);
          if (shot.answer) await page.evaluate(() => localStorage.clear());
        }
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`${written.length} screenshots in ${path.relative(process.cwd(), OUT) || OUT}:`);
for (const file of written) console.log(`  ${path.basename(file)}`);
