// End-to-end: the adaptive strategy from the studio's menu (with its one-line description), and
// the "Why this sample?" panel naming the strategies that proposed the row and every weight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withApp, openPage, openDemo, ready, settled, labelKnown } from './lib.mjs';

test('the why panel explains an adaptive pick with the strategies\' weights', () => withApp('/adaptive/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, server.url);
  await openDemo(page);
  await ready(page);
  await page.selectOption('[data-testid=strategy-select]', 'adaptive');
  await page.waitForFunction(() => document.querySelector('[data-testid=strategy-description]')?.textContent.includes('ALBL'));
  await settled(page);
  for (let i = 0; i < 3; i++) await labelKnown(page);
  const lead = page.locator('[data-testid=why-adaptive]');
  await lead.waitFor({ timeout: 60_000 });
  assert.match(await lead.textContent(), /^Proposed by .*random.*chance of this sample/i);
  const arms = page.locator('[data-testid=why-arm]');
  assert.equal(await arms.count(), 6);
  const weights = await arms.locator('td[data-value]').evaluateAll((tds) => tds.map((td) => Number(td.dataset.value)));
  assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-6, `weights sum to 1: ${weights}`);
  assert.equal(await page.locator('[data-testid=why-arm][data-name=random]').getAttribute('data-proposed'), 'true');
  const table = page.getByRole('table', { name: 'Adaptive strategy weights' });
  assert.equal(await table.getByRole('rowheader').count(), 6);
  assert.deepEqual(errors, []);
}));
