// Live reload of `integridad serve` (issue 5 item 8): an open chapter reloads by itself after its
// markdown file is edited, and so does an open English tab; a broken front matter shows an error
// overlay over the last good page, in each page's language and under a strict CSP, without a
// reload; the fix removes the overlay; a stylesheet edit swaps the styles without a reload; a tab
// whose event stream was not connected during a build reloads once it connects. Runs the real
// binary on a copy of the bundled site; waits are bounded.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { binary, CSP, launchBrowser, REPO, removeDir, scratchDir } from './harness.mjs';

const WAIT_MS = 15_000;

/** The first Spanish chapter file of content/toolkit and its URL path (slug rule of SPEC "Content"). */
function pickChapter(root) {
  const dir = path.join(root, 'content', 'toolkit');
  const name = readdirSync(dir).filter((f) => f.endsWith('.md') && !f.startsWith('_') && !/\.[a-z]{2}\.md$/.test(f)).sort()[0];
  assert.ok(name, `no chapter in ${dir}`);
  const text = readFileSync(path.join(dir, name), 'utf8');
  const front = text.split(/^---\s*$/m)[1] || '';
  const slug = front.match(/^slug:\s*["']?([^"'\n]+?)["']?\s*$/m)?.[1] ?? name.replace(/\.md$/, '').replace(/^\d+[-_]/, '');
  return { file: path.join(dir, name), name, url: `/toolkit/${slug}/` };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 50 ms until it returns a truthy value or `ms` pass; returns that value or null. */
async function until(ms, check) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await check().catch(() => null); // a navigation in progress destroys the context
    if (value) return value;
    await sleep(50);
  }
  return null;
}

