// End-to-end, faults: a panic on the page or in the worker shows a recoverable error panel (the
// page does not go blank, Reload is focused and brings the app back), and bad files opened through
// the real file input are refused with their message while labeling goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { withApp, openPage, openDemo, settled, ready, labelKnown } from './lib.mjs';

const BAD = new URL('../fixtures/bad/', import.meta.url).pathname;

// 3 seed labels on a fresh page; after a reload the stored project comes back with its labels.
const SEEDED = { timeout: 30_000, minLabels: 3 };

/** Force a fault, then check the panel and that Reload (by keyboard) brings the app back. */
async function faultAndRecover(page, force, where) {
  // The forced panic aborts the wasm call, so the evaluate itself may reject: that is expected.
  await page.evaluate(force).catch(() => {});
  const panel = page.locator('[data-testid=fault-panel]');
  await panel.waitFor({ timeout: 30_000 });
  assert.equal(await panel.getAttribute('data-fault'), where);
  assert.equal(await panel.getAttribute('role'), 'alertdialog');
  assert.match(await page.locator('[data-testid=fault-title]').textContent(), /^Something went wrong inside activelab/);
  assert.match(await page.locator('[data-testid=fault-saved]').textContent(), /labels/i);
  assert.match(await page.locator('[data-testid=fault-detail]').textContent(), /forced/);
  if (where === 'worker') {
    // The worker's `error` event (what a death without a panic, e.g. out of memory, also gives)
    // reaches the page too.
    await page.waitForFunction(() => document.querySelector('[data-testid=fault-detail]')?.textContent.includes('uncaught error'));
  }
  // The page did not go blank: the studio is still drawn behind the panel.
  assert.ok(await page.locator('[data-testid=dataset-name]').isVisible(), 'the studio is still visible');
  assert.equal(await page.locator('[data-testid=dataset-name]').textContent(), 'Iris');
  // Reload is a focused button; Enter activates it.
  const focused = await page.evaluate(() => ({
    testid: document.activeElement?.dataset.testid,
    tag: document.activeElement?.tagName,
    text: document.activeElement?.textContent,
  }));
  assert.deepEqual(focused, { testid: 'fault-reload', tag: 'BUTTON', text: 'Reload' });
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
  await ready(page, SEEDED);
  assert.equal(await page.locator('[data-testid=fault-panel]').count(), 0, 'no panel after reloading');
  await labelKnown(page);
}

test('a panic on the page or in the worker shows the error panel; Reload brings the app back', () => withApp('/faults/', async ({ server, browser }) => {
  const { page } = await openPage(browser, server.url);
  await openDemo(page);
  await ready(page, SEEDED);
  await labelKnown(page);
  assert.equal(await page.locator('[data-testid=fault-panel]').count(), 0);

  await faultAndRecover(page, () => window.wasmBindings.activelab_force_panic(), 'page');
  await faultAndRecover(page, () => window.wasmBindings.activelab_force_worker_panic(), 'worker');
}));

test('bad files through the real file input: each message is shown, labeling goes on', () => withApp('/faults/', async ({ server, browser }) => {
  const expected = JSON.parse(readFileSync(`${BAD}expected.json`, 'utf8')).cases;
  const files = [
    'empty.csv',
    'html_page.csv',
    'latin1.csv',
    'utf16le_bom.csv',
    'zipped.csv',
    'ragged_short_row.csv',
    'one_row.csv',
    'thousands_separator.csv',
    'jsonl_broken_line.jsonl',
  ];
  const { page, errors } = await openPage(browser, server.url);
  await openDemo(page);
  await ready(page, SEEDED);
  let labels = 3;
  for (const file of files) {
    const c = expected.find((x) => x.file === file);
    assert.ok(c, `${file} is in expected.json`);
    const want = c.worker_error ?? `Could not open ${file}: ${c.error}`;
    // One picker: the file is previewed first (a file the preview cannot read is refused
    // there, "Could not read"); one that previews goes on to the mapping step's start.
    await page.setInputFiles('[data-testid=open-file-input]', `${BAD}${file}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=error], [data-testid=map-start]'));
    if (await page.locator('[data-testid=map-start]').count()) {
      // No text or id column: every column is read as a feature, as the expected messages
      // assume (the preview may take a column of distinct strings for ids).
      await page.selectOption('[data-testid=map-text]', '');
      await page.selectOption('[data-testid=map-id]', '');
      await page.click('[data-testid=map-start]');
    }
    await page.waitForFunction(
      (w) => document.querySelector('[data-testid=error]')?.textContent?.replace(/^Could not read /, 'Could not open ') === w,
      want,
    ).catch(async () => {
      const got = await page.locator('[data-testid=error]').textContent().catch(() => '(no error shown)');
      assert.fail(`${file}: the page says\n  ${got}\nwant\n  ${want}`);
    });
    await settled(page);
    // The session open before the bad file still answers.
    assert.equal(await page.locator('[data-testid=dataset-name]').textContent(), 'Iris');
    labels = await labelKnown(page);
  }
  assert.equal(labels, 3 + files.length);
  assert.deepEqual(errors, [], 'no uncaught errors');
}));
