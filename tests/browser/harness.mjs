// Shared harness of the browser suite: the built site's location (from the environment that
// tests/browser.rs sets), a loopback static server with a strict CSP, one headless Debian
// Chromium per test file, and page checks (axe-core, console errors, failed or foreign requests).
// It never downloads a browser and never skips: a missing tool is a failure that says what to install.

import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM = process.env.INTEGRIDAD_CHROMIUM || '/usr/bin/chromium';
export const LANGS = ['es', 'en'];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const AXE_PATH = path.join(REPO, 'node_modules', 'axe-core', 'axe.min.js');
export const VNU_JAR = path.join(REPO, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

const INSTALL_HINT =
  'install the browser-test tools: `npm ci --ignore-scripts --no-audit --no-fund` in the repository, and ' +
  '`apt-get install -y chromium default-jre-headless` (Debian), or run `scripts/setup-test-machine` as root';

/** Throws (never skips) when a tool the suite needs is missing. */
export function requireTools({ java = false } = {}) {
  const missing = [];
  if (!existsSync(path.join(REPO, 'node_modules', 'playwright-core'))) missing.push('node_modules/playwright-core (run `npm ci`)');
  if (!existsSync(AXE_PATH)) missing.push('node_modules/axe-core (run `npm ci`)');
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (run \`apt-get install chromium\`)`);
  if (java) {
    if (!existsSync(VNU_JAR)) missing.push('node_modules/vnu-jar (run `npm ci`)');
    const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) missing.push('java (run `apt-get install default-jre-headless`)');
  }
  if (missing.length) throw new Error(`missing: ${missing.join('; ')}\n${INSTALL_HINT}`);
}

/** The built site folder, as set by tests/browser.rs (INTEGRIDAD_SITE_DIR). */
export function siteDir() {
  const dir = process.env.INTEGRIDAD_SITE_DIR;
  if (!dir || !existsSync(path.join(dir, 'index.html'))) {
    throw new Error(
      'INTEGRIDAD_SITE_DIR must name a built site (it holds no index.html: ' + String(dir) + '). ' +
      'Run the suite with `cargo test --test web`, or build first: ' +
      '`cargo run -- build --output /tmp/site && INTEGRIDAD_SITE_DIR=/tmp/site node --test tests/browser/*.test.mjs`',
    );
  }
  return dir;
}

/** The integridad binary (INTEGRIDAD_BIN, set by tests/browser.rs; else target/debug). */
export function binary() {
  const bin = process.env.INTEGRIDAD_BIN || path.join(REPO, 'target', 'debug', 'integridad');
  if (!existsSync(bin)) throw new Error(`integridad binary not found at ${bin}; run \`cargo build\` or set INTEGRIDAD_BIN`);
  return bin;
}

/** A fresh scratch folder (under INTEGRIDAD_TMP when set), removed by the caller. */
export function scratchDir(prefix) {
  const base = process.env.INTEGRIDAD_TMP || tmpdir();
  return mkdtempSync(path.join(base, prefix));
}

export function removeDir(dir) {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Static server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.pdf': 'application/pdf',
  '.woff2': 'font/woff2',
};
export const CSP = "default-src 'self'";

/**
 * Serves `root` on 127.0.0.1 at a random port the way a plain static host does: `/dir/` →
 * `dir/index.html`, `/dir` → 301 to `/dir/`, anything else missing → `404.html` with status 404.
 * Every response carries `Content-Security-Policy: default-src 'self'`.
 */
export async function startStaticServer(root) {
  const rootAbs = path.resolve(root);
  const server = createServer((req, res) => {
    const headers = { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-store' };
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400, headers).end('bad request');
      return;
    }
    const file = path.resolve(rootAbs, '.' + pathname);
    const inside = file === rootAbs || file.startsWith(rootAbs + path.sep);
    let target = null;
    if (inside && existsSync(file)) {
      if (statSync(file).isDirectory()) {
        if (!pathname.endsWith('/')) {
          res.writeHead(301, { ...headers, Location: pathname + '/' }).end();
          return;
        }
        if (existsSync(path.join(file, 'index.html'))) target = path.join(file, 'index.html');
      } else {
        target = file;
      }
    }
    let status = 200;
    if (!target) {
      status = 404;
      // Like the README's server snippets: a missing URL under /en/ gets the English 404 page.
      const lang = pathname.match(/^\/([a-z]{2,3}(?:-[A-Za-z0-9]+)?)\//);
      const localized = lang && path.join(rootAbs, lang[1], '404.html');
      target = localized && existsSync(localized) ? localized : path.join(rootAbs, '404.html');
      if (!existsSync(target)) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
        return;
      }
    }
    const body = readFileSync(target);
    const type = TYPES[path.extname(target).toLowerCase()] || 'application/octet-stream';
    res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

// ---------------------------------------------------------------------------------------------
// Browser

/**
 * Launches Debian's Chromium headless with a fresh profile; no network beyond loopback. Each of
 * `hosts` (`camara.example.org`) resolves to 127.0.0.1, so a test can visit the loopback server
 * under that name (with the server's port).
 */
export async function launchBrowser({ hosts = [] } = {}) {
  requireTools();
  const { chromium } = await import('playwright-core');
  // playwright's `launch` always starts Chromium with a fresh temporary user data dir.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Any host other than the loopback server fails to resolve, so a stray request cannot leave
      // the machine; it is still reported by `watchPage`.
      `--host-resolver-rules=${[...hosts.map((h) => `MAP ${h} 127.0.0.1`), 'MAP * ~NOTFOUND', 'EXCLUDE 127.0.0.1'].join(', ')}`,
    ],
  });
}

