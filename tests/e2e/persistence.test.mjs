// End-to-end: every answer is stored in IndexedDB before the next sample appears, a reload at any
// moment (including during a retrain) restores every label and the same sample, and projects are
// listed and deleted with a confirmation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withApp, openPage, openDemo, ready, settled, count, row, waitCount, labelByKey, named,
  cancelOpeningAnother, cancelClosingTab,
} from './lib.mjs';

test('a reload restores every label and the same sample; projects can be deleted', () => withApp('/keep/', async ({ server, browser }) => {
  const { context, page, errors } = await openPage(browser, server.url);
  await openDemo(page);
  await ready(page);
  await page.locator('[data-testid=storage-ok]').waitFor();
  const start = await count(page);
  for (let i = 0; i < 6; i++) await labelByKey(page, String((i % 3) + 1), start + i + 1);
  const before = { n: await count(page), row: await row(page) };
  await page.reload();
  await ready(page);
  await waitCount(page, before.n);
  assert.equal(await row(page), before.row, 'the same sample is on screen after a reload');
  // Undo still reaches back over the reload.
  await page.keyboard.press('Backspace');
  await waitCount(page, before.n - 1);
  await settled(page);

  // A second project; the first keeps its labels.
  await page.selectOption('[data-testid=demo-select]', 'wine.csv');
  await named(page, 'Wine');
  await settled(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=project]').length === 2);
  const iris = page.locator('[data-testid=project]', { hasText: 'Iris' });
  await iris.locator('[data-testid=project-open]').click();
  await named(page, 'Iris');
  await waitCount(page, before.n - 1);
  await settled(page);

  // Delete Wine: asks first; "Keep" keeps it.
  const wine = page.locator('[data-testid=project]', { hasText: 'Wine' });
  await wine.locator('[data-testid=project-delete]').click();
  await wine.locator('[data-testid=project-delete-no]').click();
  assert.equal(await page.locator('[data-testid=project]').count(), 2);
  await wine.locator('[data-testid=project-delete]').click();
  await wine.locator('[data-testid=project-delete-yes]').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=project]').length === 1);
  assert.deepEqual(errors, []);
  await context.close();
}));

test('reloads at random points of a 30-label session lose no label', () => withApp('/reloads/', async ({ server, browser }) => {
  // A fixed pseudo-random schedule (the test must not be flaky): reload after these labels, some
  // right after the key press (during the retrain), some once the round is back.
  const reloadAfter = new Map([[3, 'during'], [8, 'after'], [13, 'during'], [19, 'during'], [24, 'after'], [28, 'during']]);
  const { context, page } = await openPage(browser, server.url);
  await openDemo(page);
  await ready(page);
  let confirmed = await count(page);
  const seedLabels = confirmed;
  let given = 0;
  let reloads = 0;
  while (given < 30) {
    await page.keyboard.press(String((given % 3) + 1));
    given += 1;
    const when = reloadAfter.get(given);
    reloadAfter.delete(given); // each point reloads once, even when its label is given again
    if (when === 'during') {
      // Reload while the worker may still be retraining: the label is either stored (then it
      // must come back) or the keypress had not been taken yet (then it is not there at all).
      await page.reload();
      reloads += 1;
      await ready(page);
      const now = await count(page);
      assert.ok(now === confirmed || now === confirmed + 1, `after reload ${reloads}: ${now} labels, ${confirmed} confirmed before`);
      if (now === confirmed) given -= 1; // not taken: give it again
      confirmed = now;
      continue;
    }
    await waitCount(page, confirmed + 1);
    confirmed += 1;
    await settled(page);
    if (when === 'after') {
      const shown = await row(page);
      await page.reload();
      reloads += 1;
      await ready(page);
      assert.equal(await count(page), confirmed, 'every confirmed label is back');
      assert.equal(await row(page), shown, 'the same sample is back');
    }
  }
  assert.equal(confirmed, seedLabels + 30);
  assert.equal(reloads, 6);
  await context.close();
}));

test('without IndexedDB (private mode), the studio says so and labeling continues in memory', () => withApp('/private/', async ({ server, browser }) => {
  // What a browser that refuses storage looks like to the page.
  const refuseStorage = (context) => context.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get() { throw new DOMException('denied', 'SecurityError'); } });
  });
  const { context, page, errors } = await openPage(browser, server.url, { init: refuseStorage });
  await openDemo(page);
  await ready(page);
  const note = page.locator('[data-testid=storage-note]');
  await note.waitFor();
  assert.match(await note.textContent(), /does not let activelab store data here.*export your labels/);
  const n = await count(page);
  await labelByKey(page, '1', n + 1);
  // That answer lives in memory only: opening another project asks first (Cancel keeps it),
  // and so does closing the tab.
  await cancelOpeningAnother(page, /^1 answer of project Iris could not be saved: this browser gives the page no storage.*Opening another project drops them/s);
  await waitCount(page, n + 1);
  await cancelClosingTab(page);
  await waitCount(page, n + 1);
  assert.deepEqual(errors, []);
  await context.close();
}));

test('a labeling session appears in the run log beside simulations', () => withApp('/runs/', async ({ server, browser }) => {
  const { context, page } = await openPage(browser, server.url);
  await openDemo(page);
  await ready(page);
  await labelByKey(page, '1', (await count(page)) + 1);
  await page.locator('[data-testid=tab-runs]').click();
  await page.locator('[data-testid=run-row][data-kind=labeling]').first().waitFor({ timeout: 30_000 });
  await context.close();
}));
