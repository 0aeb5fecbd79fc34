// End-to-end, security: the Content-Security-Policy blocks nothing the app needs, a whole session
// makes no request but for the app's own static files, and hostile text in a file is shown as
// text, never run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { DIST, withApp, openPage, openDemo, settled, labelKnown, named, waitCount } from './lib.mjs';

const BASE = '/secure/activelab/';

/** Every file under dist/, as URL paths under BASE. */
function distPaths(dir = DIST) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) out.push(...distPaths(file));
    else out.push(BASE + relative(DIST, file).split(sep).join('/'));
  }
  return out;
}

/** Record CSP violations from the very first script on (before the app's own scripts run). */
function recordViolations() {
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
  });
}

/** Open the page with every listener attached; returns what they collect. */
async function openApp(browser, server) {
  const { page, errors } = await openPage(browser, null, { console: true });
  const seen = { requests: [], dialogs: [], errors, websockets: [] };
  await page.addInitScript(recordViolations);
  page.on('request', (r) => seen.requests.push(r.url()));
  page.on('worker', (w) => seen.requests.push(w.url()));
  page.on('websocket', (ws) => seen.websockets.push(ws.url()));
  page.on('dialog', async (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  await page.goto(server.url);
  await openDemo(page);
  await waitCount(page, 3);
  await settled(page);
  return { page, seen };
}

test('the CSP is strict, blocks nothing, and a whole session stays on this origin', () => withApp(BASE, async ({ server, browser }) => {
  // The policy is in the built page, with a hash for each inline script and no remote origin.
  const html = (await (await fetch(server.url)).text());
  const policy = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)"/)?.[1];
  assert.ok(policy, 'index.html has a CSP <meta>');
  assert.match(policy, /default-src 'self'/);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+/=]+')+;/);
  assert.match(policy, /object-src 'none'/);
  assert.doesNotMatch(policy, /inline-script-hashes|'unsafe-inline'|'unsafe-eval'|https?:|\*/);
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)].length;
  assert.equal([...policy.matchAll(/'sha256-/g)].length, inline, 'one hash per inline script');

  const { page, seen } = await openApp(browser, server);
  const loaded = seen.requests.length;

  // Label 10 by keyboard.
  for (let i = 1; i <= 10; i++) await labelKnown(page, 3 + i);

  // A local CSV through the real file input.
  const lines = ['a,b,kind'];
  for (let i = 0; i < 30; i++) lines.push(`${i},${(i * 7) % 11},${i % 2 ? 'odd' : 'even'}`);
  await page.setInputFiles('[data-testid=open-file-input]', {
    name: 'local.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(lines.join('\n') + '\n'),
  });
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 60_000 });
  await page.selectOption('[data-testid=map-label]', 'kind');
  await page.click('[data-testid=map-start]');
  await named(page, 'local.csv');
  await settled(page);

  // Switch demo.
  await page.selectOption('[data-testid=demo-select]', 'wine.csv');
  await named(page, 'Wine');
  await settled(page);

  const violations = await page.evaluate(() => window.__cspViolations);
  assert.deepEqual(violations, [], 'the CSP blocked nothing');
  assert.deepEqual(seen.errors, [], 'no console errors');

  const origin = new URL(server.url).origin;
  const network = seen.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:'));
  const foreign = network.filter((u) => !u.startsWith(origin + '/'));
  assert.deepEqual(foreign, [], 'no request to another origin');
  assert.deepEqual(seen.websockets, [], 'no WebSocket');
  // After loading, only the app's own static files: dist/ (which holds public/datasets/).
  const allowed = new Set(distPaths());
  const later = network.slice(loaded).map((u) => new URL(u).pathname);
  const unexpected = later.filter((p) => !allowed.has(p));
  assert.deepEqual(unexpected, [], 'after loading, only dist/ files are requested');
  assert.ok(later.some((p) => p.endsWith('/datasets/wine.csv')), 'the demo came from dist/datasets/');
  const served = server.requests.filter((p) => p !== BASE && !allowed.has(p));
  assert.deepEqual(served, [], 'the server saw no request outside dist/');
  assert.ok(server.requests.includes(`${BASE}worker_loader.js`), 'the worker started from a file, not a blob:');
}));

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const JS_URL = 'javascript:alert(1)';

test('hostile text in cells, class names and file names is shown as text, never run', () => withApp(BASE, async ({ server, browser }) => {
  const { page, seen } = await openApp(browser, server);
  const scriptsBefore = await page.evaluate(() => document.querySelectorAll('script').length);

  const lines = ['x,note,label'];
  const notes = [SCRIPT, IMG, JS_URL];
  const classes = [SCRIPT, IMG];
  for (let i = 0; i < 24; i++) {
    const label = i < 8 ? classes[i % 2] : '';
    lines.push(`${i * 1.5},${notes[i % 3]},${label}`);
  }
  const csv = Buffer.from(lines.join('\n') + '\n');
  // A file name cannot hold '/', so the <script> payload goes in through a DataTransfer below.
  const name = `${IMG} ${JS_URL}.csv`;
  await page.setInputFiles('[data-testid=open-file-input]', { name, mimeType: 'text/csv', buffer: csv });
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 60_000 });
  await page.selectOption('[data-testid=map-label]', 'label');
  await page.selectOption('[data-testid=map-text]', '');
  await page.click('[data-testid=map-start]');
  await named(page, name);
  await settled(page);

  const buttons = await page.locator('[data-testid=class-button]').allTextContents();
  assert.ok(buttons.some((t) => t.includes(SCRIPT)), `a class button shows ${SCRIPT} as text: ${buttons}`);
  assert.ok(buttons.some((t) => t.includes(IMG)), `a class button shows ${IMG} as text: ${buttons}`);
  const text = await page.evaluate(() => document.body.innerText);
  for (const payload of [SCRIPT, IMG, JS_URL]) {
    assert.ok(text.includes(payload), `the page shows ${payload} as text`);
  }
  // Label one with the keyboard: the app keeps working with such class names.
  const count = await page.locator('[data-testid=labels-count]').textContent();
  await page.keyboard.press('1');
  await page.waitForFunction((c) => document.querySelector('[data-testid=labels-count]')?.textContent === String(Number(c) + 1), count);
  await settled(page);

  // The <script> payload as a file name, through the same input (a DataTransfer sets its files).
  const scriptName = `${SCRIPT}.csv`;
  await page.evaluate(([n, body]) => {
    const input = document.querySelector('[data-testid=open-file-input]');
    const dt = new DataTransfer();
    dt.items.add(new File([body], n, { type: 'text/csv' }));
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, [scriptName, 'a,b,label\n1,2,x\n1,2\n']);
  await page.waitForFunction(() => document.querySelector('[data-testid=error], [data-testid=map-start]'));
  if (await page.locator('[data-testid=map-start]').count()) await page.click('[data-testid=map-start]');
  const alert = page.locator('[data-testid=error]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /<script>alert\(1\)<\/script>\.csv: line 3 has 2 fields/);

  assert.deepEqual(seen.dialogs, [], 'no dialog opened');
  const injected = await page.evaluate(() => ({
    scripts: document.querySelectorAll('script').length,
    images: document.querySelectorAll('img').length,
    links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')).filter((h) => h.startsWith('javascript:')),
  }));
  assert.equal(injected.scripts, scriptsBefore, 'no <script> element was injected');
  assert.equal(injected.images, 0, 'no <img> element was injected');
  assert.deepEqual(injected.links, [], 'no javascript: link');
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), [], 'nothing even tried to run');
  assert.deepEqual(seen.errors, [], 'no console errors');
}));
