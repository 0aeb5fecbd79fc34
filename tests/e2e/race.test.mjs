// End-to-end: strategy races in the Simulate tab (a 3-strategy, 3-seed race on Iris; cancel; a
// replay link) and the run log (record, overlay, export, import), against the built dist/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { withApp, openPage, raceState, waitRace, setField } from './lib.mjs';

const REPLAY = JSON.parse(readFileSync(new URL('../reference/race_replay.json', import.meta.url), 'utf8'));

/** The mean curve of every strategy, as drawn: { strategy: [accuracy, …] }. */
async function curves(page) {
  return page.$$eval('[data-testid=race-mean]', (paths) =>
    Object.fromEntries(paths.map((p) => [p.dataset.strategy, p.dataset.values.split(',').map(Number)])));
}

test('a 3-strategy, 3-seed race on Iris: live curves, summary, cancel within a second', () => withApp('/lab/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, server.url, { console: true });
  await page.locator('[data-testid=tab-simulate]').click();
  await page.locator('[data-testid=race-run]').waitFor();
  assert.equal(await page.locator('[data-testid=race-seeds]').inputValue(), '1,2,3');
  // The defaults: Iris, logistic regression, margin + entropy + random, budget 30.
  await page.locator('[data-testid=race-run]').click();
  await waitRace(page, 'done');
  assert.equal(await page.locator('[data-testid=race-progress-text]').textContent(), '9 of 9 runs');
  const c = await curves(page);
  assert.deepEqual(Object.keys(c).sort(), ['entropy', 'margin', 'random']);
  for (const [name, values] of Object.entries(c)) {
    assert.equal(values.length, 28, `${name}: one point per label count from 3 to 30`);
    for (const v of values) assert.ok(v > 0.2 && v <= 1, `${name}: ${v}`);
  }
  assert.equal(await page.locator('[data-testid=race-series] .race-band').count(), 3, 'a spread band per strategy');
  const sentences = await page.locator('[data-testid=race-summary] li').allTextContents();
  assert.equal(sentences.length, 4);
  assert.match(sentences[0], /^margin (reached random's final accuracy|needed as many labels|did not reach)/);
  assert.match(sentences[1], /paired t-test over 3 seeds: t = .*, p (= \d\.\d{3}|< 0\.001)/);
  assert.equal(await page.locator('[data-testid=aulc-table] tbody tr').count(), 3);
  assert.ok(await page.locator('[data-testid=race-table] tbody tr').count() >= 28, 'the chart has a table');
  const href = await page.locator('[data-testid=replay-link]').getAttribute('href');
  assert.match(href, /\?run=race&data=iris\.csv&model=logistic&strategies=margin,entropy,random&seeds=1,2,3&budget=30/);

  // A longer race: cancel while it runs; the page answers within a second and the worker stops.
  await page.selectOption('[data-testid=race-data]', 'breast_cancer.csv');
  await setField(page, 'race-seeds', '1,2,3,4,5,6,7,8,9,10');
  await setField(page, 'race-budget', 300);
  await page.locator('[data-testid=race-run]').click();
  await waitRace(page, 'running');
  await page.waitForFunction(() => /^[1-9]\d* of 30 runs$/.test(document.querySelector('[data-testid=race-progress-text]')?.textContent ?? ''), null, { timeout: 120_000 });
  const clicked = Date.now();
  await page.locator('[data-testid=race-cancel]').click();
  await waitRace(page, 'cancelled', 5_000);
  const handledIn = Date.now() - clicked;
  assert.ok(handledIn < 1000, `cancel was handled in ${handledIn} ms`);
  const after = await page.locator('[data-testid=race-progress-text]').textContent();
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('[data-testid=race-progress-text]').textContent(), after, 'no progress after cancel');
  assert.equal(await raceState(page), 'cancelled');
  assert.deepEqual(errors, [], 'no uncaught errors');
}));

test('a replay link gives the same curve on every load, and the same as natively', () => withApp('/lab/', async ({ server, browser }) => {
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const { context, page, errors } = await openPage(browser, `${server.url}?${REPLAY.query}`, { console: true });
    await waitRace(page, 'done');
    assert.equal(await page.locator('[data-testid=tab-simulate]').getAttribute('aria-selected'), 'true');
    runs.push(await curves(page));
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.deepEqual(runs[0], runs[1], 'two loads, identical curves');
  for (const [name, want] of Object.entries(REPLAY.curves)) {
    const got = runs[0][name];
    assert.equal(got.length, want.length, name);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-12, `${name}[${i}]: ${v} vs native ${want[i]}`));
  }
}));

test('the run log records races, overlays them, exports and imports JSON', () => withApp('/lab/', async ({ server, browser }) => {
  const { page, errors } = await openPage(browser, `${server.url}?${REPLAY.query}`, { contextOptions: { acceptDownloads: true }, console: true });
  await waitRace(page, 'done');
  await page.locator('[data-testid=tab-runs]').click();
  // Races only: the Iris labeling session the page opens on is in the log too.
  const rows = page.locator('[data-testid=run-row][data-kind=race]');
  await rows.first().waitFor({ timeout: 10_000 });
  assert.equal(await rows.count(), 1);
  assert.equal(await rows.first().getAttribute('data-kind'), 'race');
  await rows.first().locator('input[type=checkbox]').check();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=overlay-chart] path').length === 2);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    // The picked run (the race): the Iris labeling session the page opened on is in the log too.
    page.locator('[data-testid=runs-export-picked]').click(),
  ]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.kind, 'race', 'one run exports as one object');
  assert.equal(exported.app_version.length > 0, true);
  assert.match(exported.fingerprint, /^fnv1a64-[0-9a-f]{16}-[0-9]+$/);
  assert.deepEqual(exported.seeds, [1, 2]);
  assert.equal(exported.curves.length, 2);
  assert.equal(exported.replay, REPLAY.query);

  // Import into a fresh browser profile.
  const { context: fresh, page: other } = await openPage(browser, server.url);
  await other.locator('[data-testid=tab-runs]').click();
  await other.waitForFunction(() => document.querySelector('[data-testid=runs-table]')?.dataset.loaded === 'true');
  assert.equal(await other.locator('[data-testid=run-row][data-kind=race]').count(), 0);
  await other.setInputFiles('[data-testid=runs-import]', await download.path());
  await other.locator('[data-testid=runs-message]').waitFor();
  await other.locator('[data-testid=run-row][data-kind=race]').first().waitFor();
  assert.match(await other.locator('[data-testid=runs-message]').textContent(), /Imported 1 run/);
  assert.equal(await other.locator('[data-testid=run-row][data-kind=race]').getAttribute('data-id'), exported.id);
  await other.fill('[data-testid=runs-filter]', 'stream');
  await other.waitForFunction(() => document.querySelectorAll('[data-testid=run-row]').length === 0);
  await fresh.close();
  assert.deepEqual(errors, []);
}));
