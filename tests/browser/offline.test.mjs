// The offline bundle and the mirror notice (issue 10, points 3 and 4). `build --bundle` writes
// integridad-offline.zip; unpacked into a fresh folder and opened from file://, every page loads
// without errors or failed requests, its internal links lead to files that exist, search finds
// results and a checklist scores answers. Served from another host, pages show the mirror notice
// (axe-clean under the strict CSP), naming the official host and linking to the same page there;
// on the origin, on the hosts site.toml lists as official and from file:// they do not.

import { after, before, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';

import {
  assertNoProblems, binary, CSP, launchBrowser, REPO, removeDir, runAxe, scratchDir,
  startStaticServer, watchPage,
} from './harness.mjs';

const ORIGIN = 'https://integridad.example.gob.mx';
const BUNDLE = 'integridad-offline.zip';

/** Unpacks a ZIP (stored or deflated entries) into `dest` with node's zlib only. */
function unzip(file, dest) {
  const zip = readFileSync(file);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error(`${file} is not a ZIP file (no end of central directory)`);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let i = 0; i < count; i += 1) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry ${i}`);
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    const target = path.resolve(dest, name);
    if (!target.startsWith(path.resolve(dest) + path.sep)) throw new Error(`entry outside the folder: ${name}`);
    if (name.endsWith('/')) continue;
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, method === 8 ? inflateRawSync(data) : data);
    names.push(name);
  }
  return names;
}

/** Every `index.html` under `dir`, as paths relative to it. */
function htmlPages(dir, rel = '') {
  const out = [];
  for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...htmlPages(dir, child));
    else if (entry.name === 'index.html') out.push(child);
  }
  return out.sort();
}

describe('the offline bundle and the mirror notice', () => {
  let tmp;
  let online;
  let offline;
  let browser;
  before(async () => {
    tmp = scratchDir('offline-');
    online = path.join(tmp, 'public');
    const build = spawnSync(binary(), ['build', '--root', REPO, '--output', online, '--bundle'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`build --bundle failed (${build.status}):\n${build.stderr}`);
    const names = unzip(path.join(online, BUNDLE), path.join(tmp, 'unzipped'));
    if (!names.includes('integridad-offline/SHA256SUMS')) throw new Error('the bundle has no SHA256SUMS');
    offline = path.join(tmp, 'unzipped', 'integridad-offline');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    removeDir(tmp);
  });

  it('every page of the unzipped bundle works from file://, links included', async () => {
    const context = await browser.newContext();
    const problems = [];
    try {
      const pages = htmlPages(offline);
      if (pages.length < 20) problems.push(`only ${pages.length} pages in the bundle`);
      for (const rel of pages) {
        const page = await context.newPage();
        const errors = [];
        page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
        page.on('pageerror', (error) => errors.push(String(error)));
        page.on('requestfailed', (request) => errors.push(`failed ${request.url()}`));
        page.on('request', (request) => {
          if (!/^(file|data|blob|about):/.test(request.url())) errors.push(`request leaves the disk: ${request.url()}`);
        });
        await page.goto(pathToFileURL(path.join(offline, rel)).href, { waitUntil: 'load' });
        const facts = await page.evaluate(() => ({
          h1: document.querySelectorAll('h1').length,
          notice: Boolean(document.querySelector('.mirror-notice:not([hidden])')),
          links: [...document.querySelectorAll('a[href]')].map((a) => a.href).filter((h) => h.startsWith('file:')),
        }));
        if (facts.h1 !== 1) errors.push(`${facts.h1} <h1> elements`);
        if (facts.notice) errors.push('the mirror notice shows from file://');
        for (const link of new Set(facts.links.map((h) => h.split(/[?#]/)[0]))) {
          const target = fileURLToPath(link);
          if (!existsSync(target) || !target.startsWith(offline)) errors.push(`broken link to ${link}`);
          else if (!/\.[a-z0-9]+$/i.test(target)) errors.push(`link to a folder, not a file (fails from disk): ${link}`);
        }
        problems.push(...errors.map((e) => `${rel}: ${e}`));
        await page.close();
      }
    } finally {
      await context.close();
    }
    assertNoProblems('the bundle from file://', problems);
  });

  it('search and a checklist work from file://', async () => {
    const context = await browser.newContext();
    const problems = [];
    try {
      const page = await context.newPage();
      page.on('pageerror', (error) => problems.push(String(error)));
      await page.goto(`${pathToFileURL(path.join(offline, 'search', 'index.html')).href}?q=integridad`);
      const result = page.locator('#search-list li a').first();
      if (await result.waitFor({ timeout: 5000 }).then(() => true, () => false)) {
        await result.click();
        await page.waitForLoadState('load');
        if (!page.url().startsWith('file:') || !(await page.locator('h1').count())) problems.push(`the first result leads to ${page.url()}`);
      } else {
        problems.push('search from file:// shows no results for "integridad"');
      }
      await page.goto(pathToFileURL(path.join(offline, 'checklists', 'construction', 'index.html')).href);
      const items = await page.locator('fieldset[data-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
      for (const [i, value] of ['yes', 'partly', 'no'].entries()) {
        await page.locator(`fieldset[data-item="${items[i]}"] label:has(input[type="radio"][value="${value}"])`).click();
      }
      const score = await page.locator('#score-value').textContent();
      if (!/\d/.test(score || '')) problems.push(`no score after answering from file:// (#score-value is ${JSON.stringify(score)})`);
    } finally {
      await context.close();
    }
    assertNoProblems('search and checklist from file://', problems);
  });

  it('home and about offer the bundle with its size and SHA-256', async () => {
    const { createHash } = await import('node:crypto');
    const zip = readFileSync(path.join(online, BUNDLE));
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const problems = [];
    for (const [rel, text] of [
      ['index.html', 'Descargar para consultar sin conexión'],
      ['acerca/index.html', 'Descargar para consultar sin conexión'],
      ['en/index.html', 'Download for offline use'],
      ['en/about/index.html', 'Download for offline use'],
    ]) {
      const html = readFileSync(path.join(online, rel), 'utf8');
      if (!html.includes(text)) problems.push(`${rel} lacks "${text}"`);
      if (!html.includes(sha256)) problems.push(`${rel} lacks the bundle's SHA-256 ${sha256}`);
      if (!/ZIP, \d+(\.\d)? (kB|MB)/.test(html)) problems.push(`${rel} lacks the bundle's size`);
    }
    assertNoProblems('the download offer', problems);
  });

  it('a copy on another host shows the mirror notice; the origin does not', async () => {
    const server = await startStaticServer(online);
    const context = await browser.newContext();
    const problems = [];
    try {
      const page = await context.newPage();
      const log = watchPage(page, server.origin);
      await page.goto(server.url('/toolkit/'), { waitUntil: 'load' });
      const notice = page.locator('.mirror-notice');
      if (!(await notice.isVisible())) problems.push('no mirror notice on 127.0.0.1');
      const links = await notice.locator('a').evaluateAll((as) => as.map((a) => a.href));
      if (links[0] !== `${ORIGIN}/toolkit/`) problems.push(`the notice links to ${links[0]}, not the same page on the origin`);
      if (links[1] !== `${ORIGIN}/acerca/#verificar`) problems.push(`the notice links to ${links[1]}, not the origin's verification instructions`);
      const canonical = await page.locator('link[rel="canonical"]').getAttribute('href');
      if (canonical !== `${ORIGIN}/toolkit/`) problems.push(`canonical is ${canonical}`);
      problems.push(...(await runAxe(page, 'mirror notice')));
      problems.push(...log.problems());

      // The same files answered for the origin's own address: no notice.
      const origin = await context.newPage();
      await origin.route(`${ORIGIN}/**`, (route) => {
        let rel = decodeURIComponent(new URL(route.request().url()).pathname);
        if (rel.endsWith('/')) rel += 'index.html';
        const file = path.join(online, rel);
        if (!existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
        return route.fulfill({ status: 200, path: file, headers: { 'Content-Security-Policy': CSP } });
      });
      const originErrors = [];
      origin.on('pageerror', (error) => originErrors.push(String(error)));
      await origin.goto(`${ORIGIN}/en/toolkit/`, { waitUntil: 'load' });
      await origin.waitForFunction(() => document.documentElement.classList.contains('js'));
      if (await origin.locator('.mirror-notice').isVisible()) problems.push('the mirror notice shows on the origin');
      problems.push(...originErrors);
    } finally {
      await context.close();
      await server.close();
    }
    assertNoProblems('mirror notice', problems);
  });

  it('the notice stays away from the official hosts and names the original on a mirror', async () => {
    // site.toml lists www. as an official host besides base_url's; any other host is a mirror.
    const official = new URL(ORIGIN).hostname;
    const alias = `www.${official}`;
    const mirror = 'camara.example.org';
    const server = await startStaticServer(online);
    const port = new URL(server.origin).port;
    const named = await launchBrowser({ hosts: [official, alias, mirror] });
    const problems = [];
    try {
      const context = await named.newContext();
      const page = await context.newPage();
      const visit = async (host, rel) => {
        const origin = `http://${host}:${port}`;
        const log = watchPage(page, origin);
        await page.goto(`${origin}${rel}`, { waitUntil: 'load' });
        await page.waitForFunction(() => document.documentElement.classList.contains('js'));
        problems.push(...log.problems().map((p) => `${host}: ${p}`));
        return page.locator('.mirror-notice');
      };
      for (const host of [official, alias]) {
        if (await (await visit(host, '/toolkit/')).isVisible()) problems.push(`the notice shows on the official host ${host}`);
      }
      const cases = [
        ['/toolkit/', `Esta es una copia del sitio oficial ${official}.`],
        ['/en/toolkit/', `This is a copy of the official site ${official}.`],
      ];
      for (const [rel, text] of cases) {
        const notice = await visit(mirror, rel);
        if (!(await notice.isVisible())) {
          problems.push(`no notice at ${mirror}${rel}`);
          continue;
        }
        const strong = (await notice.locator('strong').innerText()).trim();
        if (strong !== text) problems.push(`${mirror}${rel}: the notice says «${strong}», not «${text}»`);
        const first = await notice.locator('a').first().getAttribute('href');
        if (first !== `${ORIGIN}${rel}`) problems.push(`${mirror}${rel}: the notice links to ${first}, not the same page on ${official}`);
        problems.push(...(await runAxe(page, `mirror notice at ${mirror}`)));
      }
      await context.close();
    } finally {
      await named.close();
      await server.close();
    }
    assertNoProblems('mirror notice at official hosts and a mirror', problems);
  });
});
