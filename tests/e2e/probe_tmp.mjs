// Benchmark of the built app (issue 6), NOT a test: `cargo xtask bench --only app`, or by hand
//   DIST_DIR=$PWD/dist CHROMIUM=/usr/bin/chromium node tests/e2e/bench_app.mjs
// (the file name does not match node --test's patterns, so `node --test tests/e2e/` skips it).
//
// It drives dist/ in headless Chromium (playwright-core) and prints one table:
//  (a) main-thread long tasks (PerformanceObserver 'longtask', > 50 ms) while the worker trains and
//      scores on a 50,000-row pool, over LABELS keypresses (each one = a worker round);
//  (b) keypress -> next sample on screen at 10,000 rows: from the keydown event's timestamp to the
//      first animation frame after the sample's `data-row` changed (median of REPS presses), and
//      to the first frame after the status is idle again with the round's charts shown (the studio
//      applies a round's insight one frame after its sample);
//  (c) import of a 100,000 x 50 CSV (~50 MB) through the file input, preview, mapping, first round:
//      long tasks, whether the progress bar showed, and the peak memory: the page's JS heap
//      (CDP Performance.getMetrics JSHeapUsedSize, main thread only) and the resident memory of the
//      tab's renderer process (VmRSS from /proc, main thread + worker + wasm memories; Chromium
//      runs dedicated workers in the page's renderer process).
// Nothing is asserted about time. JSON of every figure: BENCH_APP_JSON (env) or stdout's last line.
import { writeFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser } from './server.mjs';

const DIST = process.env.DIST_DIR || new URL('../../dist', import.meta.url).pathname;
const FEATURES = 50;
const CLASSES = 10;
const LABELS = Number(process.env.BENCH_APP_LABELS || 10);
const REPS = Number(process.env.BENCH_APP_REPS || 9);
// Which measurements to run: BENCH_APP_ONLY=c (or a,b), all three by default.
const ONLY = (process.env.BENCH_APP_ONLY || 'a,b,c').split(',').map((s) => s.trim());

/** A seeded CSV of `n` rows x FEATURES numeric columns (Gaussian blobs, 6 decimals), no label. */
function writeCsv(dir, n) {
  let s = 0x2545f491 >>> 0;
  const uniform = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const centres = Array.from({ length: CLASSES }, () => Array.from({ length: FEATURES }, () => 2 * uniform() - 1));
  const header = Array.from({ length: FEATURES }, (_, j) => `f${j}`).join(',');
  const parts = [header + '\n'];
  for (let i = 0; i < n; i++) {
    const c = centres[i % CLASSES];
    const row = new Array(FEATURES);
    for (let j = 0; j < FEATURES; j++) row[j] = (c[j] + 1.5 * gauss()).toFixed(6);
    parts.push(row.join(',') + '\n');
  }
  const file = join(dir, `blobs_${n}.csv`);
  writeFileSync(file, parts.join(''));
  return file;
}

/** Resident memory (kB) of every Chromium renderer started by this node process. */
function rendererRss() {
  const parent = new Map();
  const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(pid), ppid);
    } catch { /* gone */ }
  }
  const mine = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = parent.get(p), hops++) if (p === process.pid) return true;
    return false;
  };
  const out = [];
  for (const [pid] of parent) {
    if (!mine(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) out.push({ pid, kb: Number(m[1]) });
    } catch { /* gone */ }
  }
  return out;
}

const INIT = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  window.__progressSeen = false;
  const watch = () => new MutationObserver(() => {
    if (document.querySelector('[data-testid=read-progress]')) window.__progressSeen = true;
  }).observe(document.documentElement, { subtree: true, childList: true });
  if (document.documentElement) watch(); else document.addEventListener('DOMContentLoaded', watch);
};

async function openApp(browser, server) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(INIT);
  await page.goto(server.url);
  // A fresh profile opens on the start page, where "Open your own data" is.
  await page.locator('[data-testid=start-page]').waitFor({ timeout: 120_000 });
  return { context, page, errors };
}

async function settled(page, timeout = 600_000) {
  await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.dataset.busy === 'false', null, { timeout });
}

const now = (page) => page.evaluate(() => performance.now());
const longTasks = (page, from, to) => page.evaluate(([a, b]) => window.__longTasks
  .filter((t) => t.start >= a && t.start <= b).map((t) => t.duration), [from, to]);
