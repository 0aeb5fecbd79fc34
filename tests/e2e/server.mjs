// Test harness for the end-to-end tests: a tiny static file server on 127.0.0.1 that serves a
// directory under a URL sub-path (to prove the app works from any sub-path), and a launcher for
// Debian's headless Chromium through playwright-core (which never downloads a browser).
import http from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/** The flags this machine's headless Chromium needs (its network is closed but for localhost). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Serve the files of `dir` under the URL prefix `base` (e.g. '/demos/activelab/') on
 * 127.0.0.1 at an ephemeral port.
 *
 * - `base` itself (and any path ending in '/') serves that directory's index.html;
 * - `base` without its trailing slash redirects to `base`;
 * - anything outside `base`, missing, or escaping `dir` is a 404.
 *
 * @returns {Promise<{url: string, close: () => Promise<void>, requests: string[]}>}
 *   `url` is the full URL of `base`; `requests` records the path of every request, in order.
 */
export async function startServer({ dir, base = '/' }) {
  if (!base.startsWith('/')) base = `/${base}`;
  if (!base.endsWith('/')) base = `${base}/`;
  const root = path.resolve(dir);
  const requests = [];

  const server = http.createServer(async (req, res) => {
    const rawPath = (req.url || '/').split(/[?#]/)[0];
    requests.push(rawPath);
    const notFound = () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (`${rawPath}/` === base) {
      res.writeHead(301, { location: base });
      res.end();
      return;
    }
    if (!rawPath.startsWith(base)) return notFound();

    let rel;
    try {
      rel = decodeURIComponent(rawPath.slice(base.length));
    } catch {
      return notFound();
    }
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    if (rel.includes('\0')) return notFound();
    const file = path.resolve(root, rel);
    // No directory traversal: the resolved file must stay inside `root`.
    if (file !== root && !file.startsWith(root + path.sep)) return notFound();

    let info;
    try {
      info = await stat(file);
    } catch {
      return notFound();
    }
    if (!info.isFile()) return notFound();

    res.writeHead(200, {
      'content-type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
      'content-length': info.size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}${base}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/**
 * Launch Debian's headless Chromium ($CHROMIUM, default /usr/bin/chromium) with playwright-core.
 * Close it with `await browser.close()`.
 */
/** A browser with a profile on disk in `dir` (a real profile, as a person has: IndexedDB keeps
 * its own copy of a stored `File` there, where a fresh in-memory context keeps a reference to
 * the file on disk). Returns the context; closing it closes the browser. */
export async function launchPersistent(dir, options = {}) {
  return chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
}

export async function launchBrowser(options = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
}
