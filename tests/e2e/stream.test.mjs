// End-to-end: stream mode with a synthetic drift, against the built dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './server.mjs';

const DIST = process.env.DIST_DIR || new URL('../../dist', import.meta.url).pathname;

async function set(page, id, value) {
  await page.fill(`[data-testid=${id}]`, String(value));
  await page.locator(`[data-testid=${id}]`).dispatchEvent('change');
}

test('stream mode: a drifting stream, the samplers against ask-everything and random', async () => {
  const server = await startServer({ dir: DIST, base: '/lab/' });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.locator('[data-testid=tab-stream]').click();
    await set(page, 'stream-rows', 1000);
    await set(page, 'stream-drift', 500);
    await set(page, 'stream-noise', 0);
    await set(page, 'stream-budget', 0.2);
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
  } finally {
    await browser.close();
    await server.close();
  }
});
