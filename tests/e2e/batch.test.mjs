// End-to-end: batch mode on the Iris demo, keyboard only. The batch size is typed in the
// settings, the studio shows the engine's batch of 5 (the sample and a grid of 4, in the order of
// tests/reference/batch_iris.json, which the worker's native tests check against the engine), the
// picks are answered by the grid and by keys, a reload in the middle brings back the rest of the
// same batch with every answer kept, and the model refits once the batch is answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { withApp, openPage, openDemo, ready, count, row, labelsAre } from './lib.mjs';

const GOLDEN = JSON.parse(readFileSync(new URL('../reference/batch_iris.json', import.meta.url), 'utf8'));

/** The batch on screen: the sample's row, then the grid's rows in their order. */
async function batchRows(page) {
  const cards = await page.$$eval('[data-testid=batch-card]', (cs) => cs.map((c) => Number(c.dataset.row)));
  return [Number(await row(page)), ...cards];
}

/** Answer the grid card of `r` with the class in position `k` (0-based), by keyboard. */
async function answerCard(page, r, k, expected) {
  const button = page.locator(`[data-testid=batch-card][data-row="${r}"] .class-buttons button`).nth(k);
  await button.focus();
  await page.keyboard.press('Enter');
  await labelsAre(page, expected);
}

test('a batch of 5 labeled by the grid and by keys survives a reload and refits once answered', () => withApp('/batch/', async ({ server, browser }) => {
  const { context, page, errors } = await openPage(browser, server.url);
  await openDemo(page);
  await ready(page);
  await page.locator('[data-testid=storage-ok]').waitFor();
  const seeds = await count(page);

  // The batch size, typed in its field and confirmed with Tab.
  await page.locator('[data-testid=batch-size]').focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(String(GOLDEN.batch_size));
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=batch-card]').length === 4);
  await ready(page);
  assert.deepEqual(await batchRows(page), GOLDEN.rows, 'the engine\'s batch, in its order');
  assert.match(await page.locator('[data-testid=batch-status]').textContent(), /5 of this batch's 5 picks left/);

  // Two cards of the grid, then the sample on screen by its key: no refit in between.
  const [first, second, third, fourth, fifth] = GOLDEN.rows;
  await answerCard(page, third, 0, seeds + 1);
  await answerCard(page, fifth, 1, seeds + 2);
  assert.deepEqual(await batchRows(page), [first, second, fourth]);
  await page.keyboard.press('3');
  await labelsAre(page, seeds + 3);
  assert.deepEqual(await batchRows(page), [second, fourth]);

  // A reload in the middle of the batch: every answer is there, and the rest of the same batch.
  await page.reload();
  await ready(page, { minLabels: seeds + 3 });
  assert.equal(await count(page), seeds + 3);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=batch-card]').length === 1);
  assert.deepEqual(await batchRows(page), [second, fourth]);

  // The last two picks answered (key, then the grid): the model refits and asks a new batch.
  await page.keyboard.press('2');
  await labelsAre(page, seeds + 4);
  assert.deepEqual(await batchRows(page), [fourth]);
  await page.keyboard.press('1');
  await labelsAre(page, seeds + 5);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=batch-card]').length === 4);
  const next = await batchRows(page);
  assert.equal(next.length, 5);
  assert.ok(next.every((r) => !GOLDEN.rows.includes(r)), `a new batch: ${next}`);
  assert.deepEqual(errors, []);
  await context.close();
}));
