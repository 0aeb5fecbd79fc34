// End-to-end: a damaged entry in a stored project's log gives a clear message; the answers before
// it come back, and the project can still be exported. Stored projects that cannot be read in full
// (a record that is not JSON, one from another version, one whose data is missing) are listed with
// the reason and an "Export what can be read" button whose file holds the readable parts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { withApp, openPage, openDemo, settled, ready, count, waitCount, labelByKey } from './lib.mjs';

test('a damaged stored answer: a message, the answers before it restored, export still works', () => withApp('/damaged/', async ({ server, browser }) => {
  const { context, page, errors } = await openPage(browser, server.url, { contextOptions: { acceptDownloads: true } });
  await openDemo(page);
  await settled(page);
  const start = await count(page);
  for (let i = 0; i < 4; i++) await labelByKey(page, String((i % 3) + 1), start + i + 1);
  // Damage the third stored answer, as a disk error or another program might.
  await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('activelab');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('events', 'readwrite');
      const store = tx.objectStore('events');
      const keys = store.getAllKeys();
      keys.onsuccess = () => {
        const third = keys.result.sort()[2];
        store.put('{"Label": {"row": "not a number"', third);
      };
      tx.oncomplete = () => { db.close(); resolve(); };
      tx.onerror = () => reject(tx.error);
    };
  }));
  await page.reload();
  const note = page.locator('[data-testid=storage-note]');
  await note.waitFor({ timeout: 60_000 });
  assert.match(await note.textContent(), /event 3 of 4 could not be read.*the 2 before it were restored.*Export/s);
  await waitCount(page, start + 2);
  await settled(page);
  const download = page.waitForEvent('download');
  await page.locator('[data-testid=export-project]').click();
  const file = await download;
  assert.match(file.suggestedFilename(), /\.activelab\.json$/);
  assert.deepEqual(errors, []);
  await context.close();
}));

// Put `records` (key → text) into the object store `store` of the app's database.
const plant = (page, store, records) => page.evaluate(([store, records]) => new Promise((resolve, reject) => {
  const open = indexedDB.open('activelab');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const tx = db.transaction(store, 'readwrite');
    for (const [key, text] of Object.entries(records)) tx.objectStore(store).put(text, key);
    tx.oncomplete = () => { db.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
}), [store, records]);

const record = (fields) => JSON.stringify({
  id: 'x', name: 'x', dataset: { kind: 'bundled', file: 'iris.csv' }, size_bytes: 10, n_rows: 150,
  n_labels: 0, n_events: 0, settings: {}, created_ms: 1000, updated_ms: 1000, ...fields,
});

test('projects that cannot be read in full are listed with the reason, and what can be read is exported', () => withApp('/salvage/', async ({ server, browser }) => {
  const { context, page, errors } = await openPage(browser, server.url, { contextOptions: { acceptDownloads: true } });
  await openDemo(page);
  const start = await count(page);
  await labelByKey(page, '1', start + 1);

  // A record cut short (not JSON) with a log of which one entry is garbage; a record from a
  // future version (missing what this one needs); a record whose stored data is gone.
  const broken = '{"id":"pbroken","name":"Broken","dataset":{"kind":"bund';
  await plant(page, 'projects', {
    pbroken: broken,
    pfuture: JSON.stringify({ id: 'pfuture', name: 'From the future', version: 3, n_rows: 7, layout: 'new' }),
    pnodata: record({ id: 'pnodata', name: 'Lost data', dataset: { kind: 'stored', file_name: 'mine.csv', key: 'nokey' } }),
  });
  await plant(page, 'events', {
    'pbroken:000000000': '{"Skip":{"row":4}}',
    'pbroken:000000001': '{"Label":{"row":',
    'pbroken:000000002': '"Undo"',
  });
  await page.reload();
  await ready(page);
  // The open project came back as it was; the damaged ones are listed, never a blank page.
  await waitCount(page, start + 1);
  const note = page.locator('[data-testid=storage-note]');
  await note.waitFor();
  assert.match(await note.textContent(), /2 stored project\(s\) could not be read.*listed under Projects/s);

  const brokenRow = page.locator('[data-testid=project-unreadable][data-id=pbroken]');
  await brokenRow.waitFor();
  assert.match(await brokenRow.textContent(), /Unreadable project pbroken/);
  assert.match(
    await brokenRow.locator('[data-testid=project-damage]').textContent(),
    /its record is not valid JSON.*1 of its 3 stored labeling events cannot be read \(number 2\)/s,
  );
  const future = page.locator('[data-testid=project-unreadable][data-id=pfuture]');
  assert.match(await future.textContent(), /From the future/);
  assert.match(await future.locator('[data-testid=project-damage]').textContent(), /another version of activelab \(record version 3/);
  const lost = page.locator('[data-testid=project][data-id=pnodata]');
  await lost.locator('[data-testid=project-damage]').waitFor();
  assert.match(await lost.locator('[data-testid=project-damage]').textContent(), /its data \(mine\.csv\) is missing from storage/);

  const exportOf = async (row) => {
    const download = page.waitForEvent('download');
    await row.locator('[data-testid=project-salvage]').click();
    const file = await download;
    assert.match(file.suggestedFilename(), /-readable\.json$/);
    return JSON.parse(await readFile(await file.path(), 'utf8'));
  };
  const b = await exportOf(brokenRow);
  assert.equal(b.project_id, 'pbroken');
  assert.equal(b.record, null);
  assert.equal(b.record_text, broken, 'a record that is not JSON is kept as text');
  assert.deepEqual(b.events, [{ seq: 0, event: { Skip: { row: 4 } } }, { seq: 2, event: 'Undo' }]);
  assert.equal(b.events_readable, 2);
  assert.equal(b.events_unreadable, 1);
  assert.deepEqual(b.unreadable_events, [{ seq: 1, text: '{"Label":{"row":' }]);

  const f = await exportOf(future);
  assert.equal(f.record.name, 'From the future');
  assert.equal(f.record.n_rows, 7);
  assert.equal(f.record.layout, 'new', 'fields this version does not know are kept');
  assert.ok(f.record_unreadable_fields.includes('settings: missing'));
  assert.equal(f.events_readable, 0);

  const l = await exportOf(lost);
  assert.equal(l.record.name, 'Lost data');
  assert.equal(l.dataset.included, false);
  assert.match(l.problems.join(' '), /mine\.csv\) is missing from storage/);

  // The app still works.
  await labelByKey(page, '2', start + 2);
  assert.deepEqual(errors, []);
  await context.close();
}));
