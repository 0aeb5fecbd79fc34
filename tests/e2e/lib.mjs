// Shared steps of the e2e journeys, written once: the tests import them.
//
// `withApp` serves dist/ and launches Chromium around a test; `openPage` opens a page in a fresh
// profile with its errors watched. A first visit (no stored project) lands on the start page;
// `openDemo` picks a bundled demo there (or from the studio's open panel, which has the same
// cards) and waits until its first sample is on screen and the studio is idle. A reload during a
// project goes straight back to the project, so only the first visit of a fresh profile needs it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { startServer, launchBrowser } from './server.mjs';

/** The built app: $DIST_DIR (set by xtask), else dist/ at the repository's root. */
export const DIST = process.env.DIST_DIR || new URL('../../dist', import.meta.url).pathname;

/** Launch Chromium, run `fn(browser)`, and close the browser whatever happens. */
export async function withBrowser(fn) {
  const browser = await launchBrowser();
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}

/** Serve dist/ under the URL prefix `base`, launch Chromium, run `fn({ server, browser })`; the
 * browser and then the server are closed whatever happens. */
export async function withApp(base, fn) {
  const server = await startServer({ dir: DIST, base });
  try {
    return await withBrowser((browser) => fn({ server, browser }));
  } finally {
    await server.close();
  }
}

/** Collect the page's uncaught errors (and with `console: true` its console errors too). */
export function watchErrors(page, { console = false } = {}) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  if (console) page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return errors;
}

/**
 * A page in a context of its own (a fresh profile) whose errors are collected (`watchErrors`),
 * at `url` when one is given. `contextOptions` go to `browser.newContext`; `init(context)` runs
 * before the page opens (for init scripts); `console: true` collects console errors too.
 */
export async function openPage(browser, url, { contextOptions, init, console = false } = {}) {
  const context = await browser.newContext(contextOptions);
  if (init) await init(context);
  const page = await context.newPage();
  const errors = watchErrors(page, { console });
  if (url) await page.goto(url);
  return { context, page, errors };
}

/** `openPage` at `url` for a fresh profile's first view: the start page, with storage known to
 * work ("Open your own data" and the projects list). */
export async function openStart(browser, url, options) {
  const opened = await openPage(browser, url, options);
  await opened.page.locator('[data-testid=start-page]').waitFor({ timeout: 60_000 });
  await opened.page.locator('[data-testid=storage-ok]').waitFor();
  return opened;
}

/** The bundled demos: file under datasets/ → the name the studio shows (src/ui/mod.rs DEMOS). */
export const DEMOS = {
  'iris.csv': 'Iris',
  'wine.csv': 'Wine',
  'breast_cancer.csv': 'Breast Cancer Wisconsin (Diagnostic)',
  'digits.csv': 'Optical Digits (8×8)',
  'penguins.csv': 'Palmer Penguins',
  'fortunes.csv': 'Fortunes (text)',
};

/** Wait until no request is being worked on. */
export async function settled(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.dataset.busy === 'false');
}

/** The row of the sample on screen (its `data-row`). */
export const row = (page) => page.locator('[data-testid=query]').getAttribute('data-row');

/** How many labels the studio counts. */
export const count = async (page) => Number(await page.locator('[data-testid=labels-count]').textContent());

/** Wait until the studio counts `n` labels (busy or not). */
export const waitCount = (page, n) =>
  page.waitForFunction((n) => document.querySelector('[data-testid=labels-count]')?.textContent === String(n), n);

/** Wait until the studio shows the dataset `name`. */
export const named = (page, name, timeout = 60_000) =>
  page.waitForFunction((n) => document.querySelector('[data-testid=dataset-name]')?.textContent === n, name, { timeout });

/**
 * Wait until a project is on screen (its class buttons) and the studio is idle; with `minLabels`,
 * until it also counts at least that many labels (a fresh demo has its seed labels, a reloaded
 * project its own).
 */
export async function ready(page, { timeout = 60_000, minLabels = 0 } = {}) {
  await page.locator('[data-testid=class-button]').first().waitFor({ timeout });
  if (minLabels > 0) {
    await page.waitForFunction(
      (m) => Number(document.querySelector('[data-testid=labels-count]')?.textContent) >= m,
      minLabels,
    );
  }
  await settled(page);
}

/** Wait until the studio counts `n` labels and is idle. */
export async function labelsAre(page, n) {
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=labels-count]')?.textContent === String(n)
      && document.querySelector('[data-testid=status]')?.dataset.busy === 'false',
    n,
    { timeout: 60_000 },
  );
}

/** Press `key` for the sample on screen and wait until the studio counts `expected` labels and is
 * idle. Returns the row that was on screen. */
export async function labelByKey(page, key, expected) {
  const shown = await row(page);
  await page.keyboard.press(key);
  await labelsAre(page, expected);
  return shown;
}

/**
 * Label the sample on screen with its known class (a demo's own label) by keyboard, and wait
 * until the studio counts `expected` labels (by default one more than now), is idle and shows
 * another sample. Returns the count.
 */
