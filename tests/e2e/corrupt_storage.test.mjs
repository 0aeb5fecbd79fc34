// End-to-end: a damaged entry in a stored project's log gives a clear message; the answers before
// it come back, and the project can still be exported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './server.mjs';
import { openDemo } from './lib.mjs';

const DIST = process.env.DIST_DIR || new URL('../../dist', import.meta.url).pathname;
const settled = (page) =>
  page.waitForFunction(() => document.querySelector('[data-testid=status]')?.dataset.busy === 'false');
const count = async (page) => Number(await page.locator('[data-testid=labels-count]').textContent());
const waitCount = (page, n) =>
  page.waitForFunction((n) => document.querySelector('[data-testid=labels-count]')?.textContent === String(n), n);

test('a damaged stored answer: a message, the answers before it restored, export still works', async () => {
  const server = await startServer({ dir: DIST, base: '/damaged/' });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await openDemo(page);
    await settled(page);
    const start = await count(page);
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press(String((i % 3) + 1));
      await waitCount(page, start + i + 1);
      await settled(page);
    }
    // Damage the third stored answer, as a disk error or another program might.
    await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('activelab');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction('events', 'readwrite');
        const store = tx.objectStore('events');
        const keys = store.getAllKeys();
        keys.onsuccess = () => {
          const third = keys.result.sort()[2];
          store.put('{"Label": {"row": "not a number"', third);
        };
        tx.oncomplete = () => { db.close(); resolve(); };
        tx.onerror = () => reject(tx.error);
      };
    }));
    await page.reload();
    const note = page.locator('[data-testid=storage-note]');
    await note.waitFor({ timeout: 60_000 });
    assert.match(await note.textContent(), /event 3 of 4 could not be read.*the 2 before it were restored.*Export/s);
    await waitCount(page, start + 2);
    await settled(page);
    const download = page.waitForEvent('download');
    await page.locator('[data-testid=export-project]').click();
    const file = await download;
    assert.match(file.suggestedFilename(), /\.activelab\.json$/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});
