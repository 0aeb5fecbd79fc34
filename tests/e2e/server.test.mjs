// Self-check of the e2e harness (server.mjs): the static server under a sub-path, and Debian's
// headless Chromium driven by playwright-core. Needs no build of the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer } from './server.mjs';
import { withBrowser, openPage } from './lib.mjs';

const BASE = '/some/sub/path/';
let dir;
let server;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'activelab-e2e-'));
  await mkdir(path.join(dir, 'data'));
  await writeFile(
    path.join(dir, 'index.html'),
    '<!doctype html><html><head><title>harness ok</title>' +
      '<script type="module" src="./main.js"></script></head><body></body></html>',
  );
  await writeFile(path.join(dir, 'main.js'), 'document.body.dataset.ran = "yes";\n');
  await writeFile(path.join(dir, 'mod.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  await writeFile(path.join(dir, 'data', 'x.csv'), 'a,b\n1,2\n');
  // A file beside the served directory, which traversal must not reach.
  await writeFile(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`), 'secret');
  server = await startServer({ dir, base: BASE });
});

after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(path.join(path.dirname(dir), `${path.basename(dir)}-secret.txt`), { force: true });
});

/** A raw GET, so that paths like '/a/../b' reach the server unnormalised. */
function rawGet(url, rawPath) {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the directory under the sub-path with the right MIME types', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/some\/sub\/path\/$/);
  const index = await rawGet(server.url, BASE);
  assert.equal(index.status, 200);
  assert.match(index.type, /^text\/html/);
  assert.match(index.body, /<title>harness ok<\/title>/);
  assert.equal((await rawGet(server.url, `${BASE}index.html`)).status, 200);
  assert.equal((await rawGet(server.url, `${BASE}mod.wasm`)).type, 'application/wasm');
  assert.match((await rawGet(server.url, `${BASE}main.js`)).type, /^text\/javascript/);
  assert.match((await rawGet(server.url, `${BASE}data/x.csv`)).type, /^text\/csv/);
  assert.equal((await rawGet(server.url, '/some/sub/path')).status, 301);
});

test('404 outside the sub-path, for missing files and for traversal', async () => {
  assert.equal((await rawGet(server.url, '/index.html')).status, 404);
  assert.equal((await rawGet(server.url, `${BASE}missing.js`)).status, 404);
  assert.equal((await rawGet(server.url, `${BASE}data`)).status, 404);
  const secret = `${path.basename(dir)}-secret.txt`;
  for (const p of [`${BASE}../${secret}`, `${BASE}%2e%2e/${secret}`, `${BASE}..%2f${secret}`]) {
    const res = await rawGet(server.url, p);
    assert.equal(res.status, 404, p);
    assert.doesNotMatch(res.body, /secret/, p);
  }
  assert.ok(server.requests.includes(`${BASE}missing.js`), 'requests are recorded');
});

test('headless Chromium loads the page from the sub-path', () => withBrowser(async (browser) => {
  const { page, errors } = await openPage(browser, server.url);
  assert.equal(await page.title(), 'harness ok');
  await page.waitForFunction(() => document.body.dataset.ran === 'yes');
  assert.deepEqual(errors, []);
  assert.ok(server.requests.includes(`${BASE}main.js`), 'the script loaded relative to the sub-path');
}));
