import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddingFixtures, rowsOf } from '../../detectors/src/embeddings/fixtures';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { api, postAll } from '../support/upload';

// Embedding drift end to end through a real `osprey start`: Evidently's fixture vectors
// (detectors/fixtures/embedding_drift.py) logged through the collector — the reference as a
// reference upload, two hourly windows of predictions (the same distribution, then a mean shift)
// — detected by POST …/detect (a rule on drift.embedding firing in the same call), read back by
// GET …/drift, and the rule previewed over both windows.
// The vectors are float32 values, so JSON and the collector carry them exactly and the means'
// distances equal Evidently's.
const { vectors, scenarios } = loadEmbeddingFixtures();
const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 4 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const model = 'search';

let osprey: OspreyProcess;
beforeAll(async () => {
  osprey = await startOsprey({ env: { OSPREY_DETECTORS: 'off' } });
  await postAll(
    osprey.url,
    osprey.apiKey,
    '/v1/reference',
    rowsOf(vectors.reference!).map((query) => ({
      model,
      version: 'v1',
      reference_id: 'training',
      features: { n: 1 },
      embeddings: { query },
    })),
  );
  const windows = [vectors.same_window!, vectors.mean_shift_window!];
  await postAll(
    osprey.url,
    osprey.apiKey,
    '/v1/predictions',
    windows.flatMap((v, w) =>
      rowsOf(v).map((query, i) => ({
        model,
        version: 'v1',
        timestamp: T0 + w * HOUR + i * 1000,
        features: { n: 1 },
        prediction: 1,
        latency_ms: 5,
        embeddings: { query },
      })),
    ),
  );
}, 120_000);
afterAll(() => osprey?.stop());

describe('embedding drift through osprey start', () => {
  it('detects per window, serves it under GET …/drift and alerts on drift.embedding', async () => {
    type Doc = {
      embeddings: { name: string; drift: boolean; methods: Record<string, { value: number }> }[];
    };
    // A live rule: it fires on the window that drifted, in the same detect call.
    const rule = await api<{ id: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/alert-rules',
      {
        name: 'query embedding drifts',
        model,
        metric: 'drift.embedding',
        feature: 'query',
        op: '==',
        threshold: 1,
      },
    );
    expect(rule.status).toBe(201);
    const detected = await api<{ windows: { embedding_drift: Doc }[] }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      `/api/v1/models/${model}/detect`,
      { from: iso(T0), to: iso(T0 + 2 * HOUR) },
    );
    expect(detected.status).toBe(200);
    const docs = detected.body.windows.map((w) => w.embedding_drift);
    expect(docs.map((d) => d.embeddings.map((e) => [e.name, e.drift]))).toEqual([
      [['query', false]],
      [['query', true]],
    ]);
    const shifted = docs[1]!.embeddings[0]!.methods;
    const peer = scenarios.mean_shift!.evidently;
    expect(shifted.distance_euclidean!.value).toBeCloseTo(peer.euclidean.value, 9);
    expect(shifted.ratio!.value).toBe(peer.ratio.value);

    const drift = await api<{
      embedding_method: string;
      embeddings: { name: string; drift: boolean }[];
    }>(
      osprey.url,
      osprey.apiKey,
      'GET',
      `/api/v1/models/${model}/drift?from=${iso(T0 + HOUR)}&to=${iso(T0 + 2 * HOUR)}`,
    );
    expect(drift.status).toBe(200);
    expect(drift.body.embedding_method).toBe('domain_classifier');
    expect(drift.body.embeddings).toEqual([
      expect.objectContaining({ name: 'query', drift: true }),
    ]);

    const firing = await api<{ rule_id: string; feature: string | null }[]>(
      osprey.url,
      osprey.apiKey,
      'GET',
      `/api/v1/alerts?state=firing&model=${model}`,
    );
    expect(firing.body).toEqual([
      expect.objectContaining({ rule_id: rule.body.id, feature: 'query' }),
    ]);

    const preview = await api<{ windows: number; fired: number }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      `/api/v1/alert-rules/preview?from=${iso(T0)}&to=${iso(T0 + 2 * HOUR)}`,
      {
        name: 'query drifts',
        model,
        metric: 'drift.embedding',
        feature: 'query',
        op: '==',
        threshold: 1,
      },
    );
    expect(preview.body).toMatchObject({ windows: 2, fired: 1 });
  });
});
