// End-to-end: files no one here wrote, through the app as a person uses it (vega-datasets, an npm
// package pinned in package-lock.json). Seattle's 1,461 days of weather (a date column, four
// numbers, the weather, which no name marks as the label) and 406 cars (a free-text name,
// missing values, a date) race in the Simulate tab after the mapping step, with no hand editing
// of the files; the stream tab reads the weather the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withApp, openPage, waitRace, setField } from './lib.mjs';

const DATA = new URL('./node_modules/vega-datasets/data/', import.meta.url).pathname;
const WEATHER = join(DATA, 'seattle-weather.csv');

/** cars.json (a JSON array) as the CSV a person would export it to: the same values, empty cells
 * where the JSON has null. */
function carsCsv() {
  const cars = JSON.parse(readFileSync(join(DATA, 'cars.json'), 'utf8'));
  const keys = Object.keys(cars[0]);
  const cell = (v) => (v === null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
  const lines = [keys.join(','), ...cars.map((c) => keys.map((k) => cell(c[k])).join(','))];
  const file = join(mkdtempSync(join(tmpdir(), 'activelab-cars-')), 'cars.csv');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, rows: cars.length, missing: cars.filter((c) => keys.some((k) => c[k] === null)).length };
}

/** Choose `file` in the Simulate tab, confirm `label` as its label column, and race. */
async function raceOn(page, file, label, { ignore = [] } = {}) {
  await page.setInputFiles('[data-testid=race-file]', file);
  await page.locator('[data-testid=mapping]').waitFor({ timeout: 60_000 });
  await page.selectOption('[data-testid=map-label]', label);
  for (const column of ignore) await page.locator(`[data-testid=map-ignore][value="${column}"]`).check();
  await page.locator('[data-testid=map-start]').click();
  await page.locator('[data-testid=mapping]').waitFor({ state: 'detached' });
  await setField(page, 'race-seeds', '1,2');
  await setField(page, 'race-budget', 25);
  await page.locator('[data-testid=race-run]').click();
  await waitRace(page, 'done', 180_000);
}

test('a real CSV with dates, free text and missing values races after the mapping step', () => withApp('/real/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, server.url);
  await page.locator('[data-testid=tab-simulate]').click();
  await page.locator('[data-testid=race-run]').waitFor();

  await raceOn(page, WEATHER, 'weather');
  const weather = await page.locator('[data-testid=race-summary] li').allTextContents();
  assert.ok(weather.length >= 2, `a summary: ${weather}`);
  assert.equal(await page.locator('[data-testid=race-error]').count(), 0);

  const cars = carsCsv();
  assert.ok(cars.missing > 0, 'the cars have missing values');
  await raceOn(page, cars.file, 'Origin');
  const sentences = await page.locator('[data-testid=race-summary] li').allTextContents();
  assert.ok(sentences.length >= 2, `a summary: ${sentences}`);
  assert.match(await page.locator('[data-testid=race-data]').inputValue(), /cars\.csv/);
  assert.deepEqual(errors, []);
}));

test('the stream tab reads a real file through the same mapping step', () => withApp('/real-stream/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, server.url);
  await page.locator('[data-testid=tab-stream]').click();
  await page.locator('[data-testid=stream-run]').waitFor();
  await page.setInputFiles('[data-testid=stream-file]', WEATHER);
  await page.locator('[data-testid=mapping]').waitFor({ timeout: 60_000 });
  await page.selectOption('[data-testid=map-label]', 'weather');
  await page.locator('[data-testid=map-start]').click();
  await page.locator('[data-testid=mapping]').waitFor({ state: 'detached' });
  await page.locator('[data-testid=stream-run]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=stream-status]')?.dataset.state === 'done', null, { timeout: 180_000 });
  assert.ok((await page.locator('[data-testid=stream-table] tbody tr').count()) >= 2);
  assert.deepEqual(errors, []);
}));
