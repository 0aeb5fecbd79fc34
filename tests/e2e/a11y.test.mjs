// End-to-end, accessibility: axe-core's WCAG 2.0/2.1 A and AA rules find no violation of impact
// serious or critical in the views a person works in: the start page, the studio with Iris and a
// confusion matrix that has dark cells, the Simulate tab after a race, the Stream tab after a run,
// the run log with recorded runs, and the mapping step of an opened CSV. Each view is a subtest,
// so one view's failure does not hide another's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  withApp, openStart, openDemo, labelKnown, waitRace, setField, assertAccessible,
} from './lib.mjs';

const PLANTS = new URL('../fixtures/journey/plants.csv', import.meta.url).pathname;

/**
 * The WCAG contrast ratio of each confusion cell's text against its fill as drawn (the cell's
 * translucent fill over what is behind it). axe leaves out a cell whose count is one digit ("too
 * short to tell"); this measures them all.
 */
const cellContrasts = (page) => page.$$eval('[data-testid=confusion-cell]', (cells) => {
  const rgba = (css) => { const [r, g, b, a = 1] = css.match(/[\d.]+/g).map(Number); return [r, g, b, a]; };
  const over = (top, below) => below.map((c, i) => (i < 3 ? top[i] * top[3] + c * (1 - top[3]) : 1));
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  /** The colour behind `el`: its translucent layers down to the first opaque one (white if none). */
  const drawn = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    return layers.reduceRight((below, top) => over(top, below), [255, 255, 255, 1]);
  };
  return cells.map((cell) => {
    const [l1, l2] = [luminance(rgba(getComputedStyle(cell).color)), luminance(drawn(cell))].sort((x, y) => y - x);
    return { cell: `${cell.className} [${cell.dataset.true},${cell.dataset.pred}] "${cell.textContent}"`, ratio: (l1 + 0.05) / (l2 + 0.05) };
  });
});

test('axe finds no serious or critical WCAG A/AA violation in any view', (t) => withApp('/a11y/', async ({ server, browser }) => {
  // axe goes in as an inline script, which the app's CSP refuses: this context alone bypasses the
  // CSP. The app needs nothing it blocks (security.test.mjs), so the page looks the same.
  const { context, page, errors } = await openStart(browser, server.url, { contextOptions: { bypassCSP: true } });

  await t.test('the start page', () => assertAccessible(page, 'start page'));

  await t.test('the studio with Iris, its confusion matrix with dark cells', async () => {
    await openDemo(page);
    for (let i = 0; i < 6; i++) await labelKnown(page);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=insight]')?.getAttribute('aria-busy') === 'false'
        && document.querySelector('[data-testid=confusion-cell].diagonal.dark'),
      null,
      { timeout: 60_000 },
    );
    const cells = page.locator('[data-testid=confusion-cell]');
    assert.equal(await cells.count(), 9, 'a 3×3 matrix');
    assert.ok(await page.locator('[data-testid=confusion-cell].dark').count() >= 1, 'a dark cell to check');
    const low = (await cellContrasts(page)).filter((c) => c.ratio < 4.5).map((c) => `${c.cell}: ${c.ratio.toFixed(2)}:1`);
    assert.deepEqual(low, [], 'the text of every confusion cell at 4.5:1 or more');
    await assertAccessible(page, 'studio (Iris)');
  });

  await t.test('the Simulate tab after a race', async () => {
    await page.locator('[data-testid=tab-simulate]').click();
    await page.locator('[data-testid=race-run]').click();
    await waitRace(page, 'done');
    await assertAccessible(page, 'Simulate after a race');
  });

  await t.test('the Stream tab after a run', async () => {
    await page.locator('[data-testid=tab-stream]').click();
    await setField(page, 'stream-rows', 1000);
    await setField(page, 'stream-drift', 500);
    await page.locator('[data-testid=stream-run]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=stream-status]')?.dataset.state === 'done', null, { timeout: 120_000 });
    await assertAccessible(page, 'Stream after a run');
  });

  await t.test('the run log with recorded runs, one overlaid', async () => {
    await page.locator('[data-testid=tab-runs]').click();
    const race = page.locator('[data-testid=run-row][data-kind=race]');
    await race.first().waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=run-row][data-kind=stream]').first().waitFor();
    await race.first().locator('input[type=checkbox]').check();
    await page.locator('[data-testid=overlay-chart] path').first().waitFor();
    await assertAccessible(page, 'run log');
  });

  await t.test('the mapping step of an opened CSV', async () => {
    await page.locator('[data-testid=tab-label]').click();
    await page.setInputFiles('[data-testid=open-file-input]', PLANTS);
    await page.locator('[data-testid=preview-table]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=map-start]').waitFor();
    await assertAccessible(page, 'mapping step');
  });

  assert.deepEqual(errors, []);
  await context.close();
}));
