import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Osprey } from '@osprey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelOverview } from '../../web/lib/dashboard/overview';
import type { TimeseriesPoint } from '../../web/lib/dashboard/timeseries';
import { HOUR } from '../support/alerts';
import { mulberry32 } from '../support/events';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';
import { api, postAll } from '../support/upload';

// The Overview and Model endpoints over known events logged through the collector: counts, error
// rates and sparklines exactly, latency quantiles within DDSketch's 1% of the exact values
// computed here, production from the deployments log, drift from a stored report, firing alerts.
const MODELS = join(REPO_ROOT, 'shadow-runner', 'fixtures', 'models');
const FEATURES = 'rooms,bedrooms,area_sqm,age_years,distance_to_center_km,has_garden';
const MIN = 60_000;

let osprey: OspreyProcess;
const rand = mulberry32(42);
const normal = (mean: number) =>
  mean + Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

interface Logged {
  model: string;
  version: string;
  t: number;
  latency?: number;
  error: boolean;
  region: string;
}

/** The hour three hours before the current one: the range every check reads. */
const H = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const events: Logged[] = [];
for (let i = 0; i < 240; i++) {
  events.push({
    model: 'fraud',
    version: 'v1',
    t: H + i * 15_000,
    latency: Math.round((5 + 60 * rand() ** 3) * 100) / 100,
    error: i % 10 === 3,
    region: i % 3 === 0 ? 'eu' : 'us',
  });
}
for (let i = 0; i < 60; i++) {
  events.push({
    model: 'fraud',
    version: 'v2',
    t: H + i * MIN + 7_000,
    latency: Math.round((20 + 30 * rand()) * 100) / 100,
    error: i % 4 === 0,
    region: 'eu',
  });
}
// Outside [H, H + 1h): counted in versions / last_seen, never in the range's numbers.
for (let i = 0; i < 30; i++)
  events.push({
    model: 'fraud',
    version: 'v0',
    t: H - 20 * MIN + i,
    latency: 1,
    error: true,
    region: 'eu',
  });
events.push({
  model: 'fraud',
  version: 'v1',
  t: H + HOUR + 1_000,
  latency: 1,
  error: true,
  region: 'eu',
});
// A model without latencies, deployments, drift reports or alerts.
for (let i = 0; i < 20; i++)
  events.push({
    model: 'churn',
    version: 'a',
    t: H + 5 * MIN + i * 1_000,
    error: false,
    region: 'eu',
  });

const inRange = (e: Logged, from = H, to = H + HOUR) => e.t >= from && e.t < to;

/** The value DDSketch approximates: the floor(q · (n − 1))-th smallest latency. */
function exactQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}
function expectQuantile(actual: number | null, values: number[], q: number) {
  const exact = exactQuantile(values, q);
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - exact)).toBeLessThanOrEqual(exact * 0.01 + 1e-9);
}

beforeAll(async () => {
  osprey = await startOsprey({ env: { OSPREY_DETECTORS: 'off' } });
  const call = (method: string, path: string, body?: unknown) =>
    api(osprey.url, osprey.apiKey, method, path, body);
  await postAll(
    osprey.url,
    osprey.apiKey,
    '/v1/predictions',
    events.map((e) => ({
      model: e.model,
      version: e.version,
      timestamp: e.t,
      // rooms and area drifted far from the reference below
      features: { rooms: normal(6), area: normal(120) },
      ...(e.error ? { error: 'upstream timeout' } : { prediction: 1 }),
      ...(e.latency === undefined ? {} : { latency_ms: e.latency }),
      tags: { region: e.region },
    })),
  );
  const sdk = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
  const reference = Array.from({ length: 500 }, () => ({
    features: { rooms: normal(3), area: normal(90) },
  }));
  expect((await sdk.logReference('fraud', 'v1', reference)).accepted).toBe(500);
  await sdk.close();

  for (const [version, file] of [
    ['v1', 'house_price_linear.onnx'],
    ['v2', 'house_price_gbr.onnx'],
  ] as const) {
    const res = await fetch(
      `${osprey.url}/api/v1/models/fraud/versions?version=${version}&features=${FEATURES}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${osprey.apiKey}`,
          'content-type': 'application/octet-stream',
        },
        body: readFileSync(join(MODELS, file)),
      },
    );
    expect(res.status).toBe(201);
  }
  for (const version of ['v1', 'v2'])
    expect(
      (await call('POST', '/api/v1/models/fraud/promote', { version, reason: 't' })).status,
    ).toBe(201);
  const rule = await call('POST', '/api/v1/alert-rules', {
    name: 'fraud errors',
    model: 'fraud',
    metric: 'error_rate',
    op: '>',
    threshold: 0.05,
  });
  expect(rule.status).toBe(201);
  const window = { from: new Date(H).toISOString(), to: new Date(H + HOUR).toISOString() };
  const detected = await call('POST', '/api/v1/models/fraud/detect', window);
  expect(detected.status).toBe(200);
}, 120_000);
afterAll(() => osprey?.stop());

