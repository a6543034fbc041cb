// Pages of other origins and `integridad serve` (issue 22 point 4): a page served from another
// port of this machine — the same site to the browser, which sends `Host: 127.0.0.1` itself, so
// the Host check does not stop it — cannot read the preview's search index (every page's text,
// drafts included) with `<script src>`, nor its live-reload stream or status; a link from it to
// the preview still opens the page. Runs the real binary on a copy of the bundled site.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { binary, launchBrowser, REPO, removeDir, scratchDir } from './harness.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function until(ms, check) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await check().catch(() => null);
    if (value) return value;
    await sleep(50);
  }
  return null;
}

/** The page another local server hands out: it tries to read the preview at `target`. */
function attackerPage(target) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>other</title></head><body>
<a id="go" href="${target}/">preview</a>
<script>
window.results = {};
const script = document.createElement('script');
script.src = '${target}/search-index.es.js';
script.onload = () => { window.results.script = 'loaded:' + typeof self.INTEGRIDAD_SEARCH; };
script.onerror = () => { window.results.script = 'blocked'; };
document.head.appendChild(script);
fetch('${target}/__integridad/status.json').then((r) => r.text())
  .then((t) => { window.results.status = 'read:' + t.length; }, () => { window.results.status = 'blocked'; });
const events = new EventSource('${target}/__integridad/events');
events.onmessage = (e) => { window.results.events = 'read'; events.close(); };
events.onerror = () => { if (!window.results.events) window.results.events = 'blocked'; events.close(); };
</script></body></html>`;
}

describe('integridad serve: pages of other origins', () => {
  let root;
  let serve;
  let other;
  let output = '';
  let target;
  let otherOrigin;
  let browser;

  before(async () => {
    root = scratchDir('integridad-origins-');
    cpSync(path.join(REPO, 'site.toml'), path.join(root, 'site.toml'));
    cpSync(path.join(REPO, 'content'), path.join(root, 'content'), { recursive: true });
    cpSync(path.join(REPO, 'themes'), path.join(root, 'themes'), { recursive: true });
    const port = await freePort();
    target = `http://127.0.0.1:${port}`;
    serve = spawn(binary(), ['serve', '--root', root, '--port', String(port), '--drafts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout.on('data', (d) => { output += d; });
    serve.stderr.on('data', (d) => { output += d; });
    const up = await until(60_000, async () => {
      const printed = output.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (printed) target = `http://127.0.0.1:${printed[1]}`;
      return (await fetch(`${target}/`)).status === 200;
    });
    if (!up) throw new Error(`\`integridad serve\` did not start within 60 s\n${output}`);
    other = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(attackerPage(target));
    });
    await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${other.address().port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    other?.close();
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      const gone = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGINT');
      if (!(await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]))) serve.kill('SIGKILL');
    }
    removeDir(root);
  });

  it('the preview itself loads its search index', async () => {
    const page = await browser.newPage();
    await page.goto(`${target}/`);
    const loaded = await page.evaluate((src) => new Promise((resolve) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = () => resolve('loaded:' + typeof self.INTEGRIDAD_SEARCH);
      script.onerror = () => resolve('blocked');
      document.head.appendChild(script);
    }), `${target}/search-index.es.js`);
    assert.equal(loaded, 'loaded:object');
    await page.close();
  });

  it('a page on another port reads neither the search index, nor the status, nor the events', async () => {
    const page = await browser.newPage();
    await page.goto(`${otherOrigin}/`);
    const results = await until(10_000, async () => {
      const r = await page.evaluate(() => window.results);
      return r.script && r.status && r.events ? r : null;
    });
    assert.deepEqual(results, { script: 'blocked', status: 'blocked', events: 'blocked' });
    // A link from it to the preview still opens the page.
    const [response] = await Promise.all([page.waitForNavigation(), page.click('#go')]);
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).origin, target);
    await page.close();
  });
});
