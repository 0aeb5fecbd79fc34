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
//      runs dedicated workers in the page's renderer process);
//  (d) with (c): reload the page, which restores that project from IndexedDB, to its first sample:
//      the time, the renderer's peak resident memory and the main thread's long tasks.
//  (e) a bundled demo opened from the start page, a second after it shows (the person reading it):
//      click -> first sample, and the main thread's long tasks, for DEMOS in fresh profiles;
//  (f) the first FIRST_KEYS keypresses after a labeled 10-class CSV (10,000 and 100,000 rows) is
//      opened through the file input, each pressed as soon as the sample is on screen and the
//      studio idle: keypress -> next sample, while the random baseline fills in behind.
// Nothing is asserted about time. JSON of every figure: BENCH_APP_JSON (env) or stdout's last line.
import { writeFileSync, appendFileSync, statSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser } from './server.mjs';

const DIST = process.env.DIST_DIR || new URL('../../dist', import.meta.url).pathname;
const FEATURES = 50;
const CLASSES = 10;
const LABELS = Number(process.env.BENCH_APP_LABELS || 10);
const REPS = Number(process.env.BENCH_APP_REPS || 9);
// Which measurements to run: BENCH_APP_ONLY=c (or a,b or e), all by default.
const ONLY = (process.env.BENCH_APP_ONLY || 'a,b,c,e,f').split(',').map((s) => s.trim());
// (f): how many first keypresses, and at which sizes.
const FIRST_KEYS = 5;
const FIRST_SIZES = (process.env.BENCH_APP_FIRST_SIZES || '10000,100000').split(',').map(Number);
// The demos (e) opens, each in a fresh profile: the largest table, a wide one, a text one.
const DEMOS = ['digits.csv', 'breast_cancer.csv', 'fortunes.csv'];

/**
 * A seeded CSV of `n` rows x FEATURES numeric columns (Gaussian blobs, 6 decimals), with a last
 * `label` column (c0 … c9) when `labeled`.
 */
