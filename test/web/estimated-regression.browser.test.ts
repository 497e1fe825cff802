import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, overflowsSideways } from '../support/browser';
import { liveOsprey } from '../support/live-osprey';
import { api, postAll } from '../support/upload';

// DLE end to end: a regression model's labelled reference through POST /v1/reference, unlabelled
// windows through POST /v1/predictions, POST …/detect, then the estimate through the API and on
// the model page. The model's error grows with x (|y − 2x| ≈ x/2 on average), so windows of small
// x have a smaller MAE than any part of the reference: DLE says so without a single label. Labels
// come for the first window only, which then shows its realized MAE beside the estimate.
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const MODEL = 'house-prices';

const live = liveOsprey();

/** Row i's x in [lo, hi) and its label 2x + e, |e| ≈ x/2 on average (deterministic). */
const row = (i: number, lo: number, hi: number) => {
  const x = lo + (((i * 7919) % 1000) / 1000) * (hi - lo);
  const noise = ((((i * 104729) % 997) / 997) * 2 - 1) * x;
  return { x, prediction: 2 * x, label: 2 * x + noise };
};

describe('estimated performance (DLE) on the model page', () => {
  it('estimates MAE without labels, alerts on windows of smaller error, and draws them', async () => {
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/reference',
      Array.from({ length: 1_000 }, (_, i) => {
        const r = row(i, 0, 10);
        return {
          model: MODEL,
          version: 'v1',
          reference_id: 'validation',
          features: { x: r.x, region: i % 2 ? 'north' : 'south' },
          prediction: r.prediction,
          label: r.label,
          timestamp: T0 - HOUR + i,
        };
      }),
    );
    // Two windows like the reference, then two of small x (small errors).
    const ids = Array.from({ length: 4 * 300 }, () => randomUUID());
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/predictions',
      ids.map((event_id, i) => {
        const w = Math.floor(i / 300);
        const r = row(i, 0, w < 2 ? 10 : 2);
        return {
          event_id,
          model: MODEL,
          version: 'v1',
          timestamp: T0 + w * HOUR + (i % 300) * 10_000,
          features: { x: r.x, region: i % 2 ? 'north' : 'south' },
          prediction: r.prediction,
          latency_ms: 5,
        };
      }),
    );
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/labels',
      ids
        .slice(0, 300)
        .map((event_id, i) => ({ model: MODEL, event_id, label: row(i, 0, 10).label })),
    );
    const detected = await api<{ windows: { estimated_performance: unknown }[] }>(
      live.osprey.url,
      live.osprey.apiKey,
      'POST',
      `/api/v1/models/${MODEL}/detect`,
      { from: new Date(T0).toISOString(), to: new Date(T0 + 4 * HOUR).toISOString() },
    );
    expect(detected.status).toBe(200);
    expect(detected.body.windows).toHaveLength(4);

    const latest = await api<{
      method: string;
      rows: number;
      metrics: Record<string, { value: number; alert: boolean; lower_threshold: number }>;
    }>(live.osprey.url, live.osprey.apiKey, 'GET', `/api/v1/models/${MODEL}/estimated-performance`);
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ method: 'dle', rows: 300 });
    // x in [0, 2): |error| averages about 0.5, far below the reference's ≈ 2.5.
    expect(latest.body.metrics.mae!.value).toBeLessThan(latest.body.metrics.mae!.lower_threshold);
    expect(latest.body.metrics.mae!.alert).toBe(true);
    const first = await api<{ labelled: number; metrics: Record<string, { realized: number }> }>(
      live.osprey.url,
      live.osprey.apiKey,
      'GET',
      `/api/v1/models/${MODEL}/estimated-performance?from=${new Date(T0).toISOString()}&to=${new Date(T0 + HOUR).toISOString()}`,
    );
    expect(first.body.labelled).toBe(300);
    expect(first.body.metrics.mae!.realized).toBeCloseTo(2.5, 0);

    for (const width of [1280, 1440]) {
      const page = await live.page(width);
      await page.goto(
        `${live.osprey.url}/models/${MODEL}?from=${new Date(T0 - HOUR).toISOString()}&to=${new Date(T0 + 5 * HOUR).toISOString()}`,
      );
      const panel = page.getByTestId('estimated-regression');
      await expect.poll(() => panel.count(), { timeout: 20_000 }).toBe(1);
      expect(await page.getByTestId('estimated-regression-alerts').innerText()).toBe(
        '2 of 4 windows outside the thresholds',
      );
      expect(await page.getByTestId('chart-estimated-mae').count()).toBe(1);
      expect(await page.getByTestId('chart-estimated-rmse').count()).toBe(1);
      expect(await overflowsSideways(page)).toBe(false);
      await panel.scrollIntoViewIfNeeded();
      await panel.screenshot({ path: `${SCREENSHOT_DIR}/estimated-regression-${width}.png` });
      await page.close();
    }
  }, 180_000);
});
