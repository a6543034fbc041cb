// `integridad serve` when its very first build fails (issue 13, "Messages"): the browser gets the
// error overlay, and the overlay does not claim that a last good build is still shown, because
// there is none. Runs the real binary on a copy of the bundled site; waits are bounded.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { binary, launchBrowser, REPO, removeDir, scratchDir } from './harness.mjs';

const WAIT_MS = 30_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('integridad serve: a first build that fails', () => {
  let root;
  let serve;
  let output = '';
  let browser;

  before(async () => {
    root = scratchDir('integridad-first-');
    cpSync(path.join(REPO, 'site.toml'), path.join(root, 'site.toml'));
    cpSync(path.join(REPO, 'content'), path.join(root, 'content'), { recursive: true });
    const home = path.join(root, 'content', '_index.md');
    writeFileSync(home, readFileSync(home, 'utf8').replace(/^---\n/, '---\ntitel: "roto"\n'));
    serve = spawn(binary(), ['serve', '--root', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    serve.stdout.on('data', (d) => { output += d; });
    serve.stderr.on('data', (d) => { output += d; });
    browser = await launchBrowser();
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

  it('shows the errors and says that no build has succeeded yet', async () => {
    const deadline = Date.now() + WAIT_MS;
    let url = null;
    while (!url && Date.now() < deadline) {
      url = output.match(/serving on (http:\/\/127\.0\.0\.1:\d+\/)/)?.[1] ?? null;
      if (!url) await sleep(50);
    }
    assert.ok(url, `serve printed no URL within ${WAIT_MS / 1000} s:\n${output}`);
    assert.match(output, /nothing is served until a build succeeds/);
    const page = await browser.newPage();
    const response = await page.goto(url);
    assert.equal(response.status(), 503);
    const overlay = page.locator('#integridad-overlay');
    await overlay.waitFor({ state: 'visible', timeout: WAIT_MS });
    const text = await overlay.innerText();
    assert.match(text, /titel/, 'the overlay names the unknown key');
    assert.match(text, /Todavía no hay ninguna versión que se haya compilado bien/);
    assert.doesNotMatch(text, /última versión que se compiló bien/);
  });
});
