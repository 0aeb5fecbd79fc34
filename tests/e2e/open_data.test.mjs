// End-to-end: getting data in. A CSV without labels through the file input (preview, mapping,
// label by keyboard); a folder of images through the folder picker and image files through a
// drop; the Fortunes text demo end to end; a 50 MB file read in slices (long tasks logged); and a
// file picked while another is still being read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withApp, openPage, openDemo, settled, count, labelsAre, labelByKey, named, png } from './lib.mjs';

const dark = (i) => png(12, 10, (x, y) => [20 + i, 30 + ((x * y) % 20), 40]);
const light = (i) => png(12, 10, (x, y) => [220 - i, 210 - ((x + y) % 20), 200]);

/** A fresh profile with the Iris demo open. */
async function openApp(server, browser) {
  const { page, errors } = await openPage(browser, server.url);
  await openDemo(page);
  await settled(page);
  return { page, errors };
}

test('open a CSV without labels by the file input, map columns, label 5 by keyboard', () => withApp('/open/', async ({ server, browser }) => {
  const { page, errors } = await openApp(server, browser);
  const dir = mkdtempSync(join(tmpdir(), 'activelab-open-'));
  const file = join(dir, 'plants.csv');
  const lines = ['plant_id,height,leaf_width,soil,note'];
  for (let i = 0; i < 60; i++) {
    const tall = i % 2 === 0;
    lines.push(`p${i},${tall ? 90 + i : 20 + i},${tall ? 3 + (i % 5) / 10 : 7 + (i % 3) / 10},${['clay', 'sand', 'loam'][i % 3]},${i % 10 === 0 ? 'checked' : ''}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  await page.setInputFiles('[data-testid=open-file-input]', file);

  const table = page.locator('[data-testid=preview-table]');
  await table.waitFor({ timeout: 60_000 });
  assert.equal(await table.locator('tbody tr').count(), 10, 'the first 10 rows');
  assert.equal(await table.locator('tbody tr').first().locator('td').first().textContent(), 'p0');
  assert.match(await page.locator('[data-testid=preview-summary]').textContent(), /CSV, 60 rows, 5 columns/);
  const headers = await table.locator('thead th .col-name').allTextContents();
  assert.deepEqual(headers, ['plant_id', 'height', 'leaf_width', 'soil', 'note']);

  // The suggestion: no label (the normal case), plant_id as the id.
  assert.equal(await page.locator('[data-testid=map-label]').inputValue(), '');
  assert.equal(await page.locator('[data-testid=map-id]').inputValue(), 'plant_id');
  await page.selectOption('[data-testid=map-label]', '');
  await page.selectOption('[data-testid=map-id]', 'plant_id');
  await page.locator('[data-testid=map-ignore][value=note]').check();
  assert.equal(await table.locator('thead th[data-role=ignored] .col-name').textContent(), 'note');
  await page.fill('[data-testid=map-classes]', 'tall, short');
  await page.click('[data-testid=map-start]');

  await named(page, 'plants.csv');
  await labelsAre(page, 0);
  const report = await page.locator('[data-testid=import-report]').textContent();
  assert.match(report, /60 rows read, 60 without a label/);
  assert.match(report, /Ignored column\(s\): note/);
  assert.deepEqual(await page.locator('[data-testid=class-button] span').allTextContents(), ['short', 'tall']);
  assert.equal(await page.locator('[data-testid=accuracy]').textContent(), '–', 'no test labels, no test accuracy');
  assert.match(await page.locator('#query-title').textContent(), /· p\d+/, 'the id column names the sample');

  for (let i = 1; i <= 5; i++) {
    // The person decides from the values: tall plants are over 80.
    const height = Number(await page.locator('[data-testid=sample-table] tbody tr').first().locator('td').first().textContent());
    await labelByKey(page, height > 80 ? '2' : '1', i);
  }
  assert.equal(await page.locator('[data-testid=sample-table] thead th').count() >= 3, true, 'class means are compared');
  assert.equal(await page.locator('[data-testid=error]').count(), 0);
  assert.deepEqual(errors, []);
}));

test('a folder of images by the folder picker; image files by drag-and-drop', () => withApp('/img/', async ({ server, browser }) => {
  const { page, errors } = await openApp(server, browser);
  const root = mkdtempSync(join(tmpdir(), 'activelab-img-'));
  const folder = join(root, 'shapes');
  mkdirSync(join(folder, 'dark'), { recursive: true });
  mkdirSync(join(folder, 'light'), { recursive: true });
  for (let i = 0; i < 8; i++) {
    writeFileSync(join(folder, 'dark', `d${i}.png`), dark(i));
    writeFileSync(join(folder, 'light', `l${i}.png`), light(i));
  }
  writeFileSync(join(folder, 'notes.txt.md'), 'not an image');
  writeFileSync(join(folder, 'light', 'empty.png'), Buffer.alloc(0));

  await page.setInputFiles('[data-testid=open-folder-input]', folder);
  const step = page.locator('[data-testid=images-step]');
  await step.waitFor({ timeout: 60_000 });
  assert.match(await step.textContent(), /18 file\(s\)/);
  assert.match(await step.textContent(), /Subfolders as labels: dark, light/);
  await page.click('[data-testid=images-start]');
  await named(page, 'shapes');
  await settled(page);
  const report = await page.locator('[data-testid=import-report]').textContent();
  assert.match(report, /Skipped 2 file\(s\)/);
  assert.match(report, /empty\.png \(the file is empty\)/);
  assert.match(report, /notes\.txt\.md \(not an image this browser can decode\)/);
  assert.equal(await page.locator('[data-testid=query]').getAttribute('data-kind'), 'image');
  await page.locator('[data-testid=sample-image]').waitFor();
  let labels = await count(page);
  for (let i = 0; i < 3; i++) {
    const known = Number(await page.locator('[data-testid=query]').getAttribute('data-known-label'));
    labels += 1;
    await labelByKey(page, String(known + 1), labels);
  }

  // Drag-and-drop of loose image files: all unlabeled, classes typed by the person.
  const files = [0, 1, 2].map((i) => ({ name: `d${i}.png`, b64: dark(i).toString('base64') }))
    .concat([0, 1, 2].map((i) => ({ name: `l${i}.png`, b64: light(i).toString('base64') })));
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name, { type: 'image/png' }));
    }
    const zone = document.querySelector('[data-testid=drop-zone]');
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
  await step.waitFor({ timeout: 60_000 });
  assert.match(await step.textContent(), /6 file\(s\)/);
  assert.match(await step.textContent(), /No subfolders/);
  await page.fill('[data-testid=images-classes]', 'dark, light');
  await page.click('[data-testid=images-start]');
  await named(page, 'images');
  await labelsAre(page, 0);
  await labelByKey(page, '1', 1);
  await labelByKey(page, '2', 2);
  assert.equal(await page.locator('[data-testid=error]').count(), 0);
  assert.deepEqual(errors, []);
}));

test('the text dataset end to end: the Fortunes demo, highlighted words, label 5', () => withApp('/text/', async ({ server, browser }) => {
  const { page, errors } = await openApp(server, browser);
  await page.click('[data-testid=demo-card][data-file="fortunes.csv"]');
  await named(page, 'Fortunes (text)');
  await settled(page);
  assert.equal(await page.locator('[data-testid=query]').getAttribute('data-kind'), 'text');
  assert.deepEqual(await page.locator('[data-testid=class-button] span').allTextContents(), ['computers', 'food', 'law', 'science']);
  let labels = await count(page);
  let highlighted = 0;
  for (let i = 0; i < 5; i++) {
    const text = await page.locator('[data-testid=sample-text]').textContent();
    assert.ok(text.length > 0);
    const marks = await page.locator('[data-testid=highlight]').allTextContents();
    if (marks.length > 0) highlighted += 1;
    for (const m of marks) assert.ok(text.includes(m));
    assert.match(await page.locator('[data-testid=highlights]').textContent(), /Toward /);
    const known = Number(await page.locator('[data-testid=query]').getAttribute('data-known-label'));
    labels += 1;
    await labelByKey(page, String(known + 1), labels);
  }
  // A fortune with no word of the vocabulary has nothing to highlight; most have some.
  assert.ok(highlighted >= 1, `highlights on ${highlighted} of 5 samples`);
  assert.equal(await page.locator('[data-testid=highlight-method]').getAttribute('data-method'), 'coefficients');
  // Another model: the words are weighed by occlusion, and the page says so.
  await page.selectOption('[data-testid=model-select]', 'naive_bayes');
  await page.waitForFunction(() => document.querySelector('[data-testid=highlight-method]')?.dataset.method === 'occlusion', null, { timeout: 60_000 });
  await settled(page);
  assert.match(await page.locator('[data-testid=highlight-method]').textContent(), /Weighed by occlusion/);
  assert.equal(await page.locator('[data-testid=error]').count(), 0);
  assert.deepEqual(errors, []);
}));

test('a 50 MB file is read in slices with a progress bar (long tasks are logged, not asserted)', () => withApp('/big/', async ({ server, browser }) => {
  const { page, errors } = await openApp(server, browser);
  const dir = mkdtempSync(join(tmpdir(), 'activelab-big-'));
  const file = join(dir, 'big.csv');
  const row = (i) => `${i},${(i * 7919) % 1000}.25,${(i * 104729) % 977}.5,${i % 3 ? 'a' : 'b'}\n`;
  const parts = ['n,x,y,group\n'];
  let size = parts[0].length;
  for (let i = 0; size < 50_000_000; i++) { const r = row(i); parts.push(r); size += r.length; }
  writeFileSync(file, parts.join(''));
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
      .observe({ type: 'longtask', buffered: false });
    window.__progressSeen = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid=read-progress]')) window.__progressSeen = true;
    }).observe(document.body, { subtree: true, childList: true });
  });
  await page.setInputFiles('[data-testid=open-file-input]', file);
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 300_000 });
  assert.ok(await page.evaluate(() => window.__progressSeen), 'the progress bar was shown');
  assert.match(await page.locator('[data-testid=preview-summary]').textContent(), /CSV, \d+ rows, 4 columns/);
  const tasks = await page.evaluate(() => window.__longTasks);
  const max = tasks.length ? Math.max(...tasks) : 0;
  console.log(`50 MB file: ${tasks.length} long task(s) on the page while reading and previewing; longest ${max.toFixed(0)} ms`);
  assert.deepEqual(errors, []);
  // Read back to be sure the file on disk is what was sent (keeps the size honest).
  assert.ok(readFileSync(file).length >= 50_000_000);
}));

/** The engine's dataset fingerprint (engine::project::fingerprint): FNV-1a 64 and the length. */
function fingerprint(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return `fnv1a64-${h.toString(16).padStart(16, '0')}-${bytes.length}`;
}

test('a file picked while another is still being read replaces it: its preview, its fingerprint, no error', () => withApp('/repick/', async ({ server, browser }) => {
  const { page, errors } = await openApp(server, browser);
  const dir = mkdtempSync(join(tmpdir(), 'activelab-repick-'));
  const big = join(dir, 'big.csv');
  const parts = ['n,x\n'];
  for (let i = 0; i < 2_500_000; i++) parts.push(`${i},${(i * 7919) % 1000}.25\n`);
  writeFileSync(big, parts.join(''));
  const small = join(dir, 'small.csv');
  writeFileSync(small, ['height,weight', ...Array.from({ length: 40 }, (_, i) => `${150 + i},${50 + ((i * 7) % 30)}`)].join('\n') + '\n');
  await page.setInputFiles('[data-testid=open-file-input]', big);
  await page.locator('[data-testid=read-progress]').waitFor();
  await page.setInputFiles('[data-testid=open-file-input]', small);
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 120_000 });
  assert.match(await page.locator('[data-testid=preview-summary]').textContent(), /CSV, 40 rows, 2 columns/);
  assert.equal(await page.locator('[data-testid=error]').count(), 0, 'replacing a file is not an error');
  await page.selectOption('[data-testid=map-label]', '');
  await page.fill('[data-testid=map-classes]', 'short, tall');
  await page.click('[data-testid=map-start]');
  await named(page, 'small.csv');
  await settled(page);
  // The project stores the small file under the small file's fingerprint, not the big one's.
  const keys = await page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('activelab');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction('datasets').objectStore('datasets').getAllKeys();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    };
  }));
  assert.ok(keys.includes(fingerprint(readFileSync(small))), `stored keys ${keys}`);
  assert.ok(!keys.includes(fingerprint(readFileSync(big))), 'the replaced file is not stored');
  assert.deepEqual(errors, []);
}));
