// The sector checklist self-assessment (issue 3 item 6, SPEC "Sector checklists"): answer items
// by clicking their labels, check score, band, per-section scores and priority actions against
// the SPEC formula computed here from checklist.json, then reload, switch language, export,
// reset, import (a good and several wrong files) and print. The steps share one page and run in order.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  assertNoProblems, launchBrowser, removeDir, scratchDir, siteDir, startStaticServer, watchPage,
} from './harness.mjs';

const SITE = siteDir();
const ID = 'construction';
const URL_ES = `/checklists/${ID}/`;
const URL_EN = `/en/checklists/${ID}/`;
const DATA = JSON.parse(readFileSync(path.join(SITE, 'checklists', ID, 'checklist.json'), 'utf8'));
// SPEC: value yes 1, partly 0.5, no 0; not applicable is left out.
const VALUES = { yes: 1, partly: 0.5, no: 0 };

const ITEMS = DATA.sections.flatMap((s) => s.items.map((item) => ({ ...item, section: s.id })));
const weightOf = (item) => {
  const w = DATA.scoring?.weights?.[item.risk] ?? { high: 3, medium: 2, low: 1 }[item.risk];
  return w;
};

/** The answers the test gives: a mix of every answer and risk, over two sections. */
function chooseAnswers() {
  const picks = ['yes', 'partly', 'no', 'not-applicable', 'yes', 'no', 'partly'];
  const chosen = {};
  picks.forEach((answer, i) => { if (ITEMS[i]) chosen[ITEMS[i].id] = answer; });
  const low = ITEMS.find((it) => it.risk === 'low' && !chosen[it.id]);
  if (low) chosen[low.id] = 'partly';
  return chosen;
}
const CHOSEN = chooseAnswers();

/** SPEC: Σ(weight·value) / Σ(weight) over answered, applicable items; null when none. */
function expectedScore(items) {
  let num = 0;
  let den = 0;
  for (const item of items) {
    const answer = CHOSEN[item.id];
    if (!answer || answer === 'not-applicable') continue;
    num += weightOf(item) * VALUES[answer];
    den += weightOf(item);
  }
  return den ? num / den : null;
}

function expectedBand(score) {
  const bands = [...(DATA.scoring?.bands ?? [])].sort((a, b) => a.min_percent - b.min_percent);
  let band = bands[0];
  for (const b of bands) if (score * 100 + 1e-9 >= b.min_percent) band = b;
  return band?.id;
}

/** A shown percentage matches when it is the exact score floored or rounded. */
function assertPercent(shownText, score, what) {
  const digits = String(shownText ?? '').match(/\d+/);
  assert.ok(digits, `${what}: no number shown (${JSON.stringify(shownText)}); expected about ${(score * 100).toFixed(2)} %`);
  const shown = Number(digits[0]);
  const ok = [Math.floor(score * 100 + 1e-9), Math.round(score * 100)].includes(shown);
  assert.ok(ok, `${what}: shows ${shown} %, the SPEC formula gives ${(score * 100).toFixed(2)} %`);
}

const radio = (id, value) => `fieldset[data-item="${id}"] input[type="radio"][value="${value}"]`;
const answerLabel = (id, value) => `fieldset[data-item="${id}"] label:has(input[type="radio"][value="${value}"])`;

async function clickAnswer(page, id, value) {
  const input = page.locator(radio(id, value));
  const inputId = await input.getAttribute('id');
  const label = inputId
    ? page.locator(`label[for="${inputId}"]`)
    : page.locator(answerLabel(id, value));
  await label.click();
}

/** Item id → checked value, for every item with a checked radio. */
async function checkedAnswers(page) {
  return page.$$eval('fieldset[data-item]', (sets) => {
    const out = {};
    for (const s of sets) {
      const checked = s.querySelector('input[type="radio"]:checked');
      if (checked) out[s.getAttribute('data-item')] = checked.value;
    }
    return out;
  });
}

