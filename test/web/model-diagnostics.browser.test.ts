import { Osprey } from '@osprey/sdk';
import { expect, it } from 'vitest';
import { SCREENSHOT_DIR, overflowsSideways } from '../support/browser';
import { liveOsprey } from '../support/live-osprey';

// The diagnostics of a binary classifier whose 'apac' traffic it gets wrong and of a regression
// model: the API's answer, then the page reached from the model page, showing the same numbers.
const CLASSIFIER = 'diag-loans';
const REGRESSION = 'diag-prices';
const MULTICLASS = 'diag-cards';
const CARDS = ['gold', 'platinum', 'standard'];
const HOUR = 3_600_000;
const H0 = Math.floor(Date.now() / HOUR) * HOUR;
const FROM = new Date(H0 - 2 * HOUR).toISOString();
const TO = new Date(H0 + HOUR).toISOString();
const RANGE = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;
const N = 600;

/** Deterministic values in [0, 1) that look random. */
const unit = (i: number) => {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x);
};
/** A deterministic standard normal (Box–Muller). */
const normal = (i: number) =>
  Math.sqrt(-2 * Math.log(1 - unit(2 * i))) * Math.cos(2 * Math.PI * unit(2 * i + 1));
const regionOf = (i: number) => ['eu', 'us', 'apac'][i % 3]!;

interface Diagnostics {
  task: string;
  labelled: number;
  confusion_matrix: { labels: string[]; matrix: number[][] } | null;
  curves: { roc_auc: number; thinned: { points: number } } | null;
  class_curves: { classes: { label: string }[]; roc_auc_macro: number } | null;
  residuals: { counts: number[] } | null;
  segments: { rows: { key: string; value: string; n: number; worse_by: number }[] };
}

async function diagnostics(model: string, query = RANGE): Promise<Response> {
  return fetch(`${live.osprey.url}/api/v1/models/${model}/diagnostics?${query}`, {
    headers: { authorization: `Bearer ${live.osprey.apiKey}` },
  });
}

const live = liveOsprey({
  timeout: 180_000,
  setup: async () => {
    const client = new Osprey({ url: live.osprey.url, apiKey: live.osprey.apiKey });
    for (let i = 0; i < N; i++) {
      const region = regionOf(i);
      const timestamp = H0 - 2 * HOUR + Math.floor((i * 2 * HOUR) / N);
      const label = unit(i + N) < 0.4 ? 1 : 0;
      // A fair classifier, except in apac, where its scores carry much less signal.
      const signal = region === 'apac' ? 0.4 : 2.5;
      const score = 1 / (1 + Math.exp(-((2 * label - 1) * signal + normal(i))));
      const id = client.log({
        model: CLASSIFIER,
        version: 'v1',
        timestamp,
        features: { amount: 100 * unit(i) },
        prediction: score,
        tags: { region },
      });
      client.logLabel({ model: CLASSIFIER, event_id: id, label });
      const price = 1000 + 500 * unit(i + 1);
      const priced = client.log({
        model: REGRESSION,
        version: 'v1',
        timestamp,
        features: { area: 40 + 100 * unit(i) },
        prediction: price,
        tags: { region },
      });
      if (i < 400) {
        client.logLabel({
          model: REGRESSION,
          event_id: priced,
          label: price + (region === 'us' ? 40 : 8) * normal(i + 3 * N),
        });
      }
    }
    // A three-class model that logs only its probability vectors (classes in sorted order).
    for (let i = 0; i < 300; i++) {
      const truth = i % 3;
      const logits = CARDS.map((_, k) => (k === truth ? 1.5 : 0) + normal(i * 3 + k + 5 * N));
      const total = logits.reduce((a, x) => a + Math.exp(x), 0);
      const id = client.log({
        model: MULTICLASS,
        version: 'v1',
        timestamp: H0 - 2 * HOUR + i * 20_000,
        features: { spend: 100 * unit(i + 2 * N) },
        prediction: logits.map((x) => Math.exp(x) / total),
      });
      client.logLabel({ model: MULTICLASS, event_id: id, label: CARDS[truth]! });
    }
    await client.close(30_000);
  },
});

