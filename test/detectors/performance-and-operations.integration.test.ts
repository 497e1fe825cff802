import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesAndOsprey, pastHour, readFixture } from '../support/fixtures';
import { quantileExactLow } from '../support/http';
import type { OspreyProcess } from '../support/osprey-process';
import { api, detectOne, postAll } from '../support/upload';

// Performance metrics against scikit-learn on the same labels and predictions (labels posted
// separately, joined by request_id or event_id), and the operational detectors against numbers
// recomputed here.
interface PerformanceCase {
  name: string;
  task: string;
  expected: Record<string, number>;
  rows: { prediction: number | string | number[]; label: number | string }[];
}

let osprey: OspreyProcess;
let cases: PerformanceCase[];
const HOUR = 3_600_000;
const window = pastHour(3);
const range = { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };

beforeAll(async () => {
  const started = await fixturesAndOsprey();
  osprey = started.osprey;
  const { dir } = started;
  cases = readFixture<PerformanceCase[]>(dir, 'performance_cases.json');
  for (const c of cases) {
    const model = `perf-${c.name.replaceAll('_', '-')}`;
    const step = HOUR / (c.rows.length + 1);
    const ids = c.rows.map(() => crypto.randomUUID());
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/predictions',
      c.rows.map((r, i) => ({
        model,
        version: 'v1',
        timestamp: Math.floor(window.from + (i + 1) * step),
        features: { i },
        prediction: r.prediction,
        // Half the rows are joined by event_id, half by request_id.
        ...(i % 2 ? { event_id: ids[i] } : { request_id: `req-${i}` }),
      })),
    );
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/labels',
      c.rows.map((r, i) => ({
        model,
        label: r.label,
        ...(i % 2 ? { event_id: ids[i] } : { request_id: `req-${i}` }),
      })),
    );
  }
}, 300_000);
afterAll(async () => {
  await osprey?.stop();
});

describe('performance against scikit-learn', () => {
  it.each(['binary_scores', 'multiclass_labels', 'multiclass_vectors', 'regression'])(
    '%s',
    async (name) => {
      const c = cases.find((x) => x.name === name)!;
      const model = `perf-${name.replaceAll('_', '-')}`;
      const { status, body } = await detectOne<{
        performance: { task: string; labelled: number; metrics: Record<string, number> };
      }>(osprey.url, osprey.apiKey, model, range);
      expect(status).toBe(200);
      expect(body.performance.task).toBe(c.task);
      expect(body.performance.labelled).toBe(c.rows.length);
      const names = Object.keys(body.performance.metrics).sort();
      expect(names.length).toBeGreaterThan(3);
      for (const metric of names) {
        const e = c.expected[metric]!;
        expect(e, `${metric} has a scikit-learn value`).toBeDefined();
        const a = body.performance.metrics[metric]!;
        expect(Math.abs(a - e), `${metric}: ${a} vs scikit-learn ${e}`).toBeLessThanOrEqual(
          Math.abs(e) * 1e-9 + 1e-12,
        );
      }
      // Stored: the GET answers the same document.
      const stored = await api<object>(
        osprey.url,
        osprey.apiKey,
        'GET',
        `/api/v1/models/${model}/performance?from=${range.from}&to=${range.to}`,
      );
      expect(stored).toEqual({ status: 200, body: body.performance });
    },
  );
});

describe('operational detectors', () => {
  it('latency percentiles, error rate against the previous window, throughput', async () => {
    const model = 'ops';
    const latencies = Array.from({ length: 1_000 }, (_, i) => (i * 37) % 997);
    const event = (t: number, i: number, error: boolean) => ({
      model,
      version: 'v1',
      timestamp: t,
      features: { x: i },
      ...(error ? { error: 'boom' } : { prediction: 1 }),
      latency_ms: latencies[i % latencies.length],
    });
    // Previous window: 1% errors; this window: 10% errors.
    await postAll(osprey.url, osprey.apiKey, '/v1/predictions', [
      ...latencies.map((_, i) => event(window.from - HOUR + i * 3_000, i, i % 100 === 0)),
      ...latencies.map((_, i) => event(window.from + i * 3_000, i, i % 10 === 0)),
    ]);
    const { body } = await detectOne<{
      latency: Record<string, number>;
      errors: {
        error_rate: number;
        p_value: number;
        status: string;
        reference: { error_rate: number };
      };
      throughput: {
        count: number;
        per_minute: { mean: number };
        usual: { p50: number };
        status: string;
      };
    }>(osprey.url, osprey.apiKey, model, range);
    expect(body.latency).toMatchObject({
      count: 1_000,
      p50: quantileExactLow(latencies, 0.5),
      p90: quantileExactLow(latencies, 0.9),
      p95: quantileExactLow(latencies, 0.95),
      p99: quantileExactLow(latencies, 0.99),
      max: Math.max(...latencies),
    });
    expect(body.errors).toMatchObject({
      error_rate: 0.1,
      status: 'alert',
      reference: { error_rate: 0.01 },
    });
    expect(body.errors.p_value).toBeLessThan(1e-10);
    // 1,000 events over 50 minutes of a 60-minute window: 20 a minute, then 10 empty minutes.
    expect(body.throughput.count).toBe(1_000);
    expect(body.throughput.per_minute.mean).toBeCloseTo(1_000 / 60, 9);
    expect(body.throughput.usual.p50).toBe(20);
  });
});

