// End-to-end: skip, undo, help overlay, strategy change, demo switch and opening a local CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withApp, openPage, openDemo, settled, row, named, waitCount } from './lib.mjs';

const labels = (page) => page.locator('[data-testid=labels-count]').textContent();

test('skip, undo, help, settings, demos and a local file', () => withApp('/studio/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, server.url);
  await openDemo(page);
  await waitCount(page, 3);
  await settled(page);

  await page.keyboard.press('?');
  await page.locator('[data-testid=help]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=help]').waitFor({ state: 'detached' });

  const first = await row(page);
  await page.keyboard.press('s');
  await page.waitForFunction((r) => document.querySelector('[data-testid=query]')?.dataset.row !== r, first);
  await settled(page);
  assert.equal(await labels(page), '3', 'a skip is not a label');
  await page.keyboard.press('Backspace');
  await page.waitForFunction((r) => document.querySelector('[data-testid=query]')?.dataset.row === r, first);
  await settled(page);

  await page.keyboard.press('1');
  await waitCount(page, 4);
  await settled(page);
  await page.keyboard.press('Control+z');
  await waitCount(page, 3);
  await settled(page);
  assert.equal(await row(page), first, 'undo brings the sample back');

  await page.selectOption('[data-testid=strategy-select]', 'entropy');
  await page.waitForFunction(() => document.querySelector('[data-testid=curve-summary]')?.textContent.includes('entropy'));
  await settled(page);
  assert.equal(await labels(page), '3', 'changing the strategy keeps the labels');

  await page.selectOption('[data-testid=demo-select]', 'wine.csv');
  await named(page, 'Wine');
  await settled(page);
  assert.equal(await page.locator('[data-testid=class-button]').count(), 3);

  const dir = mkdtempSync(join(tmpdir(), 'activelab-e2e-'));
  const own = join(dir, 'my data.csv');
  const lines = ['height,weight,kind'];
  for (let i = 0; i < 40; i++) lines.push(`${150 + i},${50 + (i % 7)},${i < 6 ? 'small' : i < 12 ? 'large' : ''}`);
  writeFileSync(own, lines.join('\n') + '\n');
  await page.setInputFiles('[data-testid=open-file-input]', own);
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 60_000 });
  await page.selectOption('[data-testid=map-label]', 'kind');
  await page.click('[data-testid=map-start]');
  await named(page, 'my data.csv');
  await settled(page);
  assert.match(await page.locator('[data-testid=import-report]').textContent(), /28 without a label/);
  assert.equal(await page.locator('[data-testid=class-button]').count(), 2);

  const broken = join(dir, 'broken.csv');
  writeFileSync(broken, 'a,b,label\n1,2,x\n1,2\n');
  await page.setInputFiles('[data-testid=open-file-input]', broken);
  await page.waitForFunction(() => document.querySelector('[data-testid=error], [data-testid=map-start]'));
  if (await page.locator('[data-testid=map-start]').count()) await page.click('[data-testid=map-start]');
  const alert = page.locator('[data-testid=error]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /broken\.csv: line 3 has 2 fields but the header has 3/);
  await page.keyboard.press('1');
  await settled(page);
  assert.deepEqual(errors, [], 'no uncaught errors');
}));
