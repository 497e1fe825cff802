import { Osprey } from '@osprey/sdk';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, launchBrowser } from '../support/browser';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// The dashboard needs a session: the first admin comes from these variables.
const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };
const ADMIN_ENV = { OSPREY_ADMIN_EMAIL: ADMIN.email, OSPREY_ADMIN_PASSWORD: ADMIN.password };

let osprey: OspreyProcess;
let browser: Browser;

beforeAll(async () => {
  [osprey, browser] = await Promise.all([startOsprey({ env: ADMIN_ENV }), launchBrowser()]);
});

async function signedInPage(url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 480 } });
  await page.goto(`${url}/login`);
  await page.fill('input[name=email]', ADMIN.email);
  await page.fill('input[name=password]', ADMIN.password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${url}/`);
  return page;
}
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

  const page = await signedInPage(osprey.url);
  const churn = page.locator('[data-testid="model-row"][data-model="churn"]');
  await expect.poll(() => churn.getByTestId('version').allInnerTexts()).toEqual(['v3', 'v4']);
  expect(await churn.getByTestId('events').innerText()).toBe('250');
  expect(await churn.getByTestId('error-rate').innerText()).toBe('0%');
  // The exact p95 of latencies 10…19 (25 each) is 19; the Overview's sketch is within 1%.
  const p95 = Number((await churn.getByTestId('p95').innerText()).replace(' ms', ''));
  expect(Math.abs(p95 - 19) / 19).toBeLessThan(0.01);
  const fraud = page.locator('[data-testid="model-row"][data-model="fraud"]');
  expect(await fraud.getByTestId('events').innerText()).toBe('1');
  expect(await fraud.getByTestId('error-rate').innerText()).toBe('100.0%');
  await page.screenshot({ path: `${SCREENSHOT_DIR}/models-page.png` });
});

it('shows the demo model after `osprey start --demo`, as the quick start promises', async () => {
  const demo = await startOsprey({
    args: ['start', '--demo'],
    env: { ...ADMIN_ENV, OSPREY_DEMO_RATE: '50', OSPREY_DETECTOR_INTERVAL_SECONDS: '2' },
  });
  try {
    const page = await signedInPage(demo.url);
    const row = page.locator('[data-testid="model-row"][data-model="house-prices"]');
    // A day of history (20,000 predictions) loads through the SDK, then live traffic follows.
    const events = async () => {
      await page.goto(demo.url);
      if ((await row.count()) === 0) return 0;
      return Number((await row.getByTestId('events').getAttribute('title'))!.replaceAll(',', ''));
    };
    await expect.poll(events, { timeout: 60_000, interval: 1_000 }).toBeGreaterThan(20_000);
    // Live traffic comes from the production version, v1 (v2 is the shadow candidate).
    expect(await row.getByTestId('version').allInnerTexts()).toEqual(['v1']);
    expect(await row.getByTestId('production-version').innerText()).toBe('v1');
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

    // The model page draws the backfilled day: drift per hour window, performance from labels.
    // (The backfill goes on after the first windows: wait until most of the day is drawn.)
    await page.setViewportSize({ width: 1440, height: 900 });
    const windows = async () => {
      await page.goto(`${demo.url}/models/house-prices`);
      return Number(await page.getByTestId('drift-heatmap').getAttribute('data-windows'));
    };
    await expect.poll(windows, { timeout: 120_000, interval: 2_000 }).toBeGreaterThanOrEqual(20);
    // Recharts draws on the client once its container is measured: wait for the line.
    await expect
      .poll(() => page.getByTestId('chart-mae').locator('.recharts-line').count())
      .toBe(1);
    await page.screenshot({ path: `${SCREENSHOT_DIR}/demo-model.png`, fullPage: true });
  } finally {
    await demo.stop();
  }
  // The demo loads a day of history and backfills the detectors (the polls above allow for it):
  // on 2 shared cores that alone can pass the suite's default 60 s.
}, 300_000);