/**
 * Records what a page does wrong while it is open: console errors, uncaught exceptions,
 * failed requests, responses ≥ 400 and requests to other origins. `expect404` names the one
 * URL whose 404 is deliberate.
 */
export function watchPage(page, origin, { expect404 = null } = {}) {
  const log = { consoleErrors: [], pageErrors: [], failed: [], foreign: [], requests: [] };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location()?.url || '';
    if (expect404 && where === expect404 && /status of 404/.test(msg.text())) return;
    log.consoleErrors.push(`${msg.text()}${where ? `  (${shortUrl(where, origin)})` : ''}`);
  });
  page.on('pageerror', (error) => log.pageErrors.push(String(error && error.stack ? error.stack : error)));
  page.on('request', (request) => {
    const url = request.url();
    log.requests.push(request);
    if (/^(data|blob|about):/.test(url)) return;
    if (!url.startsWith(origin + '/')) log.foreign.push(`${request.method()} ${url}`);
  });
  page.on('requestfailed', (request) => {
    // A request the browser cancelled because the page moved on (a navigation while the
    // favicon or a search excerpt was still loading) is not a failure of the site; refused
    // connections, CSP blocks and HTTP errors (below) still are.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    log.failed.push(`${request.method()} ${shortUrl(request.url(), origin)}: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => {
    if (response.status() < 400) return;
    if (expect404 && response.url() === expect404 && response.status() === 404) return;
    log.failed.push(`${response.request().method()} ${shortUrl(response.url(), origin)}: HTTP ${response.status()}`);
  });
  log.problems = () => [
    ...log.consoleErrors.map((e) => `console error: ${e}`),
    ...log.pageErrors.map((e) => `uncaught exception: ${e}`),
    ...log.failed.map((e) => `failed request: ${e}`),
    ...log.foreign.map((e) => `request to another host: ${e}`),
  ];
  log.clear = () => {
    for (const key of ['consoleErrors', 'pageErrors', 'failed', 'foreign', 'requests']) log[key].length = 0;
  };
  return log;
}

export function shortUrl(url, origin) {
  return url.startsWith(origin) ? url.slice(origin.length) : url;
}

let axeSource = null;

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA tags) on the page and returns readable violation lines;
 * contrast that axe cannot decide is printed as a note.
 * axe is evaluated over the DevTools protocol, which the page's CSP does not restrict, so the
 * page itself stays under `default-src 'self'`.
 */
export async function runAxe(page, label = '') {
  axeSource ??= readFileSync(AXE_PATH, 'utf8');
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  const { violations, unsure } = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations', 'incomplete'],
    });
    const unsure = result.incomplete
      .filter((v) => v.id === 'color-contrast')
      .flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.any?.[0]?.message ?? 'undetermined'}`));
    return { unsure, violations: result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary, html: n.html })),
    })) };
  }, AXE_TAGS);
  // Contrast axe cannot decide (text over gradients or images) is not a failure; list it for a human.
  for (const line of unsure) console.log(`note: axe could not check the contrast of ${line} (${page.url()}${label ? ` ${label}` : ''})`);
  return violations.map((v) => {
    const nodes = v.nodes.slice(0, 6).map((n) =>
      `      at ${n.target}\n        ${n.html.slice(0, 160).replace(/\s+/g, ' ')}\n        ${String(n.summary || '').replace(/\n\s*/g, ' | ').slice(0, 300)}`,
    );
    const more = v.nodes.length > 6 ? `\n      … and ${v.nodes.length - 6} more` : '';
    return `axe ${v.id} (${v.impact}): ${v.help} — ${v.nodes.length} element(s)\n${nodes.join('\n')}${more}`;
  });
}

/** Fails with every problem listed, one per line, under a heading. */
export function assertNoProblems(heading, problems) {
  if (problems.length) {
    throw new Error(`${heading}: ${problems.length} problem(s)\n  - ${problems.join('\n  - ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The built site

/** URL paths of the chapters of the toolkit section in `lang`, from the output folder. */
export function chapterPaths(dir, lang) {
  const prefix = lang === 'es' ? '' : `${lang}/`;
  const toolkit = path.join(dir, prefix, 'toolkit');
  if (!existsSync(toolkit)) return [];
  return readdirSync(toolkit, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(toolkit, e.name, 'index.html')))
    .map((e) => `/${prefix}toolkit/${e.name}/`)
    .sort();
}

/** The chapter with the largest HTML file in `lang` (the worst case for page weight). */
export function heaviestChapter(dir, lang) {
  const paths = chapterPaths(dir, lang);
  if (!paths.length) throw new Error(`no chapters under ${lang === 'es' ? '' : lang + '/'}toolkit/ in ${dir}`);
  const size = (p) => statSync(path.join(dir, p, 'index.html')).size;
  return paths.reduce((a, b) => (size(b) > size(a) ? b : a));
}

export function langPrefix(lang) {
  return lang === 'es' ? '/' : `/${lang}/`;
}
