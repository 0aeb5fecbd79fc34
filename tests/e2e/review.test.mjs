// End-to-end, keyboard only: a person labels Iris with three deliberate slips, opens "Review
// labels", finds the slips first, fixes them with the class keys (each change is a relabel stored
// before the worker applies it), and the fixed labels survive a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withApp, openPage, openDemo, ready, settled, count, labelsAre } from './lib.mjs';

const historyClass = (page, row) =>
  page.locator(`[data-testid=history-item][data-row="${row}"]`).getAttribute('data-class');

test('the review queue puts deliberate slips first and class keys fix them', () => withApp('/review/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, server.url);
  await openDemo(page);
  await ready(page);
  await page.locator('[data-testid=storage-ok]').waitFor().catch(() => {});
  const start = await count(page);
  // 20 answers; at answers 1, 4 and 7 a slip across the setosa border (setosa as virginica, the
  // others as setosa): the kind of slip a model trained on the other labels is sure about.
  const slips = new Map();
  for (let i = 0; i < 20; i++) {
    const query = page.locator('[data-testid=query]');
    const known = Number(await query.getAttribute('data-known-label'));
    const shown = await query.getAttribute('data-row');
    let cls = known;
    if ([1, 4, 7].includes(i)) {
      cls = known === 0 ? 2 : 0;
      slips.set(shown, known);
    }
    await page.keyboard.press(String(cls + 1));
    await labelsAre(page, start + i + 1);
  }
  for (const [r] of slips) assert.notEqual(Number(await historyClass(page, r)), slips.get(r), 'the slip is in');

  // Open the review from the keyboard: focus its button, Enter.
  await page.locator('[data-testid=review-open]').focus();
  await page.keyboard.press('Enter');
  const item = page.locator('[data-testid=review-item]');
  await item.waitFor({ timeout: 60_000 });
  await settled(page);
  for (let j = 0; j < slips.size; j++) {
    const r = await item.getAttribute('data-row');
    assert.ok(slips.has(r), `review item ${j} (row ${r}) is one of the slips ${[...slips.keys()]}`);
    const given = Number(await item.getAttribute('data-given'));
    assert.notEqual(Number(await item.getAttribute('data-suggested')), given, 'the model prefers another class');
    // The person knows the right class (the model's preference may be another wrong one).
    const known = slips.get(r);
    await page.keyboard.press(String(known + 1));
    await page.waitForFunction(
      ([r, c]) => document.querySelector(`[data-testid=history-item][data-row="${r}"]`)?.dataset.class === String(c)
        && document.querySelector('[data-testid=status]')?.dataset.busy === 'false',
      [r, known],
      { timeout: 60_000 },
    );
  }
  // Keep whatever else the model doubts, then leave.
  while (await item.count() > 0) {
    const before = await item.getAttribute('data-row');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (b) => document.querySelector('[data-testid=review-item]')?.dataset.row !== b,
      before,
    );
  }
  await page.locator('[data-testid=review-done]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=review-done]').waitFor({ state: 'detached' });
  assert.equal(await count(page), start + 20, 'a relabel changes labels, not their number');

  // The changes were stored first: a reload restores them.
  await page.reload();
  await ready(page, { minLabels: start + 20 });
  for (const [r, known] of slips) assert.equal(Number(await historyClass(page, r)), known, `row ${r} stays fixed`);
  assert.deepEqual(errors, []);
}));
