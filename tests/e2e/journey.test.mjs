// End-to-end: the whole journey of a person labeling their own data, in one test.
//
// Open tests/fixtures/journey/plants.csv (48 plants, no label column) by the file input, map its
// columns (plant_id = id, note ignored, classes "tall, short"), label 20 by keyboard (the 5th on
// purpose with the wrong key), undo 2, set the 5th right from the history panel, reload (same
// sample on screen, the 18 labels back), label 3 more, export the labels CSV and compare it byte
// for byte with tests/fixtures/journey/plants-labels.csv, export the project file, and import it
// in a fresh browser profile (same labels, same sample; a reload there keeps them).
//
// How the expected file was made: not from this test's output. The native test
// `the_journey_on_the_native_engine_gives_the_expected_labels_file` (tests/worker_protocol.rs)
// runs the same requests through the worker's state machine on the native engine (the session
// seed is fixed at 42, the page's default, so the rows asked are the same), writes the file when
// ACTIVELAB_WRITE_JOURNEY=1, and checks it from first principles: the original lines in order,
// each with the rule's label (over 80 = tall, the rule the fixture was written with) when the
// row was labeled and an empty cell otherwise, 21 labels in all, formula-like notes neutralised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { withApp, openStart, row, labelsAre, named } from './lib.mjs';

const FIXTURES = new URL('../fixtures/journey/', import.meta.url).pathname;
const PLANTS = `${FIXTURES}plants.csv`;
const EXPECTED = readFileSync(`${FIXTURES}plants-labels.csv`);

// The truth of each row, by the rule the fixture was written with.
const TRUTH = readFileSync(PLANTS, 'utf8').trim().split('\n').slice(1)
  .map((line) => (Number(line.split(',')[1]) > 80 ? 'tall' : 'short'));


async function classNames(page) {
  return page.locator('[data-testid=class-button] span').allTextContents();
}

/** Label the sample on screen by keyboard: its true class, or the other one when `slip`. */
async function labelTruth(page, names, expected, slip = false) {
  const shown = Number(await row(page));
  let k = names.indexOf(TRUTH[shown]);
  assert.ok(k >= 0, `class ${TRUTH[shown]} is a button: ${names}`);
  if (slip) k = 1 - k;
  await page.keyboard.press(String(k + 1));
  await labelsAre(page, expected);
  return shown;
}

async function download(page, testid) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`[data-testid=${testid}]`),
  ]);
  return { name: file.suggestedFilename(), path: await file.path() };
}

test('the journey: own CSV, map, label, undo, relabel, reload, export, import elsewhere', () => withApp('/journey/', async ({ server, browser }) => {
  // A fresh profile opens on the start page.
  const { context, page, errors } = await openStart(browser, server.url, { contextOptions: { acceptDownloads: true } });

  // Open the file by the file input; the preview and the mapping step.
  await page.setInputFiles('[data-testid=open-file-input]', PLANTS);
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 60_000 });
  assert.match(await page.locator('[data-testid=preview-summary]').textContent(), /CSV, 48 rows, 5 columns/);
  assert.equal(await page.locator('[data-testid=map-label]').inputValue(), '', 'no label column');
  await page.selectOption('[data-testid=map-id]', 'plant_id');
  await page.locator('[data-testid=map-ignore][value=note]').check();
  await page.fill('[data-testid=map-classes]', 'tall, short');
  await page.click('[data-testid=map-start]');
  await named(page, 'plants.csv');
  await labelsAre(page, 0);
  const names = await classNames(page);
  assert.deepEqual(names, ['short', 'tall']);

  // Label 20 by keyboard; the 5th is a slip (the wrong key).
  let slipped = null;
  for (let i = 1; i <= 20; i++) {
    const shown = await labelTruth(page, names, i, i === 5);
    if (i === 5) slipped = shown;
  }
  // Undo 2.
  await page.keyboard.press('Backspace');
  await labelsAre(page, 19);
  await page.keyboard.press('Backspace');
  await labelsAre(page, 18);
  // Set the slip right from the history panel.
  const right = String(names.indexOf(TRUTH[slipped]));
  const item = page.locator(`[data-testid=history-item][data-row="${slipped}"]`);
  assert.notEqual(await item.getAttribute('data-class'), right, 'the slip is in the history');
  await item.locator('[data-testid=history-class]').selectOption(right);
  await page.waitForFunction(
    ([r, c]) => document.querySelector(`[data-testid=history-item][data-row="${r}"]`)?.dataset.class === c,
    [String(slipped), right],
  );
  await labelsAre(page, 18);
  const before = await row(page);

  // Reload: the same sample, the 18 labels, the fixed one.
  await page.reload();
  await named(page, 'plants.csv');
  await labelsAre(page, 18);
  assert.equal(await row(page), before, 'the same sample is on screen after the reload');
  assert.deepEqual(await classNames(page), names);
  assert.equal(
    await page.locator(`[data-testid=history-item][data-row="${slipped}"]`).getAttribute('data-class'),
    right,
  );

  // Go on: 3 more.
  for (let i = 19; i <= 21; i++) await labelTruth(page, names, i);

  // The labels CSV, byte for byte.
  const csv = await download(page, 'export-csv');
  assert.equal(csv.name, 'plants-labels.csv');
  const got = readFileSync(csv.path);
  assert.ok(got.equals(EXPECTED), `the export differs from plants-labels.csv:\n${got.toString()}`);

  // The project file, into a fresh profile.
  const shownAtExport = await row(page);
  const project = await download(page, 'export-project');
  assert.match(project.name, /\.activelab\.json$/);
  // Read now: a download's file goes away with its context.
  const projectFile = { name: project.name, mimeType: 'application/json', buffer: readFileSync(project.path) };
  assert.deepEqual(errors, []);
  await context.close();

  const there = await openStart(browser, server.url);
  await there.page.setInputFiles('[data-testid=import-project]', projectFile);
  await named(there.page, 'plants.csv');
  await labelsAre(there.page, 21);
  assert.equal(await row(there.page), shownAtExport, 'the same sample in the fresh profile');
  assert.deepEqual(await classNames(there.page), names);
  // "Ready" means stored: the import's record, data and "last project" are in IndexedDB already
  // (the status said "Saving the project…" until they were), so a reload right now keeps it.
  const stored = await there.page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('activelab');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(['meta', 'projects'], 'readonly');
      const last = tx.objectStore('meta').get('last');
      const all = tx.objectStore('projects').getAllKeys();
      tx.oncomplete = () => { resolve({ last: last.result, ids: all.result }); open.result.close(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  assert.equal(stored.ids.length, 1, `one stored project: ${JSON.stringify(stored)}`);
  assert.equal(stored.last, stored.ids[0], 'the imported project is the one a reload opens');
  // The imported project is stored there with its mapping: a reload keeps it.
  await there.page.reload();
  await named(there.page, 'plants.csv');
  await labelsAre(there.page, 21);
  assert.equal(await row(there.page), shownAtExport);
  assert.deepEqual(there.errors, []);
  await there.context.close();
}));