it('answers a classifier diagnosis over a range, and refuses bad input naming the field', async () => {
  const res = await diagnostics(CLASSIFIER);
  expect(res.status).toBe(200);
  const d = (await res.json()) as Diagnostics;
  expect(d.task).toBe('binary');
  expect(d.labelled).toBe(N);
  expect(d.confusion_matrix!.matrix.flat().reduce((a, b) => a + b, 0)).toBe(N);
  expect(d.curves!.roc_auc).toBeGreaterThan(0.5);
  expect(d.segments.rows[0]).toMatchObject({ key: 'region', value: 'apac', n: N / 3 });
  expect(d.segments.rows[0]!.worse_by).toBeGreaterThan(0.05);

  const bad = await diagnostics(CLASSIFIER, `${RANGE}&segment=eu`);
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({ error: 'segment: must be key=value, e.g. region=eu' });
  const long = await diagnostics(CLASSIFIER, `from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`);
  expect(long.status).toBe(400);
  expect(await long.json()).toEqual({ error: 'from: the range may span at most 31 days' });
  const anonymous = await fetch(`${live.osprey.url}/api/v1/models/${CLASSIFIER}/diagnostics`);
  expect(anonymous.status).toBe(401);
}, 60_000);

it('reaches the diagnostics from the model page and shows the API numbers', async () => {
  const d = (await (await diagnostics(CLASSIFIER)).json()) as Diagnostics;
  for (const width of [1280, 1440]) {
    const page = await live.page(width);
    await page.goto(`${live.osprey.url}/models/${CLASSIFIER}?${RANGE}`);
    await page.getByRole('link', { name: 'diagnostics' }).click();
    await page.waitForURL(/\/models\/diag-loans\/diagnostics\?/);
    const cells = await page
      .getByTestId('confusion-cell')
      .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-count'))));
    expect(cells).toEqual(d.confusion_matrix!.matrix.flat());
    for (const chart of ['roc-curve', 'pr-curve', 'calibration-curve']) {
      await expect
        .poll(() => page.getByTestId(chart).locator('path.recharts-curve').count())
        .toBeGreaterThan(0);
    }
    const first = page.getByTestId('segment-row').first();
    expect(await first.locator('td').nth(1).textContent()).toBe('apac');
    expect(await first.locator('td').nth(4).getAttribute('data-tone')).toBe('bad');
    expect(await overflowsSideways(page)).toBe(false);
    await page.screenshot({
      path: `${SCREENSHOT_DIR}/model-diagnostics-${width}.png`,
      fullPage: true,
    });
    await page.close();
  }
}, 120_000);

it('shows a regression model residuals, its predicted-vs-actual density and MAE per segment', async () => {
  const d = (await (await diagnostics(REGRESSION)).json()) as Diagnostics;
  expect(d.task).toBe('regression');
  expect(d.labelled).toBe(400);
  expect(d.segments.rows[0]).toMatchObject({ key: 'region', value: 'us' });
  const page = await live.page(1280);
  await page.goto(`${live.osprey.url}/models/${REGRESSION}/diagnostics?${RANGE}`);
  expect(await page.getByTestId('residuals').getAttribute('data-bins')).toBe(
    String(d.residuals!.counts.length),
  );
  await expect
    .poll(() => page.getByTestId('residuals').locator('.recharts-bar-rectangle').count())
    .toBeGreaterThan(0);
  expect(await page.getByTestId('predicted-vs-actual').locator('span').count()).toBe(400);
  expect(await page.getByTestId('confusion-matrix').count()).toBe(0);
  await page.screenshot({
    path: `${SCREENSHOT_DIR}/model-diagnostics-regression.png`,
    fullPage: true,
  });
  await page.close();
}, 60_000);

it('draws a multiclass model one-vs-rest curves from its probability vectors', async () => {
  const d = (await (await diagnostics(MULTICLASS)).json()) as Diagnostics;
  expect(d.task).toBe('multiclass');
  expect(d.labelled).toBe(300);
  // The predicted class is the entry of highest probability, so the matrix covers every row.
  expect(d.confusion_matrix!.labels).toEqual(CARDS);
  expect(d.confusion_matrix!.matrix.flat().reduce((a, b) => a + b, 0)).toBe(300);
  expect(d.class_curves!.classes.map((c) => c.label)).toEqual(CARDS);
  expect(d.class_curves!.roc_auc_macro).toBeGreaterThan(0.6);
  const page = await live.page(1280);
  await page.goto(`${live.osprey.url}/models/${MULTICLASS}/diagnostics?${RANGE}`);
  expect(await page.getByTestId('class-curves').getAttribute('data-classes')).toBe('3');
  for (const chart of ['roc-curve', 'pr-curve', 'calibration-curve']) {
    await expect.poll(() => page.getByTestId(chart).locator('path.recharts-curve').count()).toBe(3);
  }
  expect(await overflowsSideways(page)).toBe(false);
  await page.screenshot({
    path: `${SCREENSHOT_DIR}/model-diagnostics-multiclass.png`,
    fullPage: true,
  });
  await page.close();
}, 60_000);
