// End-to-end: the start page of a first visit, going back to it from the studio and returning
// without losing anything; keys remapped per project (a letter for a class), conflicts refused,
// and the mapping kept across a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withApp, openPage, openDemo, settled, count, waitCount, row, labelByKey, named } from './lib.mjs';

const firstKeys = (page) => page.locator('[data-testid=class-button]').first().locator('kbd').allTextContents();

async function saveKeys(page, fields) {
  if (!(await page.locator('[data-testid=help]').isVisible())) {
    await page.locator('[data-testid=help-button]').click();
  }
  for (const [action, value] of Object.entries(fields)) {
    await page.locator(`[data-testid=key-field][data-action="${action}"]`).fill(value);
  }
  await page.locator('[data-testid=keys-save]').click();
  const message = page.locator('[data-testid=keys-message]');
  await message.waitFor();
  return { ok: (await message.getAttribute('data-ok')) === 'true', text: await message.textContent() };
}

test('first visit: start page; a letter per class, kept per project across a reload; home and back', () => withApp('/start/', async ({ server, browser }) => {
  const { context, page, errors } = await openPage(browser, server.url);

  // The start page: every demo, "open your own data", no stored project yet.
  await page.locator('[data-testid=start-page]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=demo-card]').count(), 6);
  assert.equal(await page.locator('[data-testid=open-file-input]').count(), 1);
  assert.equal(await page.locator('[data-testid=project]').count(), 0);
  assert.equal(await page.locator('[data-testid=class-button]').count(), 0, 'no studio yet');

  await openDemo(page, 'iris.csv');
  assert.deepEqual(await firstKeys(page), ['1']);

  // Conflicts and reserved keys are refused with the reason; nothing changes.
  let r = await saveKeys(page, { 'class-0': 'a', 'class-1': 'a' });
  assert.equal(r.ok, false);
  assert.match(r.text, /'a' is given to both class 1 and class 2/);
  r = await saveKeys(page, { 'class-1': '2', skip: '?' });
  assert.equal(r.ok, false);
  assert.match(r.text, /'\?' \(for skip\) is reserved/);
  assert.deepEqual(await firstKeys(page), ['1']);
  // A letter for class 1; skip on x.
  r = await saveKeys(page, { skip: 'x' });
  assert.equal(r.ok, true, r.text);
  assert.deepEqual(await firstKeys(page), ['a']);
  assert.match(await page.locator('[data-testid=help]').textContent(), /aLabel as setosa/);
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=help]').waitFor({ state: 'detached' });

  const n = await count(page);
  await labelByKey(page, 'a', n + 1);
  const shown = await row(page);
  await page.keyboard.press('x');
  await page.waitForFunction((r) => document.querySelector('[data-testid=query]')?.dataset.row !== r, shown);
  await settled(page);

  // A reload keeps the keys.
  await page.reload();
  await page.locator('[data-testid=class-button]').first().waitFor({ timeout: 60_000 });
  await waitCount(page, n + 1);
  await settled(page);
  await page.waitForFunction(() => document.querySelector('[data-testid=class-button] kbd')?.textContent === 'a');
  await labelByKey(page, 'A', n + 2);

  // Home and back: nothing lost.
  const before = await row(page);
  await page.locator('[data-testid=home-button]').click();
  await page.locator('[data-testid=start-page]').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=project]').length === 1);
  await page.locator('[data-testid=resume]').click();
  await waitCount(page, n + 2);
  assert.equal(await row(page), before);

  // Another project has its own (default) keys; the first keeps its letter.
  await page.locator('[data-testid=home-button]').click();
  await openDemo(page, 'wine.csv');
  assert.deepEqual(await firstKeys(page), ['1']);
  await page.locator('[data-testid=home-button]').click();
  const iris = page.locator('[data-testid=project]', { hasText: 'Iris' });
  await iris.locator('[data-testid=project-open]').click();
  await named(page, 'Iris');
  await waitCount(page, n + 2);
  await page.waitForFunction(() => document.querySelector('[data-testid=class-button] kbd')?.textContent === 'a');
  assert.deepEqual(errors, []);
  await context.close();
}));
