// Chambers' report (issue 16): the checklist page exports version 2 (checklist version, scores,
// optional size and state, random export id) and still imports version 1; exports become a
// report with `integridad report`, whose pages pass axe and the Nu HTML checker with zero
// findings under `default-src 'self'`, in both languages.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import {
  assertNoProblems, binary, launchBrowser, REPO, removeDir, requireTools, runAxe, scratchDir,
  siteDir, startStaticServer, VNU_JAR, watchPage,
} from './harness.mjs';

const SITE = siteDir();
const ID = 'health';
const DATA = JSON.parse(readFileSync(path.join(SITE, 'checklists', ID, 'checklist.json'), 'utf8'));
const ITEMS = DATA.sections.flatMap((s) => s.items);

describe('chambers report', () => {
  let browser;
  let server;
  let page;
  let log;
  let scratch;
  let exported;

  before(async () => {
    scratch = scratchDir('report-');
    browser = await launchBrowser();
    server = await startStaticServer(SITE);
    const context = await browser.newContext({ acceptDownloads: true });
    page = await context.newPage();
    log = watchPage(page, server.origin);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    removeDir(scratch);
  });

  it('exports version 2 with the checklist version, scores and the chosen size and state', async () => {
    await page.goto(server.url(`/en/checklists/${ID}/`));
    const picks = ['yes', 'no', 'partly'];
    for (const [i, item] of ITEMS.slice(0, 3).entries()) {
      await page.locator(`fieldset[data-item="${item.id}"] label:has(input[value="${picks[i]}"])`).click();
    }
    const share = page.locator('#share');
    assert.ok(await share.isVisible(), 'the share box shows with JavaScript');
    assert.match(await share.innerText(), /stays on this device/);
    await page.selectOption('#share-size', 'small');
    await page.selectOption('#share-state', 'MX-NLE');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 5000 }),
      page.locator('button[data-action="export-share"]').click(),
    ]);
    exported = path.join(scratch, 'export.json');
    await download.saveAs(exported);
    const data = JSON.parse(readFileSync(exported, 'utf8'));
    assert.equal(data.format, 'integridad-checklist');
    assert.equal(data.version, 2);
    assert.equal(data.checklist, ID);
    assert.equal(data.items_hash, DATA.items_hash, 'the page and checklist.json name the same version');
    assert.match(data.export_id, /^[0-9a-f]{32}$/);
    assert.match(data.date, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(data.language, 'en');
    assert.equal(data.size, 'small');
    assert.equal(data.state, 'MX-NLE');
    const weights = { high: 3, medium: 2, low: 1 };
    const values = { yes: 1, partly: 0.5, no: 0 };
    const used = ITEMS.slice(0, 3);
    const expected = 100 * used.reduce((s, it, i) => s + weights[it.risk] * values[picks[i]], 0)
      / used.reduce((s, it) => s + weights[it.risk], 0);
    assert.ok(Math.abs(data.score - expected) < 0.006, `score ${data.score} vs ${expected}`);
    assert.ok(['initial', 'developing', 'solid'].includes(data.band));
    assert.ok(Object.keys(data.sections).length === DATA.sections.length, 'a score per section');
    assert.ok(Object.keys(data.elements).length > 0, 'a score per element');
    assert.deepEqual(Object.keys(data.answers), used.map((it) => it.id));
    assert.ok(!('company' in data) && !('name' in data), 'nothing names the company');
    // Exporting again unchanged keeps the id, so a file sent twice counts once.
    const [again] = await Promise.all([
      page.waitForEvent('download', { timeout: 5000 }),
      page.locator('button[data-action="export-share"]').click(),
    ]);
    const againFile = path.join(scratch, 'again.json');
    await again.saveAs(againFile);
    assert.equal(JSON.parse(readFileSync(againFile, 'utf8')).export_id, data.export_id);
    assertNoProblems('export', log.problems());
  });

  it('still imports a version 1 export', async () => {
    const v1 = path.join(scratch, 'v1.json');
    writeFileSync(v1, JSON.stringify({ format: 'integridad-checklist', version: 1, checklist: ID, answers: { [ITEMS[4].id]: 'no' } }));
    await page.locator('input[type="file"]').setInputFiles(v1);
    await page.waitForFunction((id) => document.querySelector(`fieldset[data-item="${id}"] input[value="no"]`)?.checked, ITEMS[4].id);
    assert.match(await page.locator('#checklist-status').textContent(), /1/);
    assertNoProblems('import', log.problems());
  });

  it('the report built from exports passes axe and the Nu checker in both languages', { timeout: 180_000 }, async () => {
    requireTools({ java: true });
    const inbox = path.join(scratch, 'inbox');
    mkdirSync(inbox);
    const base = JSON.parse(readFileSync(exported, 'utf8'));
    // Twelve companies: each answers one more question of its own, since exports with the same
    // answers count once towards the report's minimum group.
    const weights = { high: 3, medium: 2, low: 1 };
    const values = { yes: 1, partly: 0.5, no: 0 };
    assert.ok(ITEMS.length >= 15, 'enough questions for twelve answer sets');
    for (let i = 0; i < 12; i++) {
      const answers = { ...base.answers, [ITEMS[3 + i].id]: 'yes' };
      const answered = ITEMS.filter((it) => it.id in answers);
      const score = 100 * answered.reduce((s, it) => s + weights[it.risk] * values[answers[it.id]], 0)
        / answered.reduce((s, it) => s + weights[it.risk], 0);
      const copy = { ...base, answers, score, export_id: i.toString(16).padStart(32, '0'), date: i < 6 ? '2026-02-01' : '2026-07-01' };
      if (i % 2) delete copy.state;
      writeFileSync(path.join(inbox, `${i}.json`), JSON.stringify(copy));
    }
    const out = path.join(scratch, 'report');
    const run = spawnSync(binary(), ['report', inbox, '--output', out, '--root', REPO], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const report = await startStaticServer(out);
    try {
      const problems = [];
      for (const url of ['/', '/en/', `/checklists/${ID}/`, `/en/checklists/${ID}/`]) {
        const watched = watchPage(page, report.origin);
        await page.goto(report.url(url));
        assert.ok(await page.locator('svg.chart').count() > 0, `${url} has charts`);
        problems.push(...(await runAxe(page, url)).map((p) => `${url}: ${p}`));
        await page.setViewportSize({ width: 320, height: 700 });
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        if (width > 320) problems.push(`${url}: scrolls horizontally at 320 px (scrollWidth ${width})`);
        await page.setViewportSize({ width: 1280, height: 800 });
        problems.push(...watched.problems().map((p) => `${url}: ${p}`));
        page.removeAllListeners('console');
        page.removeAllListeners('pageerror');
        page.removeAllListeners('request');
        page.removeAllListeners('requestfailed');
        page.removeAllListeners('response');
      }
      assertNoProblems('report pages', problems);
    } finally {
      await report.close();
    }
    const vnu = await new Promise((resolve, reject) => {
      const child = spawn('java', ['-Xss8m', '-jar', VNU_JAR, '--format', 'json', '--skip-non-html', out], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d) => { text += d; });
      child.stderr.on('data', (d) => { text += d; });
      child.on('error', reject);
      child.on('close', () => resolve(text));
    });
    const json = JSON.parse(vnu.slice(vnu.indexOf('{')));
    const findings = json.messages
      .filter((m) => m.type === 'error' || m.type === 'non-document-error' || m.subType === 'warning')
      .map((m) => `${m.url ? path.relative(out, fileURLToPath(m.url)) : ''}:${m.lastLine}: ${m.message}`);
    assertNoProblems('Nu HTML checker on the report', findings);
    const files = readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.html'));
    assert.ok(files.length >= 4, `report pages: ${files.join(', ')}`);
  });
});