const summary = (tasks) => ({
  over50: tasks.filter((d) => d > 50).length,
  max: tasks.length ? Math.max(...tasks) : 0,
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

/** Import `file` (no label column) with CLASSES class names and wait for the first sample. */
async function importCsv(page, file) {
  await page.setInputFiles('[data-testid=open-file-input]', file);
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 600_000 });
  await page.selectOption('[data-testid=map-label]', '');
  await page.fill('[data-testid=map-classes]', Array.from({ length: CLASSES }, (_, c) => `c${c}`).join(', '));
  await page.click('[data-testid=map-start]');
  const name = file.split('/').pop();
  await page.waitForFunction((n) => document.querySelector('[data-testid=dataset-name]')?.textContent === n, name, { timeout: 600_000 });
  await page.locator('[data-testid=query]').waitFor({ timeout: 600_000 });
  await settled(page);
}

/** Press a class key and wait for the next sample with the label counted. */
async function labelOnce(page, i) {
  const before = Number(await page.locator('[data-testid=labels-count]').textContent());
  const row = await page.locator('[data-testid=query]').getAttribute('data-row');
  await page.keyboard.press(String((i % 9) + 1));
  await page.waitForFunction(
    ([n, oldRow]) => document.querySelector('[data-testid=labels-count]')?.textContent === String(n)
      && document.querySelector('[data-testid=status]')?.dataset.busy === 'false'
      && document.querySelector('[data-testid=query]')?.dataset.row !== oldRow,
    [before + 1, row], { timeout: 600_000 });
}

/**
 * One keypress: ms from the keydown event to the first frame after the next sample is on screen
 * (`sample`), and to the first frame after the studio is idle again, charts included (`idle`: the
 * studio shows a round's insight one frame after its sample).
 */
async function keyToSample(page, key) {
  const pending = page.evaluate(() => new Promise((resolve) => {
    const q = () => document.querySelector('[data-testid=query]');
    const idle = () => document.querySelector('[data-testid=status]')?.dataset.busy === 'false';
    const old = q()?.dataset.row;
    let t0 = null;
    let sample = null;
    const onKey = (e) => { t0 = e.timeStamp; };
    window.addEventListener('keydown', onKey, { capture: true, once: true });
    let done = false;
    const finish = (idleMs) => { done = true; obs.disconnect(); resolve({ sample, idle: idleMs }); };
    const check = () => {
      if (done || t0 === null || q()?.dataset.row === old) return;
      if (sample === null) {
        sample = -1;
        requestAnimationFrame(() => {
          sample = performance.now() - t0;
          if (idle()) finish(sample);
        });
      } else if (sample > 0 && idle()) {
        done = true;
        requestAnimationFrame(() => finish(performance.now() - t0));
      }
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  }));
  await page.waitForTimeout(50);
  await page.keyboard.press(key);
  return pending;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'activelab-probe-'));
  const server = await startServer({ dir: DIST, base: '/bench/' });
  const browser = await launchBrowser();
  try {
    const file = writeCsv(dir, 100_000);
    const { context, page, errors } = await openApp(browser, server);
    const t0 = Date.now();
    let sampling = true;
    const log = [];
    const sampler = (async () => {
      while (sampling) {
        let wmem = -1; if (false)
        try {
          for (const w of page.workers()) {
            const v = await w.evaluate(() => { try { return wasm_bindgen.__wbindgen_wasm_module ? -2 : (self.__wasmMem ? self.__wasmMem() : -3); } catch (e) { return -4; } });
            wmem = v;
          }
        } catch {}
        const stage = await page.evaluate(() => (document.querySelector('[data-testid=read-progress]') ? 'reading' : document.querySelector('[data-testid=preview-table]') ? 'preview' : document.querySelector('[data-testid=query]') ? 'studio' : 'other')).catch(() => '?');
        log.push([Date.now() - t0, Math.round(Math.max(0, ...rendererRss().map((r) => r.kb)) / 1024), stage]);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await importCsv(page, file);
    await new Promise((r) => setTimeout(r, 1500));
    sampling = false;
    await sampler;
    let last = '';
    for (const [t, mb, st] of log) { if (st !== last || true) console.log(t, mb, st); last = st; }
    console.log('errors', errors);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
main();
