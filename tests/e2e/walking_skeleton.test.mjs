// End-to-end: the built dist/, served from a sub-path on localhost, driven by the keyboard only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser } from './server.mjs';
import { openDemo } from './lib.mjs';

const DIST = process.env.DIST_DIR || new URL('../../dist', import.meta.url).pathname;

test('label 10 samples with the keyboard: the curve grows, accuracy moves, nothing leaves localhost', async () => {
  const server = await startServer({ dir: DIST, base: '/demos/activelab/' });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    const requests = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    // Workers' requests are reported to the page too; record them explicitly as well.
    page.on('worker', (w) => requests.push(w.url()));

    await page.goto(server.url);
    // A first visit shows the start page; the Iris demo is one click away.
    await page.locator('[data-testid=start-page]').waitFor({ timeout: 30_000 });
    await openDemo(page);
    const buttons = page.locator('[data-testid=class-button]');
    await buttons.first().waitFor({ timeout: 30_000 });
    assert.equal(await buttons.count(), 3);
    const count = page.locator('[data-testid=labels-count]');
    await page.waitForFunction(() => document.querySelector('[data-testid=labels-count]')?.textContent === '3');
    const accuracy = page.locator('[data-testid=accuracy]');
    const before = await accuracy.getAttribute('data-value');
    assert.ok(before && Number(before) > 0, `initial accuracy ${before}`);

    for (let i = 1; i <= 10; i++) {
      const query = page.locator('[data-testid=query]');
      const known = Number(await query.getAttribute('data-known-label'));
      const row = await query.getAttribute('data-row');
      await page.keyboard.press(String(known + 1));
      await page.waitForFunction(
        ([n, oldRow]) => document.querySelector('[data-testid=labels-count]')?.textContent === String(n)
          && document.querySelector('[data-testid=status]')?.dataset.busy === 'false'
          && document.querySelector('[data-testid=query]')?.dataset.row !== oldRow,
        [3 + i, row],
      );
    }
    assert.equal(await count.textContent(), '13');
    const points = page.locator('svg[data-testid=learning-curve] [data-series=active] circle.point');
    assert.equal(await points.count(), 11, 'one point for the seed labels and one per answer');
    const randomPath = await page.locator('svg[data-testid=learning-curve] [data-series=random]').getAttribute('d');
    assert.ok(randomPath && randomPath.startsWith('M'), 'the random baseline is drawn');
    const after = await accuracy.getAttribute('data-value');
    assert.notEqual(after, before, 'the accuracy figure changed');
    assert.equal(await page.locator('[data-testid=error]').count(), 0);

    assert.deepEqual(consoleErrors, [], 'no console errors');
    const origin = new URL(server.url).origin;
    const foreign = requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(foreign, [], 'no request left localhost');
    assert.ok(server.requests.some((p) => p.endsWith('/worker.js')), 'the worker loaded from the sub-path');
    assert.ok(server.requests.some((p) => p.endsWith('/datasets/iris.csv')), 'the demo loaded from the sub-path');
  } finally {
    await browser.close();
    await server.close();
  }
});