async function checkScore(page) {
  const overall = expectedScore(ITEMS);
  assertPercent(await page.locator('#score-value').textContent(), overall, 'overall score');
  const bandId = expectedBand(overall);
  const band = page.locator('#score-band');
  const bandName = await page.locator('#checklist-app').getAttribute(`data-band-${bandId}`);
  assert.equal((await band.textContent()).trim(), bandName, `band for ${(overall * 100).toFixed(2)} % should be "${bandName}" (${bandId})`);
  const answered = Object.keys(CHOSEN).length;
  const count = await page.locator('#score-answered').textContent();
  assert.ok(count.includes(String(answered)) && count.includes(String(ITEMS.length)),
    `answered count should say ${answered} of ${ITEMS.length}: ${JSON.stringify(count)}`);
  for (const section of DATA.sections) {
    const score = expectedScore(ITEMS.filter((it) => it.section === section.id));
    const shown = await page.locator(`[data-section-row="${section.id}"] .section-score`).textContent();
    if (score === null) assert.ok(!/\d/.test(shown), `section ${section.id} has no applicable answer but shows ${JSON.stringify(shown)}`);
    else assertPercent(shown, score, `section ${section.id} score`);
  }
}

async function checkPriorities(page) {
  const open = ITEMS.filter((it) => CHOSEN[it.id] === 'no' || CHOSEN[it.id] === 'partly');
  const links = await page.$$eval('#priority-actions li a[href*="#item-"]', (as) => as.map((a) => a.getAttribute('href').split('#item-')[1]));
  assert.deepEqual([...links].sort(), open.map((it) => it.id).sort(), 'priority actions should be exactly the items answered no or partly');
  const weights = links.map((id) => weightOf(ITEMS.find((it) => it.id === id)));
  assert.deepEqual(weights, [...weights].sort((a, b) => b - a), `priority actions should be ordered by risk, high first: ${links.join(', ')}`);
  const texts = await page.locator('#priority-actions > li').allInnerTexts();
  for (const [i, id] of links.entries()) {
    const guidance = (await page.locator(`fieldset[data-item="${id}"] .item-guidance`).innerText()).trim().slice(0, 40);
    assert.ok(texts[i].includes(guidance), `priority action ${id} should show its guidance ("${guidance}…")`);
  }
}