const get = async <T>(path: string, auth = true) => {
  const res = await fetch(`${osprey.url}${path}`, {
    headers: auth ? { authorization: `Bearer ${osprey.apiKey}` } : {},
  });
  return { status: res.status, body: (await res.json()) as T };
};
const iso = (ms: number) => new Date(ms).toISOString();
const range = (from: number, to: number) => `from=${iso(from)}&to=${iso(to)}`;

type Overview = ModelOverview;
type Point = TimeseriesPoint;

describe('GET /api/v1/overview', () => {
  it('answers every model with its numbers over the range', async () => {
    const { status, body } = await get<Overview[]>(
      `/api/v1/overview?${range(H, H + HOUR)}&buckets=6`,
    );
    expect(status).toBe(200);
    expect(body.map((m) => m.model)).toEqual(['churn', 'fraud']);
    const fraud = body.find((m) => m.model === 'fraud')!;
    const mine = events.filter((e) => e.model === 'fraud' && inRange(e));
    expect(fraud.events).toBe(300);
    expect(fraud.error_rate).toBeCloseTo(mine.filter((e) => e.error).length / 300, 12);
    expectQuantile(
      fraud.latency_p95_ms,
      mine.map((e) => e.latency!),
      0.95,
    );
    expect(fraud.sparkline).toEqual(
      Array.from({ length: 6 }, (_, i) => ({
        t: iso(H + i * 10 * MIN),
        count: mine.filter((e) => inRange(e, H + i * 10 * MIN, H + (i + 1) * 10 * MIN)).length,
      })),
    );
    expect(fraud.versions).toEqual(['v0', 'v1', 'v2']);
    expect(fraud.production_version).toBe('v2');
    expect(fraud.drift).toEqual({
      status: 'drift',
      window_end: iso(H + HOUR),
      drifted_features: ['area', 'rooms'],
    });
    expect(fraud.firing_alerts).toBe(1);
    expect(fraud.last_seen).toBe(iso(H + HOUR + 1_000));

    expect(body.find((m) => m.model === 'churn')).toEqual({
      model: 'churn',
      production_version: null,
      versions: ['a'],
      events: 20,
      error_rate: 0,
      latency_p95_ms: null,
      sparkline: [20, 0, 0, 0, 0, 0].map((count, i) => ({ t: iso(H + i * 10 * MIN), count })),
      drift: { status: 'unknown', window_end: null, drifted_features: [] },
      firing_alerts: 0,
      last_seen: iso(H + 5 * MIN + 19_000),
    });
  });

  it('answers a range without events with zeros and nulls', async () => {
    const { body } = await get<Overview[]>(
      `/api/v1/overview?${range(H - 3 * HOUR, H - 2 * HOUR)}&buckets=2`,
    );
    expect(body.find((m) => m.model === 'fraud')).toMatchObject({
      events: 0,
      error_rate: null,
      latency_p95_ms: null,
      sparkline: [
        { t: iso(H - 3 * HOUR), count: 0 },
        { t: iso(H - 2.5 * HOUR), count: 0 },
      ],
    });
  });

  it('answers 401 without credentials and 400 naming the field', async () => {
    expect((await get('/api/v1/overview', false)).status).toBe(401);
    expect(await get('/api/v1/overview?buckets=0')).toEqual({
      status: 400,
      body: { error: 'buckets: must be at least 1' },
    });
    expect(await get('/api/v1/overview?from=yesterday&to=2026-01-01T00:00:00Z')).toEqual({
      status: 400,
      body: { error: 'from: must be an ISO-8601 time such as 2026-01-31T12:00:00Z' },
    });
  });
});

