// End-to-end: the picked file changes on disk during a session (a person fixes a typo in their
// CSV while labeling). The browser then refuses to read the picked `File` (the worker reads it in
// 1 MiB blocks, so this file is over 1 MiB). The worker reads the picked file only until the page
// has stored the project; from then on it reads IndexedDB's copy, so the labels CSV is still the
// file as it was opened, and the session goes on. A profile on disk, as a person has: an
// in-memory context's IndexedDB keeps a reference to the file instead of a copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchPersistent } from './server.mjs';
import { DIST, watchErrors, labelsAre, labelByKey, settled, named } from './lib.mjs';

/** Plants with an id, a height and a note, 70,000 rows (over 1 MiB, more than one block the
 * worker reads at a time). */
function plants() {
  const lines = ['plant_id,height,note'];
  for (let i = 0; i < 70_000; i++) lines.push(`p${i},${(i * 37) % 160},note ${i % 13}`);
  return Buffer.from(lines.join('\n') + '\n');
}

test('a file edited on disk after it was opened still exports and reloads as it was opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'activelab-changed-'));
  const file = join(dir, 'plants.csv');
  const original = plants();
  assert.ok(original.length > 1 << 20);
  writeFileSync(file, original);
  const server = await startServer({ dir: DIST, base: '/changed/' });
  const context = await launchPersistent(join(dir, 'profile'), { acceptDownloads: true });
  try {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(server.url);
    await page.locator('[data-testid=start-page]').waitFor({ timeout: 60_000 });
    await page.setInputFiles('[data-testid=open-file-input]', file);
    await page.locator('[data-testid=preview-table]').waitFor({ timeout: 60_000 });
    await page.selectOption('[data-testid=map-id]', 'plant_id');
    await page.fill('[data-testid=map-classes]', 'tall, short');
    await page.click('[data-testid=map-start]');
    await named(page, 'plants.csv');
    await labelsAre(page, 0);
    await labelByKey(page, '1', 1);
    await settled(page); // stored: the status is busy while the project is being saved

    // The person edits the file on disk: other bytes, another size, a newer date.
    writeFileSync(file, 'plant_id,height\np1,1\np2,2\n');

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.click('[data-testid=export-csv]'),
    ]);
    const got = readFileSync(await download.path(), 'utf8');
    const lines = got.trim().split('\n');
    assert.equal(lines.length, original.toString().trim().split('\n').length, got);
    assert.match(lines[0], /^plant_id,/);
    assert.equal(await page.locator('[data-testid=error]').count(), 0);

    // Labeling goes on, and a reload restores the project from the stored copy.
    await labelByKey(page, '2', 2);
    await page.reload();
    await named(page, 'plants.csv');
    await labelsAre(page, 2);
    assert.equal(await page.locator('[data-testid=error]').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