describe('segments', () => {
  it('detect every detector again per value of a configured tag, each against its own reference rows', async () => {
    const model = 'segmented';
    await api(osprey.url, osprey.apiKey, 'PUT', `/api/v1/models/${model}/settings`, {
      segments: ['region'],
    });
    const row = (region: string, x: number) => ({
      features: { x },
      prediction: x,
      tags: { region },
    });
    // The reference: eu around 0, us around 100. The window: eu as in the reference, us moved to 150.
    const reference = Array.from({ length: 400 }, (_, i) => [
      row('eu', i % 20),
      row('us', 100 + (i % 20)),
    ]).flat();
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/reference',
      reference.map((r) => ({ model, version: 'v1', ...r })),
    );
    const current = Array.from({ length: 300 }, (_, i) => [
      row('eu', i % 20),
      row('us', 150 + (i % 20)),
    ]).flat();
    await postAll(
      osprey.url,
      osprey.apiKey,
      '/v1/predictions',
      current.map((r, i) => ({ model, version: 'v1', timestamp: window.from + i * 1_000, ...r })),
    );
    const { body } = await detectOne<{
      drift: { features: { drift: boolean; current_size: number }[] };
      segments: {
        segment: string;
        drift: {
          reference: { size: number };
          features: { feature: string; drift: boolean; current_size: number }[];
        };
      }[];
    }>(osprey.url, osprey.apiKey, model, range);
    const bySegment = Object.fromEntries(body.segments.map((s) => [s.segment, s.drift]));
    expect(Object.keys(bySegment).sort()).toEqual(['region=eu', 'region=us']);
    expect(bySegment['region=eu']!.reference.size).toBe(400);
    expect(bySegment['region=eu']!.features).toMatchObject([
      { feature: 'x', drift: false, current_size: 300 },
    ]);
    expect(bySegment['region=us']!.features).toMatchObject([
      { feature: 'x', drift: true, current_size: 300 },
    ]);
    const stored = await api<{ features: { drift: boolean }[] }>(
      osprey.url,
      osprey.apiKey,
      'GET',
      `/api/v1/models/${model}/drift?${new URLSearchParams({ ...range, segment: 'region=us' })}`,
    );
    expect(stored.body.features[0]!.drift).toBe(true);
  });
});

describe('/api/v1 detector routes', () => {
  it('refuse a missing key, a key without the scope, and name the bad field', async () => {
    const model = 'perf-regression';
    const noKey = await fetch(`${osprey.url}/api/v1/models/${model}/drift`);
    expect(noKey.status).toBe(401);
    const readOnly = await api<{ key: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/api-keys',
      {
        name: 'reader',
        scopes: ['read'],
      },
    );
    const asReader = await api<{ error: string }>(
      osprey.url,
      readOnly.body.key,
      'POST',
      `/api/v1/models/${model}/detect`,
      range,
    );
    expect(asReader.status).toBe(403);
    const bad = await api<{ error: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      `/api/v1/models/${model}/detect`,
      {
        from: 'yesterday',
        to: range.to,
      },
    );
    expect(bad).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/^from: must be an ISO-8601 time/) },
    });
    const badRef = await api<{ error: string }>(
      osprey.url,
      osprey.apiKey,
      'PUT',
      `/api/v1/models/${model}/reference`,
      {
        source: 'range',
      },
    );
    expect(badRef).toEqual({
      status: 400,
      body: { error: 'from: from and to are required when source is "range"' },
    });
    const never = await api<{ error: string }>(
      osprey.url,
      osprey.apiKey,
      'GET',
      `/api/v1/models/never-seen/drift?from=${range.from}&to=${range.to}`,
    );
    expect(never.status).toBe(404);
    const choice = { source: 'previous_window' };
    expect(
      await api(osprey.url, osprey.apiKey, 'PUT', `/api/v1/models/${model}/reference`, choice),
    ).toEqual({
      status: 200,
      body: choice,
    });
    expect(
      await api(osprey.url, readOnly.body.key, 'GET', `/api/v1/models/${model}/reference`),
    ).toEqual({
      status: 200,
      body: choice,
    });
  });
});