describe('integridad serve: live reload and error overlay', () => {
  let root;
  let serve;
  let output = '';
  let origin;
  let browser;
  let page;
  let pageEn;
  let chapter;
  let original;
  let navigations = 0;
  let navigationsEn = 0;
  const pageErrors = [];
  const marker = `Texto de recarga automática ${process.pid}-${Date.now()}`;

  const bodyText = () => page.evaluate(() => (document.body ? document.body.innerText : ''));
  const serveLog = () => `\n--- integridad serve output ---\n${output.trim() || '(nothing)'}\n---`;

  before(async () => {
    root = scratchDir('integridad-serve-');
    cpSync(path.join(REPO, 'site.toml'), path.join(root, 'site.toml'));
    cpSync(path.join(REPO, 'content'), path.join(root, 'content'), { recursive: true });
    cpSync(path.join(REPO, 'themes'), path.join(root, 'themes'), { recursive: true });
    chapter = pickChapter(root);
    original = readFileSync(chapter.file, 'utf8');
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    serve = spawn(binary(), ['serve', '--root', root, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout.on('data', (d) => { output += d; });
    serve.stderr.on('data', (d) => { output += d; });
    let exited = null;
    serve.on('exit', (code, signal) => { exited = signal || `exit code ${code}`; });
    const up = await until(60_000, async () => {
      if (exited) throw new Error('gone');
      // `serve` may pick the next free port and say so: follow the URL it prints.
      const printed = output.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (printed) origin = `http://127.0.0.1:${printed[1]}`;
      const response = await fetch(origin + chapter.url);
      return response.status === 200;
    });
    if (!up) {
      throw new Error(`\`integridad serve\` did not serve ${chapter.url} within 60 s (${exited ?? 'still running'})${serveLog()}`);
    }
    browser = await launchBrowser();
    // Both tabs in one browser profile, as a user has them: one holds the event stream and
    // passes each status on to the other.
    const context = await browser.newContext();
    // The pages are served under `default-src 'self'`, as a strict host serves them, and record
    // any violation of it (the overlay has no inline code or style).
    await context.route((url) => url.origin === origin && url.pathname.endsWith('/'), async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': CSP } });
    });
    await context.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective));
    });
    page = await context.newPage();
    pageEn = await context.newPage();
    for (const p of [page, pageEn]) p.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('framenavigated', (frame) => { if (frame === page.mainFrame()) navigations += 1; });
    pageEn.on('framenavigated', (frame) => { if (frame === pageEn.mainFrame()) navigationsEn += 1; });
  });

  after(async () => {
    await browser?.close();
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      const gone = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGINT');
      if (!(await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]))) serve.kill('SIGKILL');
    }
    removeDir(root);
  });

  it('an open chapter reloads by itself after its file is edited, and so does an English tab', async () => {
    const response = await page.goto(origin + chapter.url);
    assert.equal(response.status(), 200);
    assert.equal((await pageEn.goto(`${origin}/en/`)).status(), 200);
    assert.ok(!(await bodyText()).includes(marker));
    const before = navigations;
    const beforeEn = navigationsEn;
    const started = Date.now();
    writeFileSync(chapter.file, `${original.trimEnd()}\n\n${marker}\n`);
    const shown = await until(WAIT_MS, async () => (await bodyText()).includes(marker));
    const latency = Date.now() - started;
    assert.ok(shown, `the page did not show the edit of ${chapter.name} within ${WAIT_MS / 1000} s${serveLog()}`);
    assert.ok(navigations > before, 'the new text appeared without a reload of the page');
    const reloadedEn = await until(WAIT_MS, async () => navigationsEn > beforeEn);
    assert.ok(reloadedEn, `the English tab did not reload within ${WAIT_MS / 1000} s${serveLog()}`);
    console.log(`edit of ${chapter.name} visible in the open tab after ${latency} ms`);
  });

  it('a broken front matter shows an error overlay over the last good page', async () => {
    const broken = original.replace(/^(\uFEFF?---\r?\n)/, '$1titel: "roto"\n');
    assert.notEqual(broken, original, `${chapter.name} does not start with a front matter block`);
    await until(WAIT_MS, async () => (await pageEn.evaluate(() => document.readyState)) === 'complete');
    const [before, beforeEn] = [navigations, navigationsEn];
    writeFileSync(chapter.file, `${broken.trimEnd()}\n\n${marker}\n`);
    const location = new RegExp(`${chapter.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+`);
    const overlay = await until(WAIT_MS, async () => page.getByText(location).first().isVisible());
    assert.ok(overlay, `no visible error naming ${chapter.name}:<line> appeared within ${WAIT_MS / 1000} s${serveLog()}`);
    assert.ok(await page.getByText(/titel/).first().isVisible(), 'the overlay should name the unknown key `titel`');
    assert.ok((await bodyText()).includes(marker), 'the last good page should stay under the overlay');
    // Each tab's overlay speaks its page's language, is styled under the strict CSP, and the
    // failed build reloaded neither tab.
    for (const [tab, title] of [[page, 'La compilación falló'], [pageEn, 'The build failed']]) {
      const shown = await until(WAIT_MS, async () => tab.evaluate(([title, name]) => {
        const overlay = document.getElementById('integridad-overlay');
        return !!overlay && overlay.textContent.includes(title) && overlay.textContent.includes(name) &&
          getComputedStyle(overlay).position === 'fixed';
      }, [title, chapter.name]));
      assert.ok(shown, `no styled overlay saying "${title}" and naming ${chapter.name} in ${tab.url()}${serveLog()}`);
      assert.deepEqual(await tab.evaluate(() => window.__csp), [], `CSP violations in ${tab.url()}`);
    }
    assert.equal(navigations, before, 'a failed build must not reload the Spanish tab');
    assert.equal(navigationsEn, beforeEn, 'a failed build must not reload the English tab');
  });

  it('fixing the file removes the overlay by itself', async () => {
    // Saved the way many editors do: write a temporary file, then rename it over the original.
    const temp = path.join(path.dirname(chapter.file), `.${chapter.name}.integridad-test~`);
    const fixed = `${original.trimEnd()}\n\n${marker} (2)\n`;
    writeFileSync(temp, fixed);
    renameSync(temp, chapter.file);
    const location = new RegExp(`${chapter.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+`);
    const gone = await until(WAIT_MS, async () =>
      (await bodyText()).includes(`${marker} (2)`) && !(await page.getByText(location).first().isVisible()));
    assert.ok(gone, `the overlay did not go away (or the fix was not shown) within ${WAIT_MS / 1000} s${serveLog()}`);
    const goneEn = await until(WAIT_MS, async () =>
      pageEn.evaluate(() => document.readyState === 'complete' && !document.getElementById('integridad-overlay')));
    assert.ok(goneEn, `the overlay did not go away in the English tab within ${WAIT_MS / 1000} s${serveLog()}`);
  });

  it('a stylesheet edit swaps the styles in every tab without reloading it', async () => {
    for (const tab of [page, pageEn]) {
      assert.ok(await until(WAIT_MS, async () => tab.evaluate(() => document.readyState === 'complete' && !!document.querySelector('main'))),
        `${tab.url()} did not finish loading`);
    }
    const [before, beforeEn] = [navigations, navigationsEn];
    const css = path.join(root, 'themes', 'default', 'static', 'style.css');
    writeFileSync(css, `${readFileSync(css, 'utf8')}\nhtml body main { color: rgb(1, 2, 3) !important }\n`);
    for (const tab of [page, pageEn]) {
      const styled = await until(WAIT_MS, async () =>
        tab.evaluate(() => getComputedStyle(document.querySelector('main')).color === 'rgb(1, 2, 3)'));
      assert.ok(styled, `${tab.url()} did not take the new stylesheet within ${WAIT_MS / 1000} s${serveLog()}`);
    }
    assert.equal(navigations, before, 'a stylesheet change must not reload the Spanish tab');
    assert.equal(navigationsEn, beforeEn, 'a stylesheet change must not reload the English tab');
  });

  it('a tab reloads for a build finished while its event stream was not connected', async () => {
    // A tab without an event stream (its connection lost, or not yet made) misses the events sent
    // meanwhile. Here its request for the stream is held back while a build finishes; once the
    // stream connects, the tab must still reload. Its own profile, so no other tab passes it news.
    const context = await browser.newContext();
    try {
      let held = null;
      let release;
      const released = new Promise((resolve) => { release = resolve; });
      const arrived = new Promise((resolve) => { held = resolve; });
      await context.route('**/__integridad/events*', async (route) => {
        if (held) {
          const first = held;
          held = null;
          first();
          await released;
        }
        await route.continue();
      });
      const tab = await context.newPage();
      tab.on('pageerror', (e) => pageErrors.push(String(e)));
      assert.equal((await tab.goto(origin + chapter.url)).status(), 200);
      await arrived;
      await tab.evaluate(() => { window.__before = true; });

      const edit = `Compilado en la pausa ${process.pid}-${Date.now()}`;
      writeFileSync(chapter.file, `${original.trimEnd()}\n\n${edit}\n`);
      const built = await until(WAIT_MS, async () => (await (await fetch(origin + chapter.url)).text()).includes(edit));
      assert.ok(built, `serve did not rebuild with the edit within ${WAIT_MS / 1000} s${serveLog()}`);
      assert.equal(await tab.evaluate(() => window.__before === true), true, 'the tab reloaded without an event stream');

      release();
      const reloaded = await until(WAIT_MS, async () => tab.evaluate((edit) =>
        !window.__before && !!document.querySelector('main') && document.querySelector('main').textContent.includes(edit), edit));
      assert.ok(reloaded, `the tab did not reload once its event stream connected within ${WAIT_MS / 1000} s${serveLog()}`);
    } finally {
      await context.close();
    }
  });

  it('serve raised no script error and never wrote public/', () => {
    assert.deepEqual(pageErrors, [], 'uncaught exceptions in the page');
    assert.ok(!existsSync(path.join(root, 'public')), '`serve` must never write public/');
  });
});
