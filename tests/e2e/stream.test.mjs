// End-to-end: stream mode with a synthetic drift, against the built dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withApp, openPage, setField } from './lib.mjs';

test('stream mode: a drifting stream, the samplers against ask-everything and random', () => withApp('/lab/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, server.url);
  await page.locator('[data-testid=tab-stream]').click();
  await setField(page, 'stream-rows', 1000);
  await setField(page, 'stream-drift', 500);
  await setField(page, 'stream-noise', 0);
  await setField(page, 'stream-budget', 0.2);
  await page.locator('[data-testid=stream-run]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=stream-status]')?.dataset.state === 'done', null, { timeout: 120_000 });
  assert.equal(await page.locator('[data-testid=stream-accuracy-chart] [data-testid=drift-marker]').count(), 1, 'the drift point is marked');
  assert.equal(await page.locator('[data-testid=stream-accuracy-chart] path[data-series]').count(), 5);
  assert.equal(await page.locator('[data-testid=stream-labels-chart] path[data-series=budget]').count(), 1);
  const rows = await page.$$eval('[data-testid=stream-table] tbody tr', (trs) =>
    trs.map((tr) => ({ name: tr.dataset.sampler, accuracy: Number(tr.dataset.accuracy), labels: Number(tr.dataset.labels) })));
  assert.deepEqual(rows.map((r) => r.name), ['all', 'random', 'fixed', 'variable', 'randomized']);
  assert.equal(rows[0].labels, 1000, 'ask everything asks for every label');
  for (const r of rows.slice(1)) {
    assert.ok(r.labels <= 10 + 199, `${r.name} keeps the 20 % budget: ${r.labels}`);
    assert.ok(r.accuracy > 0.5, `${r.name} learns: ${r.accuracy}`);
  }
  const summary = await page.locator('[data-testid=stream-summary]').textContent();
  assert.match(summary, /flips at row 500/);
  // The run is in the run log.
  await page.locator('[data-testid=tab-runs]').click();
  await page.locator('[data-testid=run-row][data-kind=stream]').waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
}));
