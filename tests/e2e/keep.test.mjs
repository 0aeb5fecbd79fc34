// End-to-end: sessions opened through the mapping step (a TSV with a text column) and from a
// folder of images are stored with their data and come back after a reload: the same sample on
// screen, the same labels, the same classes. The journey test (journey.test.mjs) covers a
// mapped CSV end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withApp, openStart, settled, row, count, labelsAre, labelByKey, named, png } from './lib.mjs';

const history = (page) =>
  page.locator('[data-testid=history-item]').evaluateAll((items) => items.map((i) => `${i.dataset.row}:${i.dataset.class}`));

/** Label `n` samples by keyboard (keys cycling over `keys`), starting from `from` labels. */
async function label(page, n, from, keys) {
  for (let i = 1; i <= n; i++) await labelByKey(page, keys[i % keys.length], from + i);
}

/** Reload and check the same sample, labels and classes come back. */
async function reloadSame(page, name) {
  const before = {
    row: await row(page),
    history: await history(page),
    classes: await page.locator('[data-testid=class-button] span').allTextContents(),
    n: await page.locator('[data-testid=labels-count]').textContent(),
  };
  await page.reload();
  await named(page, name);
  await labelsAre(page, Number(before.n));
  assert.equal(await row(page), before.row, 'the same sample after the reload');
  assert.deepEqual(await history(page), before.history, 'the same labels');
  assert.deepEqual(await page.locator('[data-testid=class-button] span').allTextContents(), before.classes);
}

test('a mapped TSV with a text column comes back after a reload', () => withApp('/keep-text/', async ({ server, browser }) => {
  const { context, page, errors } = await openStart(browser, server.url);
  const words = ['warm', 'funny', 'dull', 'slow', 'great', 'long', 'best', 'boring', 'bright', 'flat'];
  const lines = ['id\treview\tstars\tsource'];
  for (let i = 0; i < 40; i++) {
    const a = words[(i * 3) % 10];
    const b = words[(i * 7 + 1) % 10];
    lines.push(`r${i}\tA ${a} and ${b} film, number ${i}\t${(i * 5) % 6}\tweb`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'activelab-keep-'));
  const file = join(dir, 'reviews.tsv');
  writeFileSync(file, lines.join('\n') + '\n');
  await page.setInputFiles('[data-testid=open-file-input]', file);
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 60_000 });
  await page.selectOption('[data-testid=map-label]', '');
  await page.selectOption('[data-testid=map-text]', 'review');
  await page.selectOption('[data-testid=map-id]', 'id');
  await page.locator('[data-testid=map-ignore][value=source]').check();
  await page.fill('[data-testid=map-classes]', 'liked, disliked, unsure');
  await page.click('[data-testid=map-start]');
  await named(page, 'reviews.tsv');
  await labelsAre(page, 0);
  assert.equal(await page.locator('[data-testid=query]').getAttribute('data-kind'), 'text');
  await label(page, 6, 0, ['1', '2', '3']);
  await reloadSame(page, 'reviews.tsv');
  assert.equal(await page.locator('[data-testid=query]').getAttribute('data-kind'), 'text', 'still read as text');
  // Labeling goes on, and a second reload still finds everything.
  await label(page, 2, 6, ['2', '1']);
  await reloadSame(page, 'reviews.tsv');
  assert.deepEqual(errors, []);
  await context.close();
}));

test('a folder of images comes back after a reload, decoded as it was', () => withApp('/keep-img/', async ({ server, browser }) => {
  const { context, page, errors } = await openStart(browser, server.url);
  const root = mkdtempSync(join(tmpdir(), 'activelab-keep-img-'));
  const folder = join(root, 'tiles');
  mkdirSync(join(folder, 'dark'), { recursive: true });
  mkdirSync(join(folder, 'light'), { recursive: true });
  for (let i = 0; i < 7; i++) {
    // 300 pixels wide: the worker scales these down, so the stored pixels are the scaled ones.
    writeFileSync(join(folder, 'dark', `d${i}.png`), png(300, 20, (x, y) => [20 + i * 3, 30 + ((x * y) % 20), 40 + (x % 9)]));
    writeFileSync(join(folder, 'light', `l${i}.png`), png(30, 20, (x, y) => [220 - i * 3, 210 - ((x + y) % 20), 200]));
    writeFileSync(join(folder, `u${i}.png`), png(25, 25, (x, y) => [90 + i * 9, 120 - ((x * 3 + y) % 30), 100 + i]));
  }
  writeFileSync(join(folder, 'notes.txt.md'), 'not an image');
  await page.setInputFiles('[data-testid=open-folder-input]', folder);
  await page.locator('[data-testid=images-step]').waitFor({ timeout: 60_000 });
  await page.fill('[data-testid=images-classes]', 'mid');
  await page.click('[data-testid=images-start]');
  await named(page, 'tiles');
  await settled(page);
  assert.equal(await page.locator('[data-testid=query]').getAttribute('data-kind'), 'image');
  const report = await page.locator('[data-testid=import-report]').textContent();
  assert.match(report, /Skipped 1 file\(s\)/);
  const start = await count(page);
  await label(page, 5, start, ['1', '2', '3']);
  await reloadSame(page, 'tiles');
  assert.equal(await page.locator('[data-testid=query]').getAttribute('data-kind'), 'image');
  assert.equal(await page.locator('[data-testid=import-report]').textContent(), report, 'the same import report');
  await page.locator('[data-testid=sample-image]').waitFor();
  await label(page, 2, start + 5, ['3', '1']);
  await reloadSame(page, 'tiles');
  assert.deepEqual(errors, []);
  await context.close();
}));
