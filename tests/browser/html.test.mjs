// Valid HTML (issue 6 item 2): the W3C Nu HTML Checker (vnu-jar, run with the machine's Java,
// never a downloaded one) reports zero errors over every HTML file of the built site, in one run.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

import { assertNoProblems, requireTools, siteDir, VNU_JAR } from './harness.mjs';

const SITE = siteDir();

function htmlFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.html'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

function runVnu(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-Xss8m', '-jar', VNU_JAR, '--format', 'json', '--skip-non-html', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('the Nu HTML checker finds no error in any page', { timeout: 120_000 }, async () => {
  requireTools({ java: true });
  const files = htmlFiles(SITE);
  if (!files.length) throw new Error(`no HTML files in ${SITE}`);
  const { code, stdout, stderr } = await runVnu(SITE);
  // With --format json the report goes to stderr; take the JSON object wherever it is.
  const text = [stderr, stdout].find((s) => s.trim().startsWith('{'));
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    throw new Error(`the Nu checker did not produce a JSON report (exit ${code}):\n${stderr}\n${stdout}`);
  }
  const where = (m) => {
    const file = m.url ? path.relative(SITE, fileURLToPath(m.url)) : '(no file)';
    return `${file}:${m.lastLine ?? m.firstLine ?? '?'}:${m.firstColumn ?? m.lastColumn ?? '?'}`;
  };
  const errors = report.messages.filter((m) => m.type === 'error' || m.type === 'non-document-error');
  const warnings = report.messages.filter((m) => m.type === 'info' && m.subType === 'warning');
  for (const w of warnings) console.log(`nu warning: ${where(w)}: ${w.message}`);
  console.log(`Nu checker: ${files.length} HTML files, ${errors.length} errors, ${warnings.length} warnings`);
  assertNoProblems(
    `Nu HTML checker over ${files.length} files`,
    errors.map((m) => `${where(m)}: ${m.message}${m.extract ? `\n      ${m.extract.replace(/\s+/g, ' ').trim()}` : ''}`),
  );
  if (code !== 0) throw new Error(`the Nu checker exited with ${code} without reporting an error:\n${stderr}`);
});
