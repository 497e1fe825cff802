import { Osprey } from '@osprey/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, launchBrowser } from '../support/browser';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

let osprey: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [osprey, browser] = await Promise.all([startOsprey(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
});

it('lists logged models in a real browser, with their versions and counts', async () => {
  const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
  for (let i = 0; i < 250; i++) {
    client.log({
      model: 'churn',
      version: i < 200 ? 'v3' : 'v4',
      features: { tenure: i },
      prediction: 0.1,
      latency_ms: 10 + (i % 10),
    });
  }
  client.log({
    model: 'fraud',
    version: '2026.11',
    features: { amount: 3 },
    error: 'model not loaded',
    latency_ms: 1,
  });
  await client.close(10_000);

  const page = await browser.newPage({ viewport: { width: 1280, height: 480 } });
  await page.goto(osprey.url);
  const churn = page.locator('[data-testid="model-row"][data-model="churn"]');
  await expect.poll(() => churn.locator('.version').allInnerTexts()).toEqual(['v3', 'v4']);
  const cells = await churn.locator('td').allInnerTexts();
  expect(cells.slice(2, 6)).toEqual(['250', '250', '0.00%', '19.0 ms']);
  const fraud = await page
    .locator('[data-testid="model-row"][data-model="fraud"] td')
    .allInnerTexts();
  expect(fraud.slice(2, 5)).toEqual(['1', '1', '100.0%']);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/models-page.png` });
});

it('shows the demo model after `osprey start --demo`, as the quick start promises', async () => {
  const demo = await startOsprey({
    args: ['start', '--demo'],
    env: { OSPREY_DEMO_RATE: '50', OSPREY_DETECTOR_INTERVAL_SECONDS: '2' },
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 480 } });
    const row = page.locator('[data-testid="model-row"][data-model="house-prices"]');
    // A day of history (20,000 predictions) loads through the SDK, then live traffic follows.
    const events = async () => {
      await page.goto(demo.url);
      if ((await row.count()) === 0) return 0;
      return Number((await row.locator('td').nth(2).innerText()).replaceAll(',', ''));
    };
    await expect.poll(events, { timeout: 60_000, interval: 1_000 }).toBeGreaterThan(20_000);
    expect(await row.locator('.version').allInnerTexts()).toEqual(['v1', 'v2']);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/demo.png` });

    // The scheduler backfills the day of history: drift against the logged reference dataset,
    // latency, and performance from the labels, all through the API.
    const latest = async (detector: string) => {
      const res = await fetch(`${demo.url}/api/v1/models/house-prices/${detector}`, {
        headers: { authorization: `Bearer ${demo.apiKey}` },
      });
      return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
    };
    await expect
      .poll(() => latest('performance'), { timeout: 120_000, interval: 2_000 })
      .toBeDefined();
    const drift = (await latest('drift')) as {
      reference: { source: string; reference_id: string; size: number };
      features: { feature: string; drift: boolean | null }[];
    };
    expect(drift.reference).toMatchObject({
      source: 'dataset',
      reference_id: 'v1-validation',
      size: 5_000,
    });
    expect(drift.features.map((f) => f.feature)).toContain('area_sqm');
    expect(drift.features.every((f) => typeof f.drift === 'boolean')).toBe(true);
    expect(await latest('latency')).toMatchObject({ p95: expect.any(Number) });
    expect(await latest('performance')).toMatchObject({
      task: 'regression',
      labelled: expect.any(Number),
      metrics: { mae: expect.any(Number), r2: expect.any(Number) },
    });
  } finally {
    await demo.stop();
  }
});