describe('GET /api/v1/models/{model}/timeseries', () => {
  /** Checks steps aligned on the epoch, the first and last cut to [from, to). */
  const expectPoints = (
    points: Point[],
    [from, to]: [number, number],
    stepMs: number,
    pick: (e: Logged) => boolean,
  ) => {
    const first = Math.floor(from / stepMs);
    expect(points).toHaveLength(Math.floor((to - 1) / stepMs) - first + 1);
    points.forEach((p, i) => {
      const start = (first + i) * stepMs;
      const mine = events.filter(
        (e) => pick(e) && inRange(e, Math.max(start, from), Math.min(start + stepMs, to)),
      );
      const errors = mine.filter((e) => e.error).length;
      expect(p).toMatchObject({ t: iso(start), count: mine.length, errors });
      expect(p.error_rate).toBe(mine.length ? errors / mine.length : null);
      const latencies = mine.map((e) => e.latency!);
      if (mine.length === 0) expect([p.p50_ms, p.p95_ms, p.p99_ms]).toEqual([null, null, null]);
      else {
        expectQuantile(p.p50_ms, latencies, 0.5);
        expectQuantile(p.p95_ms, latencies, 0.95);
        expectQuantile(p.p99_ms, latencies, 0.99);
      }
    });
  };
  const series = (query: string) => get<Point[]>(`/api/v1/models/fraud/timeseries?${query}`);
  const fraud = (e: Logged) => e.model === 'fraud';

  it('answers steps of traffic, errors and latency, per version and per segment', async () => {
    const all = await series(`${range(H, H + HOUR)}&step=600`);
    expect(all.status).toBe(200);
    expect(all.body).toHaveLength(6);
    expectPoints(all.body, [H, H + HOUR], 10 * MIN, fraud);

    const v2 = await series(`${range(H, H + HOUR)}&step=1200&version=v2`);
    expect(v2.body.map((p) => p.count)).toEqual([20, 20, 20]);
    expectPoints(v2.body, [H, H + HOUR], 20 * MIN, (e) => fraud(e) && e.version === 'v2');

    const eu = await series(`${range(H, H + HOUR)}&step=900&tag=region&value=eu`);
    expect(eu.body).toHaveLength(4);
    expectPoints(eu.body, [H, H + HOUR], 15 * MIN, (e) => fraud(e) && e.region === 'eu');
  });

  it('reads ranges that are not whole minutes or hours, and steps of seconds', async () => {
    // Hours of rollup inside, minutes and raw rows at the ends.
    const wide: [number, number] = [H - HOUR - 90_500, H + 2 * HOUR + 30_250];
    expectPoints((await series(`${range(...wide)}&step=3600`)).body, wide, HOUR, fraud);
    const inner: [number, number] = [H + 90_000, H + HOUR - 1];
    expectPoints((await series(`${range(...inner)}&step=420`)).body, inner, 7 * MIN, fraud);
    expectPoints((await series(`${range(...inner)}&step=90`)).body, inner, 90_000, fraud);
  });

  it('answers 400 naming the field', async () => {
    const bad = async (query: string) =>
      (await get<{ error: string }>(`/api/v1/models/fraud/timeseries?${query}`)).body.error;
    expect(await bad('step=0')).toBe('step: must be at least 1 second');
    expect(await bad('step=1.5')).toBe('step: must be a whole number of seconds');
    expect(await bad('tag=region')).toBe('tag: tag and value go together (the segment tag=value)');
    expect(await bad(`${range(H, H + 30 * 86_400_000)}&step=60`)).toBe(
      'step: too small for the range: at most 2000 steps',
    );
    expect((await get('/api/v1/models/fraud/timeseries', false)).status).toBe(401);
  });
});