function writeCsv(dir, n, labeled = false) {
  let s = 0x2545f491 >>> 0;
  const uniform = () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const centres = Array.from({ length: CLASSES }, () => Array.from({ length: FEATURES }, () => 2 * uniform() - 1));
  const header = Array.from({ length: FEATURES }, (_, j) => `f${j}`).join(',') + (labeled ? ',label' : '');
  const file = join(dir, `blobs_${n}${labeled ? '_labeled' : ''}.csv`);
  writeFileSync(file, header + '\n');
  // In chunks: a million rows is more text than one JavaScript string may hold.
  for (let start = 0; start < n; start += 50_000) {
    const parts = [];
    for (let i = start; i < Math.min(n, start + 50_000); i++) {
      const c = centres[i % CLASSES];
      const row = new Array(FEATURES);
      for (let j = 0; j < FEATURES; j++) row[j] = (c[j] + 1.5 * gauss()).toFixed(6);
      parts.push(row.join(',') + (labeled ? `,c${i % CLASSES}` : '') + '\n');
    }
    appendFileSync(file, parts.join(''));
  }
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

/** Open a labeled `file` (its label column found by the mapping step) to its first sample. */
/** Open a labeled file through the mapping step; ms to the preview and from "Start labeling" to the first sample. */
async function openLabeled(page, file) {
  const wall = Date.now();
  await page.setInputFiles('[data-testid=open-file-input]', file);
  await page.locator('[data-testid=preview-table]').waitFor({ timeout: 1_800_000 });
  const preview_ms = Date.now() - wall;
  await page.selectOption('[data-testid=map-label]', 'label');
  const start = Date.now();
  await page.click('[data-testid=map-start]');
  await page.locator('[data-testid=query]').waitFor({ timeout: 1_800_000 });
  const start_to_first_sample_ms = Date.now() - start;
  await settled(page);
  return { preview_ms, start_to_first_sample_ms };
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
  const dir = mkdtempSync(join(tmpdir(), 'activelab-bench-app-'));
  const server = await startServer({ dir: DIST, base: '/bench/' });
  const browser = await launchBrowser();
  const result = {};
  try {
    // (a) long tasks while the worker trains and scores on a 50k-row pool.
    if (ONLY.includes('a')) {
      const file = writeCsv(dir, 50_000);
      const { context, page, errors } = await openApp(browser, server);
      await importCsv(page, file);
      const t0 = await now(page);
      const rounds = [];
      for (let i = 0; i < LABELS; i++) {
        const a = Date.now();
        await labelOnce(page, i);
        rounds.push(Date.now() - a);
      }
      const t1 = await now(page);
      result.pool50k = { labels: LABELS, ...summary(await longTasks(page, t0, t1)), round_trip_median_ms: median(rounds), errors };
      await context.close();
    }
    // (b) keypress -> next sample on screen at 10k rows.
    if (ONLY.includes('b')) {
      const file = writeCsv(dir, 10_000);
      const { context, page, errors } = await openApp(browser, server);
      await importCsv(page, file);
      // Two answers first so the model has labels of two classes.
      await labelOnce(page, 0);
      await labelOnce(page, 1);
      const t0 = await now(page);
      const lat = [];
      const idle = [];
      for (let i = 0; i < REPS; i++) {
        const t = await keyToSample(page, String(((i + 2) % 9) + 1));
        lat.push(t.sample);
        idle.push(t.idle);
        await settled(page);
      }
      const t1 = await now(page);
      result.key10k = { reps: REPS, median_ms: median(lat), min_ms: Math.min(...lat), max_ms: Math.max(...lat), all_ms: lat.map((v) => Math.round(v)), idle_median_ms: median(idle), idle_all_ms: idle.map((v) => Math.round(v)), ...summary(await longTasks(page, t0, t1)), errors };
      await context.close();
    }
    // (c) import of a 100k x 50 CSV (~50 MB): long tasks, progress bar, peak memory.
    if (ONLY.includes('c')) {
      const file = writeCsv(dir, 100_000);
      const bytes = readFileSync(file).length;
      const { context, page, errors } = await openApp(browser, server);
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const heap = async () => {
        const { metrics } = await cdp.send('Performance.getMetrics');
        return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
      };
      const rss = () => Math.max(0, ...rendererRss().map((r) => r.kb));
      const before = { heap: await heap(), rss: rss() };
      let peakHeap = before.heap;
      let peakRss = before.rss;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          try { peakHeap = Math.max(peakHeap, await heap()); } catch { /* page busy */ }
          peakRss = Math.max(peakRss, rss());
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const t0 = await now(page);
      const wall = Date.now();
      await importCsv(page, file);
      const importMs = Date.now() - wall;
      const t1 = await now(page);
      sampling = false;
      await sampler;
      const after = { heap: await heap(), rss: rss() };
      result.import100k = {
        file_mb: bytes / 1e6, import_to_first_sample_ms: importMs,
        progress_bar_seen: await page.evaluate(() => window.__progressSeen),
        ...summary(await longTasks(page, t0, t1)),
        js_heap_mb: { before: before.heap / 1e6, peak: peakHeap / 1e6, after: after.heap / 1e6 },
        renderer_rss_mb: { before: before.rss / 1024, peak: peakRss / 1024, after: after.rss / 1024 },
        errors,
      };
      // (d) the same project after a reload: the stored file goes from IndexedDB to the worker
      // as a blob (the page never reads it), and the session is rebuilt from it and the log.
      let reloadPeak = after.rss;
      sampling = true;
      const reloadSampler = (async () => {
        while (sampling) {
          reloadPeak = Math.max(reloadPeak, rss());
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const reloadWall = Date.now();
      await page.reload();
      await page.locator('[data-testid=query]').waitFor({ timeout: 600_000 });
      await settled(page);
      const reloadMs = Date.now() - reloadWall;
      sampling = false;
      await reloadSampler;
      // The init script runs again on the reload: its long tasks are the reload's.
      const reloadTasks = summary(await longTasks(page, 0, await now(page)));
      result.reload100k = { errors, reload_to_first_sample_ms: reloadMs, long_tasks_over50: reloadTasks.over50, long_task_max_ms: reloadTasks.max, renderer_rss_mb: { before: after.rss / 1024, peak: reloadPeak / 1024, after: rss() / 1024 } };
      await context.close();
    }
    if (ONLY.includes('e')) {
      result.demos = [];
      for (const file of DEMOS) {
        const { context, page, errors } = await openApp(browser, server);
        await page.waitForTimeout(1000);
        const t0 = await now(page);
        const wall = Date.now();
        await page.locator(`[data-testid=demo-card][data-file="${file}"]`).click();
        await page.locator('[data-testid=query]').waitFor({ timeout: 600_000 });
        const ms = Date.now() - wall;
        await settled(page);
        await page.waitForTimeout(1000);
        result.demos.push({ file, errors, click_to_first_sample_ms: ms, ...summary(await longTasks(page, t0, await now(page))) });
        await context.close();
      }
    }
    if (ONLY.includes('f')) {
      result.first = [];
      for (const n of FIRST_SIZES) {
        const file = writeCsv(dir, n, true);
        const { context, page, errors } = await openApp(browser, server);
        const rss = () => Math.max(0, ...rendererRss().map((r) => r.kb));
        let peakRss = rss();
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            peakRss = Math.max(peakRss, rss());
            await new Promise((r) => setTimeout(r, 200));
          }
        })();
        const open = await openLabeled(page, file);
        const t0 = await now(page);
        const lat = [];
        for (let i = 0; i < FIRST_KEYS; i++) {
          lat.push((await keyToSample(page, String((i % 9) + 1))).sample);
          await settled(page);
        }
        const t1 = await now(page);
        // How long the baseline took to fill in (its legend stops saying "computing" or "so far").
        const baselineDone = await page.waitForFunction(
          () => !/computing|so far/.test(document.querySelector('[data-testid=baseline-legend]')?.textContent ?? 'computing'),
          null, { timeout: 600_000 }).then(async () => (await now(page)) - t0);
        const legend = await page.locator('[data-testid=baseline-legend]').textContent();
        sampling = false;
        await sampler;
        result.first.push({ rows: n, file_mb: statSync(file).size / 1e6, ...open, renderer_rss_peak_mb: peakRss / 1024, keys_ms: lat.map((v) => Math.round(v)), max_ms: Math.max(...lat), ...summary(await longTasks(page, t0, t1)), baseline_done_ms: baselineDone, legend, errors });
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const f = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : String(v));
  const rows = [];
  if (result.pool50k) rows.push(['(a) 50k-row pool, ' + LABELS + ' labels: main-thread long tasks > 50 ms', f(result.pool50k.over50), 'longest ' + f(result.pool50k.max) + ' ms; keypress round trip median ' + f(result.pool50k.round_trip_median_ms) + ' ms']);
  if (result.key10k) rows.push(['(b) 10k rows: keypress -> next sample on screen, median of ' + REPS, f(result.key10k.median_ms) + ' ms', 'min ' + f(result.key10k.min_ms) + ', max ' + f(result.key10k.max_ms) + '; idle again (charts shown) ' + f(result.key10k.idle_median_ms) + ' ms; long tasks > 50 ms: ' + result.key10k.over50]);
  if (result.import100k) {
    rows.push(['(c) import 100k x 50 CSV (' + f(result.import100k.file_mb) + ' MB) to first sample', f(result.import100k.import_to_first_sample_ms) + ' ms', 'progress bar ' + (result.import100k.progress_bar_seen ? 'shown' : 'NOT shown') + '; long tasks > 50 ms: ' + result.import100k.over50 + ', longest ' + f(result.import100k.max) + ' ms']);
    rows.push(['(d) reload of that project to first sample', f(result.reload100k.reload_to_first_sample_ms) + ' ms', 'peak renderer RSS ' + f(result.reload100k.renderer_rss_mb.peak) + ' MB (before ' + f(result.reload100k.renderer_rss_mb.before) + ', after ' + f(result.reload100k.renderer_rss_mb.after) + '); long tasks > 50 ms: ' + result.reload100k.long_tasks_over50 + ', longest ' + f(result.reload100k.long_task_max_ms) + ' ms']);
    rows.push(['(c) peak memory during the import', f(result.import100k.renderer_rss_mb.peak) + ' MB renderer RSS', 'before ' + f(result.import100k.renderer_rss_mb.before) + ' MB; page JS heap peak ' + f(result.import100k.js_heap_mb.peak) + ' MB (before ' + f(result.import100k.js_heap_mb.before) + ')']);
  }
  for (const d of result.demos || []) rows.push(['(e) demo ' + d.file + ' from the start page: click -> first sample', f(d.click_to_first_sample_ms) + ' ms', 'long tasks > 50 ms: ' + d.over50 + ', longest ' + f(d.max) + ' ms']);
  for (const r of result.first || []) rows.push(['(f) ' + r.rows / 1000 + 'k labeled rows: first ' + FIRST_KEYS + ' keypresses -> next sample', r.keys_ms.join(' / ') + ' ms', 'CSV ' + f(r.file_mb) + ' MB: preview ' + f(r.preview_ms / 1000) + ' s, "Start labeling" -> first sample ' + f(r.start_to_first_sample_ms / 1000) + ' s, peak renderer RSS ' + f(r.renderer_rss_peak_mb) + ' MB; long tasks > 50 ms: ' + r.over50 + '; baseline complete ' + f(r.baseline_done_ms / 1000) + ' s after the first keypress began: "' + r.legend + '"']);
  console.log('| measurement | value | details |\n|---|---:|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  const json = JSON.stringify(result);
  if (process.env.BENCH_APP_JSON) writeFileSync(process.env.BENCH_APP_JSON, json + '\n');
  console.log('BENCH_APP ' + json);
}

main().catch((e) => { console.error(e); process.exit(1); });
