import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, overflowsSideways } from '../support/browser';
import { liveOsprey } from '../support/live-osprey';
import { api, postAll } from '../support/upload';

// The model page's data-quality row in a real browser against a real `osprey start`: four hour
// windows, the last two with a feature logged as null in a fifth of the events and a colour the
// reference never had; the row is red exactly there, and GET …/quality answers the window's report.
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const SLOW = { timeout: 20_000 };
const COLOURS = ['red', 'green', 'blue'];

const live = liveOsprey();

const features = (i: number, broken: boolean) => ({
  x: broken && i % 5 === 0 ? null : i % 40,
  colour: broken && i % 10 === 1 ? 'purple' : COLOURS[i % 3]!,
  member: i % 2 === 0,
});

describe('the model page’s data quality', () => {
  it('marks the windows whose quality checks alerted, and names the checks', async () => {
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/reference',
      Array.from({ length: 1_500 }, (_, i) => ({
        model: 'quality',
        version: 'v1',
        reference_id: 'validation',
        features: features(i, false),
        prediction: i % 7,
      })),
    );
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/predictions',
      Array.from({ length: 4 * 200 }, (_, i) => {
        const w = Math.floor(i / 200);
        return {
          event_id: randomUUID(),
          model: 'quality',
          version: 'v1',
          timestamp: T0 + w * HOUR + (i % 200) * 15_000,
          features: features(i, w >= 2),
          prediction: i % 7,
          latency_ms: 5,
        };
      }),
    );
    const detected = await api<{ windows: { quality: { features_with_alerts: number } }[] }>(
      live.osprey.url,
      live.osprey.apiKey,
      'POST',
      '/api/v1/models/quality/detect',
      { from: new Date(T0).toISOString(), to: new Date(T0 + 4 * HOUR).toISOString() },
    );
    expect(detected.status).toBe(200);
    expect(detected.body.windows.map((w) => w.quality.features_with_alerts)).toEqual([0, 0, 2, 2]);

    const last = {
      from: new Date(T0 + 3 * HOUR).toISOString(),
      to: new Date(T0 + 4 * HOUR).toISOString(),
    };
    const report = await api<{
      rows_with_problems: { value: number; alert: boolean };
      features: {
        feature: string;
        missing_rate: { value: number };
        unseen_rate: { value: number } | null;
      }[];
    }>(
      live.osprey.url,
      live.osprey.apiKey,
      'GET',
      `/api/v1/models/quality/quality?from=${last.from}&to=${last.to}`,
    );
    expect(report.status).toBe(200);
    expect(report.body.rows_with_problems).toMatchObject({ value: 0.3, alert: true });
    const x = report.body.features.find((f) => f.feature === 'x')!;
    expect(x.missing_rate.value).toBe(0.2);
    const colour = report.body.features.find((f) => f.feature === 'colour')!;
    expect(colour.unseen_rate!.value).toBe(0.1);

    const page = await live.page(1280);
    await page.goto(`${live.osprey.url}/models/quality?range=24h&feature=x`);
    const row = page.getByTestId('quality-row');
    await expect.poll(() => row.count(), SLOW).toBe(1);
    const cells = row.locator('[data-status]');
    expect(await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).toEqual(
      ['ok', 'ok', 'alert', 'alert'],
    );
    const title = (await cells.last().getAttribute('title')) ?? '';
    expect(title).toContain('30.0% of 200 rows with a problem');
    expect(title).toContain('x missing_rate');
    expect(title).toContain('colour unseen_rate');
    expect(await overflowsSideways(page)).toBe(false);
    await page.getByTestId('drift').screenshot({ path: `${SCREENSHOT_DIR}/model-quality-row.png` });
    await page.close();
  }, 180_000);
});
