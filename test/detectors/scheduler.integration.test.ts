import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/http';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { api, postAll } from '../support/upload';

// The scheduler inside `osprey start`: closed windows are detected (and missed ones backfilled)
// without anyone asking, and a window is re-evaluated when labels for its predictions arrive.
let osprey: OspreyProcess;
const MINUTE = 60_000;
const model = 'scheduled';
const now = Date.now();
const first = Math.floor(now / MINUTE) * MINUTE - 6 * MINUTE;
const windows = [0, 1, 2, 3].map((i) => ({
  from: first + i * MINUTE,
  to: first + (i + 1) * MINUTE,
}));
const iso = (w: { from: number; to: number }) =>
  `from=${new Date(w.from).toISOString()}&to=${new Date(w.to).toISOString()}`;

beforeAll(async () => {
  osprey = await startOsprey({ env: { OSPREY_DETECTOR_INTERVAL_SECONDS: '1' } });
}, 120_000);
afterAll(async () => {
  await osprey?.stop();
});

describe('detector scheduler', () => {
  it('detects closed windows on its own, then re-evaluates performance when labels land', async () => {
    const settings = await api(
      osprey.url,
      osprey.apiKey,
      'PUT',
      `/api/v1/models/${model}/settings`,
      {
        window_minutes: 1,
        grace_minutes: 0,
      },
    );
    expect(settings.status).toBe(200);
    // 4 past one-minute windows of traffic, 50 events each.
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/predictions',
      windows.flatMap((w, k) =>
        Array.from({ length: 50 }, (_, i) => ({
          model,
          version: 'v1',
          timestamp: w.from + i * 1_000,
          request_id: `w${k}-${i}`,
          features: { x: i + k * 10 },
          prediction: i % 2,
          latency_ms: i,
        })),
      ),
    );
    for (const w of windows) {
      await eventually(
        async () =>
          (await api(osprey.url, osprey.apiKey, 'GET', `/api/v1/models/${model}/drift?${iso(w)}`))
            .status === 200,
        30_000,
        `window ${new Date(w.from).toISOString()} to be detected`,
      );
    }
    // The second window compared with the first (no dataset: the previous window).
    const drift = await api<{
      reference: { source: string; size: number };
      features: { feature: string }[];
    }>(osprey.url, osprey.apiKey, 'GET', `/api/v1/models/${model}/drift?${iso(windows[1]!)}`);
    expect(drift.body.reference).toMatchObject({ source: 'previous_window', size: 50 });
    expect(drift.body.features.map((f) => f.feature)).toEqual(['x']);
    const before = await api<{ labelled: number }>(
      osprey.url,
      osprey.apiKey,
      'GET',
      `/api/v1/models/${model}/performance?${iso(windows[2]!)}`,
    );
    expect(before.body.labelled).toBe(0);

    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/labels',
      Array.from({ length: 50 }, (_, i) => ({ model, request_id: `w2-${i}`, label: i % 2 })),
    );
    await eventually(
      async () =>
        (
          await api<{ labelled: number }>(
            osprey.url,
            osprey.apiKey,
            'GET',
            `/api/v1/models/${model}/performance?${iso(windows[2]!)}`,
          )
        ).body.labelled === 50,
      30_000,
      'performance to be re-evaluated with the new labels',
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${osprey.logs().slice(-3000)}`);
    });
    const performance = await api<{ task: string; metrics: { accuracy: number } }>(
      osprey.url,
      osprey.apiKey,
      'GET',
      `/api/v1/models/${model}/performance?${iso(windows[2]!)}`,
    );
    expect(performance.body).toMatchObject({ task: 'binary', metrics: { accuracy: 1 } });
  }, 120_000);

  it('detects a segmented model whole first, then each segment, and fires rules on segments', async () => {
    const segmented = 'scheduled-segments';
    const put = await api(
      osprey.url,
      osprey.apiKey,
      'PUT',
      `/api/v1/models/${segmented}/settings`,
      {
        window_minutes: 1,
        grace_minutes: 0,
        segments: ['region'],
      },
    );
    expect(put.status).toBe(200);
    const rule = await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/alert-rules', {
      name: 'segment errors',
      model: segmented,
      metric: 'error_rate',
      segment: '*',
      op: '>',
      threshold: 0.5,
    });
    expect(rule.status).toBe(201);
    // eu fails every prediction in the third window; us never does.
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/predictions',
      windows.flatMap((w, k) =>
        Array.from({ length: 40 }, (_, i) => ({
          model: segmented,
          version: 'v1',
          timestamp: w.from + i * 1_000,
          request_id: `seg-w${k}-${i}`,
          features: { x: i },
          ...(k === 2 && i % 2 === 0 ? { error: 'timeout' } : { prediction: 1 }),
          latency_ms: 5,
          tags: { region: i % 2 === 0 ? 'eu' : 'us' },
        })),
      ),
    );
    const detected = async (w: { from: number; to: number }, segment?: string) =>
      (
        await api(
          osprey.url,
          osprey.apiKey,
          'GET',
          `/api/v1/models/${segmented}/errors?${iso(w)}${segment ? `&segment=${segment}` : ''}`,
        )
      ).status === 200;
    for (const w of windows) {
      for (const segment of [undefined, 'region%3Deu', 'region%3Dus']) {
        await eventually(() => detected(w, segment), 30_000, `${segment ?? 'model'} detected`);
      }
    }
    const eu = await api<{ error_rate: number }>(
      osprey.url,
      osprey.apiKey,
      'GET',
      `/api/v1/models/${segmented}/errors?${iso(windows[2]!)}&segment=region%3Deu`,
    );
    expect(eu.body.error_rate).toBe(1);
    // The rule on each segment was evaluated by the segments' pass: eu fired (and resolved in
    // the next window), us never did.
    const events = await api<{ event: string; segment: string | null }[]>(
      osprey.url,
      osprey.apiKey,
      'GET',
      `/api/v1/alerts/events?model=${segmented}`,
    );
    const fired = events.body.filter((e) => e.event === 'firing');
    expect(fired.map((e) => e.segment)).toEqual(['region=eu']);
    // Labels arriving after the windows were detected reach each segment's performance too.
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/labels',
      Array.from({ length: 20 }, (_, k) => ({
        model: segmented,
        request_id: `seg-w3-${2 * k + 1}`,
        label: 1,
      })),
    );
    await eventually(
      async () =>
        (
          await api<{ labelled: number }>(
            osprey.url,
            osprey.apiKey,
            'GET',
            `/api/v1/models/${segmented}/performance?${iso(windows[3]!)}&segment=region%3Dus`,
          )
        ).body.labelled === 20,
      30_000,
      "the us segment's performance to be re-evaluated with the new labels",
    );
  }, 120_000);
});
