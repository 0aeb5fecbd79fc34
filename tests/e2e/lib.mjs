// Shared steps of the e2e journeys.
//
// A first visit (no stored project) lands on the start page; `openDemo` picks a bundled demo there
// (or from the studio's open panel, which has the same cards) and waits until its first sample is
// on screen and the studio is idle. A reload during a project goes straight back to the project,
// so only the first visit of a fresh profile needs it.

import assert from 'node:assert/strict';

/** The bundled demos: file under datasets/ → the name the studio shows (src/ui/mod.rs DEMOS). */
export const DEMOS = {
  'iris.csv': 'Iris',
  'wine.csv': 'Wine',
  'breast_cancer.csv': 'Breast Cancer Wisconsin (Diagnostic)',
  'digits.csv': 'Optical Digits (8×8)',
  'penguins.csv': 'Palmer Penguins',
  'fortunes.csv': 'Fortunes (text)',
};

/** Wait until no request is being worked on. */
export async function settled(page) {
  await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.dataset.busy === 'false');
}

/** The row of the sample on screen (its `data-row`). */
export const row = (page) => page.locator('[data-testid=query]').getAttribute('data-row');

/** Wait until the studio counts `n` labels and is idle. */
export async function labelsAre(page, n) {
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=labels-count]')?.textContent === String(n)
      && document.querySelector('[data-testid=status]')?.dataset.busy === 'false',
    n,
    { timeout: 60_000 },
  );
}

/**
 * Open the bundled demo `file` from the demo cards (start page or studio) and wait for its first
 * sample, its seed labels and an idle studio.
 */
export async function openDemo(page, file = 'iris.csv', { timeout = 60_000 } = {}) {
  const name = DEMOS[file];
  if (!name) throw new Error(`${file} is not a bundled demo`);
  const card = page.locator(`[data-testid=demo-card][data-file="${file}"]`);
  await card.waitFor({ timeout });
  await card.click();
  await page.waitForFunction(
    (n) => document.querySelector('[data-testid=dataset-name]')?.textContent === n
      && document.querySelector('[data-testid=query]') !== null
      && document.querySelector('[data-testid=status]')?.dataset.busy === 'false',
    name,
    { timeout },
  );
  await page.locator('[data-testid=class-button]').first().waitFor({ timeout });
}

/**
 * With answers kept in memory only, opening another project asks first: open another demo from
 * the start page, check that a confirm whose text matches `message` appears, cancel it and go back
 * to the project (named `project`).
 */
export async function cancelOpeningAnother(page, message, project = 'Iris') {
  const asked = page.waitForEvent('dialog');
  await page.click('[data-testid=home-button]');
  // The click returns once the dialog is answered.
  const clicked = page.locator('[data-testid=demo-card][data-file="wine.csv"]').click();
  const confirm = await asked;
  assert.equal(confirm.type(), 'confirm');
  assert.match(confirm.message(), message);
  await confirm.dismiss();
  await clicked;
  await page.locator('[data-testid=resume]').click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=dataset-name]')?.textContent === n, project);
}

/** Closing the tab brings up the browser's "Leave site?" dialog; cancel it: the page stays open. */
export async function cancelClosingTab(page) {
  const leaving = page.waitForEvent('dialog');
  await page.close({ runBeforeUnload: true });
  const unload = await leaving;
  assert.equal(unload.type(), 'beforeunload');
  await unload.dismiss();
  assert.equal(page.isClosed(), false);
  // The page answers again before anything else happens to it: closing the context right after a
  // dismissed beforeunload once took the whole browser down (CI, persistence.test.mjs).
  await page.waitForFunction(() => document.readyState === 'complete');
}
