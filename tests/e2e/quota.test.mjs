// End-to-end: IndexedDB fills up mid-session. Writes start failing with a QuotaExceededError
// after a few answers; the studio says so (the cause, how many answers are in memory only) with
// the exports at hand, labeling continues, the labels CSV holds every label (stored or not), and
// once there is room again the next answer stores the ones kept in memory: a reload brings back
// every label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startServer, launchBrowser } from './server.mjs';
import { openDemo, cancelOpeningAnother, cancelClosingTab } from './lib.mjs';

const DIST = process.env.DIST_DIR || new URL('../../dist', import.meta.url).pathname;
const settled = (page) =>
  page.waitForFunction(() => document.querySelector('[data-testid=status]')?.dataset.busy === 'false');
const count = async (page) => Number(await page.locator('[data-testid=labels-count]').textContent());
const waitCount = (page, n) =>
  page.waitForFunction((n) => document.querySelector('[data-testid=labels-count]')?.textContent === String(n), n);

async function ready(page) {
  await page.locator('[data-testid=class-button]').first().waitFor({ timeout: 60_000 });
  await settled(page);
}

async function label(page, i, expected) {
  await page.keyboard.press(String((i % 3) + 1));
  await waitCount(page, expected);
  await settled(page);
}

// The storage a full disk leaves: after `allowed` event writes, every IndexedDB write throws a
// QuotaExceededError (as `IDBObjectStore.put` does when the origin's quota is used up), until the
// test frees room with `window.__quota.free = true`.
function fillUpAfter(allowed) {
  const state = { allowed, eventWrites: 0, full: false, free: false, refused: 0 };
  window.__quota = state;
  for (const method of ['put', 'add']) {
    const original = IDBObjectStore.prototype[method];
    IDBObjectStore.prototype[method] = function (...args) {
      if (!state.free) {
        if (!state.full && this.name === 'events') {
          if (state.eventWrites >= state.allowed) state.full = true;
          else state.eventWrites += 1;
        }
        if (state.full) {
          state.refused += 1;
          throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        }
      }
      return original.apply(this, args);
    };
  }
}

test('storage full mid-session: told why, labeling continues, export has every label, nothing lost once there is room', async () => {
  const server = await startServer({ dir: DIST, base: '/quota/' });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const SAVED = 3;
    await context.addInitScript(fillUpAfter, SAVED);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await openDemo(page);
    await page.locator('[data-testid=storage-ok]').waitFor();
    const start = await count(page);

    // These answers are stored.
    for (let i = 0; i < SAVED; i++) await label(page, i, start + i + 1);
    assert.equal(await page.locator('[data-testid=storage-note]').count(), 0, 'no warning while writes succeed');

    // The disk is full from here on: the first failed answer is announced at once.
    await label(page, SAVED, start + SAVED + 1);
    const note = page.locator('[data-testid=storage-note]');
    await note.waitFor();
    assert.match(
      await note.textContent(),
      /Storage is full \(QuotaExceededError\): your last answer is kept in memory only.*export your labels now/s,
    );
    // Labeling continues; the count of answers in memory only grows with each one.
    const UNSAVED = 4;
    for (let i = SAVED + 1; i < SAVED + UNSAVED; i++) await label(page, i, start + i + 1);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=storage-note]')?.textContent.includes(`your last ${n} answers are kept in memory only`),
      UNSAVED,
    );
    assert.ok(await page.evaluate(() => window.__quota.refused) >= UNSAVED, 'the writes were refused');
    const total = start + SAVED + UNSAVED;
    assert.equal(await count(page), total);

    // The export button is in the warning itself; the CSV holds every label, stored or not.
    const download = page.waitForEvent('download');
    await note.locator('[data-testid=storage-export-csv]').click();
    const file = await download;
    assert.match(file.suggestedFilename(), /labels\.csv$/);
    const lines = (await readFile(await file.path(), 'utf8')).trim().split('\n');
    const header = lines[0].split(',');
    const labelColumn = header.length - 1;
    assert.equal(header[labelColumn], 'label');
    const labeled = new Map();
    lines.slice(1).forEach((line, row) => {
      const cells = line.split(',');
      if (cells[labelColumn]) labeled.set(row, cells[labelColumn]);
    });
    assert.equal(labeled.size, total, 'one labeled row in the CSV per label');
    const classes = await page.locator('[data-testid=class-button] span').allTextContents();
    const history = await page.locator('[data-testid=history-item]').evaluateAll((items) =>
      items.map((li) => [Number(li.dataset.row), Number(li.dataset.class)]));
    assert.equal(history.length, total);
    for (const [row, k] of history) assert.equal(labeled.get(row), classes[k], `row ${row} in the CSV`);
    await settled(page);

    // Leaving would lose the answers in memory: opening another project asks first, and Cancel
    // changes nothing.
    await cancelOpeningAnother(
      page,
      new RegExp(`^${UNSAVED} answers of project Iris could not be saved in this browser \\(QuotaExceededError.*Opening another project drops them`, 's'),
    );
    assert.equal(await count(page), total, 'every label is still there');
    // Closing or reloading the tab asks too (the browser's own dialog); staying keeps the page.
    await cancelClosingTab(page);
    assert.equal(await count(page), total);

    // Room again: the next answer stores itself and every answer kept in memory.
    await page.evaluate(() => { window.__quota.free = true; });
    await label(page, SAVED + UNSAVED, total + 1);
    await page.locator('[data-testid=storage-ok]').waitFor();
    await page.reload();
    await ready(page);
    await waitCount(page, total + 1);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});
