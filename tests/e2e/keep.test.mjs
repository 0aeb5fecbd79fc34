// End-to-end: sessions opened through the mapping step (a TSV with a text column) and from a
// folder of images are stored with their data and come back after a reload: the same sample on
// screen, the same labels, the same classes. The journey test (journey.test.mjs) covers a
// mapped CSV end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { startServer, launchBrowser } from './server.mjs';
import { settled, row, labelsAre } from './lib.mjs';

const DIST = process.env.DIST_DIR || new URL('../../dist', import.meta.url).pathname;

const history = (page) =>
  page.locator('[data-testid=history-item]').evaluateAll((items) => items.map((i) => `${i.dataset.row}:${i.dataset.class}`));
const named = (page, name) =>
  page.waitForFunction((n) => document.querySelector('[data-testid=dataset-name]')?.textContent === n, name, { timeout: 60_000 });

// A minimal PNG encoder (8-bit RGB, no filter), enough to make test images.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const o = y * (width * 3 + 1) + 1 + x * 3;
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function openApp(browser, server) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  // A fresh profile opens on the start page: "Open your own data" and the projects list.
  await page.locator('[data-testid=start-page]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=storage-ok]').waitFor();
  return { context, page, errors };
}

/** Label `n` samples by keyboard (keys cycling over `keys`), starting from `from` labels. */
async function label(page, n, from, keys) {
  for (let i = 1; i <= n; i++) {
    await page.keyboard.press(keys[i % keys.length]);
    await labelsAre(page, from + i);
  }
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

test('a mapped TSV with a text column comes back after a reload', async () => {
  const server = await startServer({ dir: DIST, base: '/keep-text/' });
  const browser = await launchBrowser();
  try {
    const { context, page, errors } = await openApp(browser, server);
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
  } finally {
    await browser.close();
    await server.close();
  }
});

test('a folder of images comes back after a reload, decoded as it was', async () => {
  const server = await startServer({ dir: DIST, base: '/keep-img/' });
  const browser = await launchBrowser();
  try {
    const { context, page, errors } = await openApp(browser, server);
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
    const start = Number(await page.locator('[data-testid=labels-count]').textContent());
    await label(page, 5, start, ['1', '2', '3']);
    await reloadSame(page, 'tiles');
    assert.equal(await page.locator('[data-testid=query]').getAttribute('data-kind'), 'image');
    assert.equal(await page.locator('[data-testid=import-report]').textContent(), report, 'the same import report');
    await page.locator('[data-testid=sample-image]').waitFor();
    await label(page, 2, start + 5, ['3', '1']);
    await reloadSame(page, 'tiles');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});
