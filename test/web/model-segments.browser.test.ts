import { Osprey } from '@osprey/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SCREENSHOT_DIR, launchBrowser, adminEnv, signedInPage } from '../support/browser';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// A demo-like model with `region` configured as a segment: picking region = eu-west in the model
// page's filter puts the segment in the URL, and every panel (stat cards, traffic series, drift
// heatmap and its reference, performance) answers for eu-west as the API does for that segment.
const MODEL = 'segment-shop';
const HOUR = 3_600_000;
/** Four closed hourly windows: [H0 − 4 h, H0). */
const H0 = Math.floor(Date.now() / HOUR) * HOUR;
const WINDOWS = [4, 3, 2, 1].map((k) => ({ from: H0 - k * HOUR, to: H0 - (k - 1) * HOUR }));
const N = 800;

let osprey: OspreyProcess;
let browser: Browser;

/** Deterministic values in [0, 1). */
const unit = (i: number) => ((i * 7919 + 13) % 1000) / 1000;
const regionOf = (i: number) => (i % 5 < 3 ? 'eu-west' : 'us-east');

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${osprey.url}/api/v1/models/${MODEL}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${osprey.apiKey}`,
      'content-type': 'application/json',
      ...init?.headers,
    },
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

beforeAll(async () => {
  [osprey, browser] = await Promise.all([
    startOsprey({
      env: adminEnv({
        // Windows are detected below, once every prediction and label is in.
        OSPREY_DETECTORS: 'off',
      }),
    }),
    launchBrowser(),
  ]);
  await api('/settings', { method: 'PUT', body: JSON.stringify({ segments: ['region'] }) });
  const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
  await client.logReference(
    MODEL,
    'v1',
    Array.from({ length: 500 }, (_, i) => ({
      features: { rooms: 1 + (i % 6), area: 40 + 100 * unit(i) },
      prediction: 1000 + 10 * unit(i),
      tags: { region: regionOf(i) },
    })),
    { referenceId: 'validation' },
  );
  for (let i = 0; i < N; i++) {
    const timestamp = H0 - 4 * HOUR + Math.floor((i * 4 * HOUR) / N);
    const region = regionOf(i);
    // eu-west's area moves far from its reference in the last window; us-east's does not.
    const shifted = region === 'eu-west' && timestamp >= H0 - HOUR;
    const area = 40 + 100 * unit(i) + (shifted ? 150 : 0);
    const failed = region === 'us-east' ? i % 10 === 1 : i % 50 === 0;
    const prediction = 1000 + 10 * unit(i + 1);
    const eventId = client.log({
      model: MODEL,
      version: 'v1',
      timestamp,
      features: { rooms: 1 + (i % 6), area },
      ...(failed ? { error: 'feature store timeout' } : { prediction }),
      latency_ms: (region === 'eu-west' ? 20 : 60) + (i % 10),
      tags: { region },
    });
    if (!failed && i % 2 === 0) {
      client.logLabel({
        model: MODEL,
        event_id: eventId,
        label: prediction + (region === 'eu-west' ? 5 : 40) * (unit(i + 2) - 0.5),
      });
    }
  }
  await client.close(30_000);
  for (const w of WINDOWS) {
    await api('/detect', {
      method: 'POST',
      body: JSON.stringify({
        from: new Date(w.from).toISOString(),
        to: new Date(w.to).toISOString(),
      }),
    });
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await osprey?.stop();
});

const pageAt = (width: number) => signedInPage(browser, osprey.url, width);

const digits = (s: string) => Number(s.replace(/[^0-9.]/g, ''));

it('picks region = eu-west and shows that segment in every panel, as the API does', async () => {
  const from = new Date(H0 - 5 * HOUR).toISOString();
  const to = new Date(H0).toISOString();
  const segment = 'segment=region%3Deu-west';
  const range = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const stats = await api<{ count: number; error_rate: number; latency_ms: { p95: number } }>(
    `/stats?${range}&tag=region&value=eu-west`,
  );
  const all = await api<{ count: number }>(`/stats?${range}`);
  expect(all.count).toBe(N);
  expect(stats.count).toBe((N * 3) / 5);

  for (const width of [1280, 1440]) {
    const page = await pageAt(width);
    await page.goto(`${osprey.url}/models/${MODEL}?${range}`);
    await page.getByTestId('segment-filter').locator('select').selectOption({
      label: 'region = eu-west',
    });
    await page.waitForURL((url) => url.searchParams.get('value') === 'eu-west');
    const url = new URL(page.url());
    expect(url.search).toContain('tag=region&value=eu-west');
    expect(url.searchParams.get('tag')).toBe('region');

    // Stat cards: the segment's count, error rate and p95 (DDSketch, within 1% of the exact one).
    const events = page.getByTestId('kpi-events');
    await expect.poll(() => events.innerText()).toContain('in region = eu-west');
    expect(await events.innerText()).toContain(`${stats.count.toLocaleString('en-US')} in`);
    const errorRate = await page.getByTestId('kpi-error-rate').innerText();
    expect(errorRate).toContain(`${(stats.error_rate * 100).toFixed(2)}%`);
    const p95 = digits((await page.getByTestId('kpi-p95').innerText()).split('\n')[1]!);
    expect(Math.abs(p95 - stats.latency_ms.p95) / stats.latency_ms.p95).toBeLessThan(0.01);

    // Series: the traffic panel counts the segment's predictions, not all traffic.
    expect(digits(await page.getByTestId('traffic-total').innerText())).toBe(stats.count);

    // Drift: four windows for the segment; the last one's `area` cell says what the API says,
    // against the segment's own reference rows.
    const heatmap = page.getByTestId('drift-heatmap');
    expect(await heatmap.getAttribute('data-windows')).toBe('4');
    const last = WINDOWS.at(-1)!;
    const window = `from=${new Date(last.from).toISOString()}&to=${new Date(last.to).toISOString()}`;
    const drift = await api<{
      reference: { size: number };
      features: { feature: string; drift: boolean | null }[];
    }>(`/drift?${window}&${segment}`);
    expect(drift.features.find((f) => f.feature === 'area')?.drift).toBe(true);
    expect(drift.reference.size).toBe(300);
    // The Drift card is the segment's latest report (eu-west's area drifted), not all traffic's.
    expect(await page.getByTestId('kpi-drift').innerText()).toMatch(/Drift\s+area/);
    const areaCells = page.locator(
      '[data-testid="heatmap-row"][data-feature="area"] [data-status]',
    );
    expect(await areaCells.count()).toBe(4);
    expect(await areaCells.last().getAttribute('data-status')).toBe('drift');
    expect(await page.getByTestId('drift').innerText()).toContain('dataset validation (300 rows)');

    // Performance: the segment's labelled predictions over its four windows.
    const labelled = await Promise.all(
      WINDOWS.map((w) =>
        api<{ labelled: number }>(
          `/performance?from=${new Date(w.from).toISOString()}&to=${new Date(w.to).toISOString()}&${segment}`,
        ),
      ),
    );
    const total = labelled.reduce((n, p) => n + p.labelled, 0);
    expect(total).toBeGreaterThan(0);
    expect(await page.getByTestId('performance').innerText()).toContain(
      `${total.toLocaleString('en-US')} labelled predictions in 4 windows`,
    );
    await page.screenshot({ path: `${SCREENSHOT_DIR}/model-segment-${width}.png`, fullPage: true });
    await page.close();
  }
}, 120_000);

it('names the tags a model logs that are not segments yet, and an editor makes one a segment', async () => {
  const model = 'tagged-shop';
  const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
  for (let i = 0; i < 40; i++) {
    client.log({
      model,
      version: 'v1',
      timestamp: H0 - HOUR + i * 60_000,
      features: { rooms: 1 + (i % 6) },
      prediction: i,
      tags: { device: i % 2 ? 'ios' : 'android', campaign: `c${i % 3}` },
    });
  }
  await client.close(30_000);

  const page = await pageAt(1280);
  await page.goto(`${osprey.url}/models/${model}`);
  const hint = page.getByTestId('segment-hint');
  await expect.poll(() => hint.innerText()).toMatch(/Tags (device, campaign|campaign, device) are/);
  expect(await page.getByTestId('segment-filter').count()).toBe(0);
  await page.screenshot({ path: `${SCREENSHOT_DIR}/model-segment-hint-1280.png` });

  await page.getByTestId('segment-key-select').selectOption('device');
  await page.getByTestId('segment-key-add').click();
  const filter = page.getByTestId('segment-filter').locator('select');
  await expect.poll(() => filter.count(), { timeout: 20_000 }).toBe(1);
  expect(await page.getByTestId('segment-keys').innerText()).toContain('Segments: device');
  expect(await filter.locator('option').allInnerTexts()).toEqual(
    expect.arrayContaining(['device = ios', 'device = android']),
  );
  const res = await fetch(`${osprey.url}/api/v1/models/${model}/settings`, {
    headers: { authorization: `Bearer ${osprey.apiKey}` },
  });
  expect(((await res.json()) as { segments: string[] }).segments).toEqual(['device']);
  await page.close();
}, 60_000);
