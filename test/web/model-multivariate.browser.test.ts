import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, overflowsSideways } from '../support/browser';
import { liveOsprey } from '../support/live-osprey';
import { api, postAll } from '../support/upload';

// Multivariate drift on the model page, in a real browser against a real `osprey start`: two
// features whose relation flips (y follows x, then y follows 10 − x) while each keeps its own
// distribution — drift that only the joint view sees. The last three of six windows exceed the
// reference's thresholds, the API answers the stored document, and the panel says so.
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 7 * HOUR;
const WINDOWS = 6;
const ROWS = 300;
const SLOW = { timeout: 20_000 };

/** A spread of values in [0, 1) without randomness: the fractional part of i × an irrational. */
const spread = (i: number, step: number) => (i * step) % 1;
const features = (i: number, flipped: boolean) => {
  const x = 10 * spread(i, 0.6180339887);
  const noise = spread(i, 0.4142135624) - 0.5;
  return { x, y: (flipped ? 10 - x : x) + noise, colour: ['red', 'green', 'blue'][i % 3] };
};

const live = liveOsprey({ env: { OSPREY_DETECTORS: 'off' } });

describe('multivariate drift on the model page', () => {
  it('charts the reconstruction error per window against the reference’s thresholds', async () => {
    const model = 'joint';
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/reference',
      Array.from({ length: 3_000 }, (_, i) => ({
        model,
        version: 'v1',
        reference_id: 'training',
        features: features(i, false),
        prediction: 1,
      })),
    );
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/predictions',
      Array.from({ length: WINDOWS * ROWS }, (_, i) => {
        const w = Math.floor(i / ROWS);
        return {
          event_id: randomUUID(),
          model,
          version: 'v1',
          timestamp: T0 + w * HOUR + (i % ROWS) * 10_000,
          features: features(i + 7, w >= 3),
          prediction: 1,
          latency_ms: 5,
        };
      }),
    );
    const detected = await api<{ windows: { multivariate_drift: { alert: boolean } }[] }>(
      live.osprey.url,
      live.osprey.apiKey,
      'POST',
      `/api/v1/models/${model}/detect`,
      { from: new Date(T0).toISOString(), to: new Date(T0 + WINDOWS * HOUR).toISOString() },
    );
    expect(detected.status).toBe(200);
    expect(detected.body.windows.map((w) => w.multivariate_drift.alert)).toEqual([
      false,
      false,
      false,
      true,
      true,
      true,
    ]);

    const last = { from: new Date(T0 + 5 * HOUR), to: new Date(T0 + 6 * HOUR) };
    const stored = await api<{ value: number; thresholds: { upper: number }; alert: boolean }>(
      live.osprey.url,
      live.osprey.apiKey,
      'GET',
      `/api/v1/models/${model}/multivariate-drift?from=${last.from.toISOString()}&to=${last.to.toISOString()}`,
    );
    expect(stored.status).toBe(200);
    expect(stored.body.alert).toBe(true);
    expect(stored.body.value).toBeGreaterThan(stored.body.thresholds.upper);

    const page = await live.page(1440);
    await page.goto(`${live.osprey.url}/models/${model}?range=24h`);
    const panel = page.getByTestId('multivariate');
    await expect
      .poll(() => panel.innerText(), SLOW)
      .toContain('3 of 6 windows outside the reference’s thresholds');
    expect(await panel.innerText()).toContain('3 features, ');
    expect(await page.getByTestId('chart-reconstruction-error').getAttribute('data-points')).toBe(
      String(WINDOWS),
    );
    expect(await overflowsSideways(page)).toBe(false);
    await panel.screenshot({ path: `${SCREENSHOT_DIR}/model-multivariate-1440.png` });
  }, 120_000);
});
