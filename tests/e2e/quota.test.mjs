// End-to-end: IndexedDB fills up mid-session. Writes start failing with a QuotaExceededError
// after a few answers; the studio says so (the cause, how many answers are in memory only) with
// the exports at hand, labeling continues, the labels CSV holds every label (stored or not), and
// once there is room again the next answer stores the ones kept in memory: a reload brings back
// every label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  withApp, openPage, openDemo, ready, settled, count, waitCount, labelByKey,
  cancelOpeningAnother, cancelClosingTab,
} from './lib.mjs';

/** The `i`-th answer (keys 1, 2, 3 in turn), which makes `expected` labels. */
const label = (page, i, expected) => labelByKey(page, String((i % 3) + 1), expected);

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

test('storage full mid-session: told why, labeling continues, export has every label, nothing lost once there is room', () => withApp('/quota/', async ({ server, browser }) => {
  const SAVED = 3;
  const { context, page, errors } = await openPage(browser, server.url, {
    contextOptions: { acceptDownloads: true },
    init: (context) => context.addInitScript(fillUpAfter, SAVED),
  });
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
}));
