import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, adminEnv, launchBrowser, signIn } from '../support/browser';
import { MANY_FEATURES, logManyFeatureModel } from '../support/many-features';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// Issue #13 row 8, the dashboard half: a model with 2,000 features (the contract's limit per
// event), a reference and three hours, drift detected through the API. Its page used to send
// every feature's cells (6.2 MB of HTML at 2,000 features); now the heatmap holds the 50 most
// drifted and a search finds any other on the server.
const MODEL = 'many-features';
/** The page's HTML at most; it was 6,180,302 bytes before the heatmap was bounded. */
const MAX_HTML_BYTES = 1_000_000;

let osprey: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [osprey, browser] = await Promise.all([
    startOsprey({
      env: adminEnv(),
    }),
    launchBrowser(),
  ]);
  await logManyFeatureModel(osprey, MODEL);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
});

const heatmapRows = (page: Page) =>
  page
    .getByTestId('heatmap-row')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-feature')));
const lastCellOf = (page: Page, feature: string) =>
  page
    .locator(`[data-testid="heatmap-row"][data-feature="${feature}"] a[data-status]`)
    .last()
    .getAttribute('data-status');
/** Wider content than the window scrolls the whole page sideways: it must not. */
const overflowsSideways = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth > window.innerWidth');
const SLOW = { timeout: 15_000 };

it('serves the model page of 2,000 features small, most drifted first, each feature findable', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signIn(page, osprey.url);

  const response = await page.goto(`${osprey.url}/models/${MODEL}`);
  expect(response!.status()).toBe(200);
  expect((await response!.body()).byteLength).toBeLessThan(MAX_HTML_BYTES);

  // 50 feature rows, the two that drifted in the last hour first (the far shift before the
  // half-way one), then the prediction; the dataset row on top.
  const rows = await heatmapRows(page);
  expect(rows).toHaveLength(1 + 50 + 1);
  expect(rows.slice(0, 3)).toEqual([
    'Dataset',
    MANY_FEATURES.mostDrifted,
    MANY_FEATURES.alsoDrifted,
  ]);
  expect(rows.at(-1)).toBe('prediction');
  expect(await lastCellOf(page, MANY_FEATURES.mostDrifted)).toBe('drift');
  expect(await lastCellOf(page, MANY_FEATURES.alsoDrifted)).toBe('drift');
  expect(await lastCellOf(page, rows[3]!)).toBe('ok');
  expect(await page.getByTestId('feature-search-note').innerText()).toBe(
    'The 50 most drifted of 2,000 features: search for any other',
  );
  // The drill-down opens on the most drifted feature.
  expect(await page.getByTestId('drilldown').getAttribute('data-feature')).toBe(
    MANY_FEATURES.mostDrifted,
  );
  expect(await overflowsSideways(page)).toBe(false);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/many-features-model.png`, fullPage: true });

  // A feature far from the top rows, found by name, then opened.
  await page.getByRole('searchbox', { name: 'Find a feature by name' }).fill('n_0999');
  await page.getByRole('button', { name: 'Find' }).click();
  await page.waitForURL(/q=n_0999/);
  await expect.poll(() => heatmapRows(page), SLOW).toEqual(['Dataset', 'n_0999', 'prediction']);
  expect(await page.getByTestId('feature-search-note').innerText()).toContain(
    '1 of 2,000 features match “n_0999”',
  );
  await page.getByTestId('feature-link').filter({ hasText: 'n_0999' }).click();
  await page.waitForURL(/feature=n_0999/);
  await expect
    .poll(() => page.getByTestId('drilldown').getAttribute('data-feature'), SLOW)
    .toBe('n_0999');
  expect(new URL(page.url()).searchParams.get('q')).toBe('n_0999');

  // The longest name the contract takes: cut on its row, whole in the row's title.
  await page.getByRole('searchbox', { name: 'Find a feature by name' }).fill('c_0999');
  await page.getByRole('button', { name: 'Find' }).click();
  await page.waitForURL(/q=c_0999/);
  const long = page.getByTestId('feature-link').filter({ hasText: 'c_0999' });
  await expect.poll(() => long.count(), SLOW).toBe(1);
  expect(await long.getAttribute('title')).toBe(`${MANY_FEATURES.longName} (categorical)`);
  const label = await long.boundingBox();
  expect(label!.width).toBeLessThanOrEqual(240);
  expect(await overflowsSideways(page)).toBe(false);
  await context.close();
});

it('cuts 1,024-character categories short under the histogram, whole on hover', async () => {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await signIn(page, osprey.url);
  const response = await page.goto(
    `${osprey.url}/models/${MODEL}?feature=${MANY_FEATURES.longCategory}`,
  );
  expect((await response!.body()).byteLength).toBeLessThan(MAX_HTML_BYTES);
  const drill = page.getByTestId('drilldown');
  expect(await drill.getAttribute('data-feature')).toBe(MANY_FEATURES.longCategory);
  const labels = drill.getByTestId('bin-label');
  await expect.poll(() => labels.count(), SLOW).toBeGreaterThan(0);
  // Each label is <text><title>the whole category</title>the cut one</text>.
  const shown = await labels.evaluateAll((ls) =>
    ls.map((l) => {
      const full = l.querySelector('title')?.textContent ?? '';
      return { full, text: (l.textContent ?? '').slice(full.length) };
    }),
  );
  for (const { text, full } of shown) {
    expect(full).toHaveLength(1_024);
    expect(Array.from(text).length).toBeLessThanOrEqual(16);
    expect(text.endsWith('…')).toBe(true);
    expect(full.startsWith(text.slice(0, -1))).toBe(true);
  }
  expect(await overflowsSideways(page)).toBe(false);
  await drill.screenshot({ path: `${SCREENSHOT_DIR}/many-features-long-categories.png` });
  await context.close();
});
