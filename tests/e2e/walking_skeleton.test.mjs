// End-to-end: the built dist/, served from a sub-path on localhost, driven by the keyboard only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withApp, openPage, openDemo, labelKnown, waitCount } from './lib.mjs';

test('label 10 samples with the keyboard: the curve grows, accuracy moves, nothing leaves localhost', () => withApp('/demos/activelab/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, null, { console: true });
  const requests = [];
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
  await waitCount(page, 3);
  const accuracy = page.locator('[data-testid=accuracy]');
  const before = await accuracy.getAttribute('data-value');
  assert.ok(before && Number(before) > 0, `initial accuracy ${before}`);

  for (let i = 1; i <= 10; i++) await labelKnown(page, 3 + i);
  assert.equal(await count.textContent(), '13');
  const points = page.locator('svg[data-testid=learning-curve] [data-series=active] circle.point');
  assert.equal(await points.count(), 11, 'one point for the seed labels and one per answer');
  const randomPath = await page.locator('svg[data-testid=learning-curve] [data-series=random]').getAttribute('d');
  assert.ok(randomPath && randomPath.startsWith('M'), 'the random baseline is drawn');
  // It fills in between answers, run by run, and its legend says when all five are in.
  await page.waitForFunction(
    () => /\(mean of 5 runs\)/.test(document.querySelector('[data-testid=baseline-legend]')?.textContent ?? ''),
    null,
    { timeout: 30_000 },
  );
  const after = await accuracy.getAttribute('data-value');
  assert.notEqual(after, before, 'the accuracy figure changed');
  assert.equal(await page.locator('[data-testid=error]').count(), 0);

  assert.deepEqual(errors, [], 'no console errors');
  const origin = new URL(server.url).origin;
  const foreign = requests.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, [], 'no request left localhost');
  assert.ok(server.requests.some((p) => p.endsWith('/worker.js')), 'the worker loaded from the sub-path');
  assert.ok(server.requests.some((p) => p.endsWith('/datasets/iris.csv')), 'the demo loaded from the sub-path');
}));
