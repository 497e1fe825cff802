import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SCREENSHOT_DIR, overflowsSideways } from '../support/browser';
import { liveOsprey } from '../support/live-osprey';
import { api, postAll } from '../support/upload';

// CBPE end to end through a real `osprey start`: a labelled reference through POST /v1/reference,
// unlabelled predictions, POST …/detect, the estimate from GET …/estimated-performance, and the
// model page's panel beside the realized performance of the windows that got labels. The rows are
// NannyML's car-loan data (detectors/fixtures/cbpe-car-loan.csv.gz): windows 1–2 from its
// undrifted first half, 3–4 from the second half, where its performance fell.
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const PER_WINDOW = 1_000;
const SLOW = { timeout: 20_000 };

const rows = gunzipSync(
  readFileSync(join(import.meta.dirname, '../../detectors/fixtures/cbpe-car-loan.csv.gz')),
)
  .toString('utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split(','))
  .map(([period, score, label]) => ({ period, score: Number(score), label: Number(label) }));
const reference = rows.filter((r) => r.period === 'r').slice(0, 10_000);
const analysis = rows.filter((r) => r.period === 'a');
const windowRows = [0, 1, 30, 31].map((k) => analysis.slice(k * PER_WINDOW, (k + 1) * PER_WINDOW));

const live = liveOsprey();

describe('estimated performance (CBPE)', () => {
  it('is estimated per window from a labelled reference, served by the API and drawn on the model page', async () => {
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/reference',
      reference.map((r, i) => ({
        model: 'loans',
        version: 'v1',
        reference_id: 'validation',
        timestamp: T0 - HOUR + i,
        features: { x: i % 10 },
        prediction: r.score,
        label: r.label,
      })),
    );
    const predictions = windowRows.flatMap((w, k) =>
      w.map((r, i) => ({
        event_id: randomUUID(),
        model: 'loans',
        version: 'v1',
        timestamp: T0 + k * HOUR + i * 1_000,
        features: { x: i % 10 },
        prediction: r.score,
        latency_ms: 3,
        label: r.label,
      })),
    );
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/predictions',
      predictions.map(({ label: _label, ...p }) => p),
    );
    // Labels for the first two windows only: the others are estimated without them.
    await postAll(
      live.osprey.url,
      live.osprey.apiKey,
      '/v1/labels',
      predictions
        .slice(0, 2 * PER_WINDOW)
        .map((p) => ({ model: 'loans', event_id: p.event_id, label: p.label })),
    );
    const detected = await api<{ windows: unknown[] }>(
      live.osprey.url,
      live.osprey.apiKey,
      'POST',
      '/api/v1/models/loans/detect',
      { from: new Date(T0).toISOString(), to: new Date(T0 + 4 * HOUR).toISOString() },
    );
    expect(detected.status).toBe(200);

    const window = (k: number) =>
      `from=${new Date(T0 + k * HOUR).toISOString()}&to=${new Date(T0 + (k + 1) * HOUR).toISOString()}`;
    type Doc = {
      task: string;
      rows: number;
      metrics: Record<string, { value: number; alert: boolean; lower_threshold: number }>;
    };
    const first = await api<Doc>(
      live.osprey.url,
      live.osprey.apiKey,
      'GET',
      `/api/v1/models/loans/estimated-performance?${window(0)}`,
    );
    const last = await api<Doc>(
      live.osprey.url,
      live.osprey.apiKey,
      'GET',
      `/api/v1/models/loans/estimated-performance?${window(3)}`,
    );
    expect(first.status).toBe(200);
    expect(first.body.task).toBe('binary');
    expect(first.body.rows).toBe(PER_WINDOW);
    expect(Object.keys(first.body.metrics).sort()).toEqual([
      'accuracy',
      'f1',
      'precision',
      'recall',
      'roc_auc',
    ]);
    // The drifted half is estimated worse, below the reference's lower threshold.
    expect(last.body.metrics.accuracy!.value).toBeLessThan(first.body.metrics.accuracy!.value);
    expect(last.body.metrics.accuracy!.alert).toBe(true);
    expect(first.body.metrics.accuracy!.alert).toBe(false);

    const page = await live.page(1440);
    await page.goto(
      `${live.osprey.url}/models/loans?from=${new Date(T0).toISOString()}&to=${new Date(T0 + 4 * HOUR).toISOString()}`,
    );
    const panel = page.getByTestId('estimated-performance');
    await expect.poll(() => panel.innerText(), SLOW).toContain('Estimated performance (CBPE)');
    expect(await panel.innerText()).toContain('alerts in 2 windows');
    for (const m of ['roc_auc', 'f1', 'precision', 'recall', 'accuracy']) {
      expect(await page.getByTestId(`estimated-${m}`).count()).toBe(1);
    }
    expect(await overflowsSideways(page)).toBe(false);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: `${SCREENSHOT_DIR}/estimated-performance-1440.png` });
  }, 180_000);
});