describe('checklist self-assessment', () => {
  let browser;
  let server;
  let context;
  let page;
  let log;
  let scratch;
  let exported;

  before(async () => {
    server = await startStaticServer(SITE);
    browser = await launchBrowser();
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    log = watchPage(page, server.origin);
    scratch = scratchDir('integridad-checklist-');
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    removeDir(scratch);
  });

  it('answering items shows the SPEC score, its band, section scores and priority actions', async () => {
    await page.goto(server.url(URL_ES));
    for (const [id, value] of Object.entries(CHOSEN)) await clickAnswer(page, id, value);
    assert.deepEqual(await checkedAnswers(page), CHOSEN);
    const score = expectedScore(ITEMS);
    console.log(`expected score ${(score * 100).toFixed(2)} % (${expectedBand(score)}) for ${JSON.stringify(CHOSEN)}`);
    await checkScore(page);
    await checkPriorities(page);
  });

  it('answers and score survive a reload', async () => {
    await page.reload();
    assert.deepEqual(await checkedAnswers(page), CHOSEN, 'answers after reload');
    await checkScore(page);
  });

  it('the English page shows the same answers and score', async () => {
    await page.goto(server.url(URL_EN));
    assert.deepEqual(await checkedAnswers(page), CHOSEN, 'answers on the English page');
    await checkScore(page);
    await checkPriorities(page);
  });

  it('export downloads a JSON file with the answers', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 5000 }),
      page.locator('button[data-action="export"]').click(),
    ]);
    const file = path.join(scratch, download.suggestedFilename() || 'export.json');
    await download.saveAs(file);
    exported = file;
    const data = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(data.checklist, ID, 'exported file names the checklist');
    assert.deepEqual(data.answers, CHOSEN, 'exported answers');
  });

  it('reset asks first, and clears the answers only when confirmed', async () => {
    page.once('dialog', (dialog) => dialog.dismiss());
    await page.locator('button[data-action="reset"]').click();
    assert.deepEqual(await checkedAnswers(page), CHOSEN, 'answers after a cancelled reset');
    let asked = false;
    page.once('dialog', (dialog) => { asked = true; dialog.accept(); });
    await page.locator('button[data-action="reset"]').click();
    assert.ok(asked, 'reset should ask for confirmation');
    assert.deepEqual(await checkedAnswers(page), {}, 'answers after reset');
    assert.ok(!/\d/.test(await page.locator('#score-value').textContent()), 'no score after reset');
    await page.reload();
    assert.deepEqual(await checkedAnswers(page), {}, 'answers after reset and reload');
  });

  it('importing the exported file brings the answers back', async () => {
    assert.ok(exported, 'needs the exported file of the export step');
    await page.locator('input[type="file"]').setInputFiles(exported);
    await page.waitForFunction((n) => document.querySelectorAll('fieldset[data-item] input:checked').length === n,
      Object.keys(CHOSEN).length, { timeout: 5000 });
    assert.deepEqual(await checkedAnswers(page), CHOSEN, 'answers after import');
    await checkScore(page);
    await page.reload();
    assert.deepEqual(await checkedAnswers(page), CHOSEN, 'imported answers after reload');
  });

  const wrongFiles = [
    ['not JSON', 'not-json.json', 'esto no es JSON {'],
    ['foreign JSON', 'foreign.json', JSON.stringify({ hello: 'world', answers: { x: 1 } })],
    ['another checklist', 'other.json', JSON.stringify({ format: 'integridad-checklist', version: 1, checklist: 'health', answers: {} })],
    ['unknown answer values', 'bad-values.json', JSON.stringify({ format: 'integridad-checklist', version: 1, checklist: ID, answers: { [ITEMS[0].id]: 'maybe' } })],
  ];
  for (const [what, name, text] of wrongFiles) {
    it(`importing a wrong file (${what}) shows a message and changes nothing`, async () => {
      await page.reload(); // no message left over from an earlier step
      const before = await checkedAnswers(page);
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
      const file = path.join(scratch, name);
      writeFileSync(file, text);
      await page.locator('input[type="file"]').setInputFiles(file);
      const message = page.locator('[role="alert"]').filter({ hasText: /\S/ });
      await message.first().waitFor({ state: 'visible', timeout: 5000 }).catch(() => {
        throw new Error(`no visible message (role="alert") after importing a ${what} file`);
      });
      assert.deepEqual(await checkedAnswers(page), before, `answers after importing a ${what} file`);
      assert.equal(await page.evaluate(() => JSON.stringify({ ...localStorage })), stored, 'stored answers unchanged');
    });
  }

  it('the print view shows the chosen answers, the score, the priority actions and sign-off lines', async () => {
    await page.reload();
    await page.emulateMedia({ media: 'print' });
    try {
      const problems = [];
      for (const [id, value] of Object.entries(CHOSEN)) {
        const label = page.locator(answerLabel(id, value));
        if (!(await label.isVisible())) problems.push(`chosen answer "${value}" of ${id} is not visible in print`);
        if (!(await page.locator(`fieldset[data-item="${id}"] legend`).isVisible())) problems.push(`question ${id} is not visible in print`);
      }
      const score = page.locator('#score-value');
      if (!(await score.isVisible()) || !/\d/.test(await score.textContent())) problems.push('the score is not visible in print');
      if (!(await page.locator('#score-band').isVisible())) problems.push('the band is not visible in print');
      const actions = page.locator('#priority-actions > li');
      const count = await actions.count();
      for (let i = 0; i < count; i++) {
        if (!(await actions.nth(i).isVisible())) problems.push(`priority action ${i + 1} is not visible in print`);
      }
      if (!count) problems.push('no priority actions in print');
      const signOff = page.locator('.sign-off');
      if (!(await signOff.count()) || !(await signOff.isVisible())) problems.push('no date and signature lines (.sign-off) in print');
      for (const nav of await page.locator('nav').all()) {
        if (await nav.isVisible()) problems.push(`navigation is printed: ${await nav.getAttribute('aria-label')}`);
      }
      assertNoProblems('print view', problems);
    } finally {
      await page.emulateMedia({ media: 'screen' });
    }
    assert.ok(!(await page.locator('.sign-off').isVisible()), 'sign-off lines are for print only');
  });

  it('the whole flow logged no console error and no failed request', () => {
    assertNoProblems('checklist flow', log.problems());
  });
});