export async function labelKnown(page, expected) {
  const query = page.locator('[data-testid=query]');
  const known = Number(await query.getAttribute('data-known-label'));
  const shown = await query.getAttribute('data-row');
  const n = expected ?? (await count(page)) + 1;
  await page.keyboard.press(String(known + 1));
  await page.waitForFunction(
    ([n, oldRow]) => document.querySelector('[data-testid=labels-count]')?.textContent === String(n)
      && document.querySelector('[data-testid=status]')?.dataset.busy === 'false'
      && document.querySelector('[data-testid=query]')?.dataset.row !== oldRow,
    [n, shown],
  );
  return n;
}

/**
 * Open the bundled demo `file` from the demo cards (start page or studio) and wait for its first
 * sample, its seed labels and an idle studio.
 */
export async function openDemo(page, file = 'iris.csv', { timeout = 60_000 } = {}) {
  const name = DEMOS[file];
  if (!name) throw new Error(`${file} is not a bundled demo`);
  const card = page.locator(`[data-testid=demo-card][data-file="${file}"]`);
  await card.waitFor({ timeout });
  await card.click();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=dataset-name]')?.textContent === n
      && document.querySelector('[data-testid=query]') !== null
      && document.querySelector('[data-testid=status]')?.dataset.busy === 'false',
    name,
    { timeout },
  );
  await page.locator('[data-testid=class-button]').first().waitFor({ timeout });
}

/**
 * With answers kept in memory only, opening another project asks first: open another demo from
 * the start page, check that a confirm whose text matches `message` appears, cancel it and go back
 * to the project (named `project`).
 */
export async function cancelOpeningAnother(page, message, project = 'Iris') {
  const asked = page.waitForEvent('dialog');
  await page.click('[data-testid=home-button]');
  // The click returns once the dialog is answered.
  const clicked = page.locator('[data-testid=demo-card][data-file="wine.csv"]').click();
  const confirm = await asked;
  assert.equal(confirm.type(), 'confirm');
  assert.match(confirm.message(), message);
  await confirm.dismiss();
  await clicked;
  await page.locator('[data-testid=resume]').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=dataset-name]')?.textContent === n, project);
}

/** Closing the tab brings up the browser's "Leave site?" dialog; cancel it: the page stays open. */
export async function cancelClosingTab(page) {
  const leaving = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const unload = await leaving;
  assert.equal(unload.type(), 'beforeunload');
  await unload.dismiss();
  assert.equal(page.isClosed(), false);
  // The page answers again before anything else happens to it: closing the context right after a
  // dismissed beforeunload once took the whole browser down (CI, persistence.test.mjs).
  await page.waitForFunction(() => document.readyState === 'complete');
}

/** Fill the input `testid` with `value` and fire its `change` (what the app listens to). */
export async function setField(page, testid, value) {
  await page.fill(`[data-testid=${testid}]`, String(value));
  await page.locator(`[data-testid=${testid}]`).dispatchEvent('change');
}

/** The Simulate tab's race state (`data-state` of its status). */
export const raceState = (page) => page.locator('[data-testid=race-status]').getAttribute('data-state');

/** Wait until the Simulate tab's race is in state `s` (idle, running, done, cancelled). */
export const waitRace = (page, s, timeout = 120_000) =>
  page.waitForFunction((s) => document.querySelector('[data-testid=race-status]')?.dataset.state === s, s, { timeout });

// A minimal PNG encoder (8-bit RGB, no filter), enough to make test images.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A `width` × `height` PNG (8-bit RGB) whose pixel (x, y) is `pixel(x, y)` = [r, g, b]. */
export function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height); // each line starts with filter type 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // bit depth 8, colour type RGB; compression, filter, interlace 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** axe-core's tags for the WCAG 2.0 and 2.1 rules of levels A and AA. */
const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
let axeSource;

/**
 * Run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is now. axe goes in as an inline
 * script, which the app's CSP refuses: open the page's context with `bypassCSP: true` (that
 * context only). Returns the rules violated and those axe could not decide (`incomplete`), each
 * as { id, impact, help, targets } (a CSS selector per offending node), and how many passed.
 */
export async function runAxe(page) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Without bypassCSP, addScriptTag throws with the CSP's own message.
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    const brief = (rules) => rules.map((r) => ({
      id: r.id, impact: r.impact, help: r.help, targets: r.nodes.map((n) => n.target.join(' ')),
    }));
    return { violations: brief(result.violations), incomplete: brief(result.incomplete), passes: result.passes.length };
  }, WCAG_A_AA);
}

/**
 * Fail when axe (`runAxe`) finds a violation of impact serious or critical on the page as it is
 * now, naming each rule, its impact and the offending selectors; log what else it saw. `view`
 * names the view in both.
 */
export async function assertAccessible(page, view) {
  const { violations, incomplete, passes } = await runAxe(page);
  const line = (r) => `${r.id} (${r.impact}, ${r.targets.length} node(s)): ${r.help}\n      ${r.targets.join('\n      ')}`;
  const short = (rules) => rules.map((r) => `${r.id} (${r.impact}) ×${r.targets.length}`).join(', ') || 'none';
  console.log(`axe, ${view}: ${passes} rules pass; violated: ${short(violations)}; to review by hand: ${short(incomplete)}`);
  const grave = violations.filter((r) => r.impact === 'serious' || r.impact === 'critical');
  if (grave.length) assert.fail(`axe, ${view}: ${grave.length} serious or critical violation(s):\n  ${grave.map(line).join('\n  ')}`);
}
