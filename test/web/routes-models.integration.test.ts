import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, HOUSE_FEATURES } from '../../shadow-runner/src/testing/python';
import { eventually } from '../support/http';
import {
  caseName,
  checkRoute,
  expectAuditLog,
  startRouteServer,
  type RouteCase,
  type RouteServer,
} from '../support/routes';
import { postAll } from '../support/upload';

// Model reads, detection, settings, the registry, promote / rollback and shadow runs:
// 401, 403, 400 naming the field, success; and the public /v1 endpoints stay API-key only.
let server: RouteServer;
const HOUR = 3_600_000;
const hourStart = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
const window = {
  from: new Date(hourStart).toISOString(),
  to: new Date(hourStart + HOUR).toISOString(),
};

beforeAll(async () => {
  server = await startRouteServer({ OSPREY_DETECTORS: 'off' });
  await postAll(
    server.osprey.url,
    server.osprey.apiKey,
    '/v1/predictions',
    Array.from({ length: 60 }, (_, i) => ({
      model: 'houses',
      version: 'v1',
      timestamp: hourStart + i * 60_000,
      features: {
        rooms: 1 + (i % 6),
        bedrooms: 1 + (i % 4),
        area_sqm: 40 + ((i * 17) % 150),
        age_years: (i * 7) % 80,
        distance_to_center_km: 1 + (i % 15),
        has_garden: i % 2 === 0,
      },
      prediction: 100_000 + i * 1000,
      latency_ms: 5 + (i % 7),
    })),
  );
});
afterAll(() => server?.osprey.stop());

const onnx = (file: string) => new Uint8Array(readFileSync(join(FIXTURE_MODELS, file)));
const push = (version: string) =>
  `/api/v1/models/houses/versions?version=${version}&features=${HOUSE_FEATURES.join(',')}`;
const ids: Record<string, string> = {};
const m = '/api/v1/models/houses';
const ISO_OR_MS = 'must be an ISO-8601 time or epoch milliseconds';

const detectorCases: RouteCase[] = (
  [
    'drift',
    'latency',
    'errors',
    'throughput',
    'performance',
    'estimated-performance',
    'multivariate-drift',
    'quality',
    'embedding-drift',
  ] as const
).map((detector) => ({
  method: 'GET',
  path: () => `${m}/${detector}`,
  role: 'viewer',
  bad: {
    path: () => `${m}/${detector}?segment=eu`,
    error: 'segment: must be key=value, e.g. region=eu',
  },
  ok: { status: 200 },
}));

const cases: RouteCase[] = [
  {
    method: 'GET',
    path: () => '/api/v1/models',
    role: 'viewer',
    ok: { status: 200 },
    then: (json) =>
      expect(json).toEqual(expect.arrayContaining([expect.objectContaining({ model: 'houses' })])),
  },
  {
    method: 'GET',
    path: () => `${m}/stats?from=${window.from}&to=${window.to}`,
    role: 'viewer',
    bad: {
      path: () => `${m}/stats?from=yesterday`,
      error: 'from: must be an ISO-8601 time such as 2026-01-31T12:00:00Z',
    },
    ok: { status: 200 },
    then: (json) => expect(json.count).toBe(60),
  },
  {
    method: 'POST',
    path: () => push('v1'),
    role: 'editor',
    bad: {
      path: () => `${m}/versions?version=v1`,
      body: onnx('house_price_linear.onnx'),
      error:
        'features: required, the logged feature names that make the input, in order (or input_spec)',
    },
    ok: { body: onnx('house_price_linear.onnx'), status: 201 },
    audit: 'model.version.push',
  },
  {
    method: 'POST',
    path: () => push('v2'),
    role: 'editor',
    as: 'adminKey',
    ok: { body: onnx('house_price_gbr.onnx'), status: 201 },
    audit: 'model.version.push',
  },
  { method: 'GET', path: () => `${m}/versions`, role: 'viewer', ok: { status: 200 } },
  {
    method: 'POST',
    path: () => `${m}/promote`,
    role: 'editor',
    bad: { body: { version: 'v1' }, error: 'reason: required, a string' },
    ok: { body: { version: 'v1', reason: 'first release' }, status: 201 },
    audit: 'model.promote',
  },
  { method: 'GET', path: () => `${m}/deployments`, role: 'viewer', ok: { status: 200 } },
  {
    method: 'POST',
    path: () => `${m}/shadow-runs`,
    role: 'editor',
    bad: {
      body: { candidate_version: 'v2', from: 'soon', to: window.to },
      error: `from: ${ISO_OR_MS}`,
    },
    ok: {
      // Differences this strict make the verdict hold.
      body: { ...window, candidate_version: 'v2', criteria: { max_abs_diff_p95: 0.001 } },
      status: 202,
    },
    audit: 'shadow_run.create',
    then: (json) => {
      ids.run = json.id as string;
    },
  },
  { method: 'GET', path: () => `${m}/shadow-runs`, role: 'viewer', ok: { status: 200 } },
  { method: 'GET', path: () => `${m}/shadow-runs/${ids.run}`, role: 'viewer', ok: { status: 200 } },
  {
    method: 'POST',
    path: () => `${m}/shadow-runs`,
    role: 'editor',
    bad: {
      body: { mode: 'live', candidate_version: 'v2', sample_rate: 2 },
      error: 'sample_rate: must be at most 1',
    },
    ok: { body: { mode: 'live', candidate_version: 'v2', duration_minutes: 5 }, status: 202 },
    audit: 'shadow_run.create',
    then: (json) => {
      ids.live = json.id as string;
    },
  },
  {
    method: 'POST',
    path: () => `${m}/shadow-runs/${ids.live}/cancel`,
    role: 'editor',
    ok: { status: 200 },
    audit: 'shadow_run.cancel',
  },
];

const laterCases: RouteCase[] = [
  {
    method: 'POST',
    path: () => `${m}/shadow-runs/${ids.run}/promote`,
    role: 'editor',
    as: 'admin',
    bad: {
      body: { force: 'yes' },
      error: 'force: Invalid input: expected boolean, received string',
    },
    ok: { body: { force: true, reason: 'accepted despite the hold' }, status: 201 },
    audit: 'model.promote',
  },
  {
    method: 'POST',
    path: () => `${m}/rollback`,
    role: 'editor',
    bad: { body: { to: 'v1' }, error: 'reason: required, a string' },
    ok: { body: { reason: 'v2 is slower' }, status: 201 },
    audit: 'model.rollback',
    then: (json) => expect(json).toMatchObject({ version: 'v1', previous_version: 'v2' }),
  },
  {
    method: 'POST',
    path: () => `${m}/detect`,
    role: 'editor',
    bad: {
      body: { from: 'noon', to: window.to },
      error: 'from: must be an ISO-8601 time such as 2026-01-31T12:00:00Z',
    },
    ok: { body: window, status: 200 },
    audit: 'detectors.run',
  },
  {
    method: 'POST',
    path: () => `${m}/recompute`,
    role: 'editor',
    bad: {
      body: { since: 'noon' },
      error: 'since: must be an ISO-8601 time such as 2026-01-31T12:00:00Z',
    },
    ok: { body: { since: window.from }, status: 202 },
    audit: 'detectors.recompute',
    // One window: the job may be done by the time the 202 is written.
    then: (json) => {
      expect(json).toMatchObject({ window_minutes: 60 });
      expect(['running', 'done']).toContain(json.status);
    },
  },
  { method: 'GET', path: () => `${m}/recompute`, role: 'viewer', ok: { status: 200 } },
  ...detectorCases,
  {
    method: 'GET',
    path: () => '/api/v1/overview?buckets=4',
    role: 'viewer',
    bad: { path: () => '/api/v1/overview?buckets=0', error: 'buckets: must be at least 1' },
    ok: { status: 200 },
    then: (json) =>
      expect(json).toEqual([expect.objectContaining({ model: 'houses', events: 60 })]),
  },
  {
    method: 'GET',
    path: () => `${m}/timeseries?from=${window.from}&to=${window.to}&step=600`,
    role: 'viewer',
    bad: {
      path: () => `${m}/timeseries?tag=region`,
      error: 'tag: tag and value go together (the segment tag=value)',
    },
    ok: { status: 200 },
    then: (json) => expect(json).toHaveLength(6),
  },
  { method: 'GET', path: () => `${m}/settings`, role: 'viewer', ok: { status: 200 } },
  {
    method: 'PUT',
    path: () => `${m}/settings`,
    role: 'editor',
    bad: {
      body: { drift: { overrides: { rooms: { method: 'psi', threshold: -1 } } } },
      error: 'drift.overrides.rooms.threshold: must be > 0',
    },
    ok: { body: { window_minutes: 30 }, status: 200 },
    audit: 'model.settings',
  },
  { method: 'GET', path: () => `${m}/reference`, role: 'viewer', ok: { status: 200 } },
  {
    method: 'PUT',
    path: () => `${m}/reference`,
    role: 'editor',
    bad: {
      body: { source: 'yesterday' },
      error: 'source: must be "dataset", "range" or "previous_window"',
    },
    ok: { body: { source: 'previous_window' }, status: 200 },
    audit: 'model.reference',
  },
];

describe('model routes', () => {
  for (const c of cases) it(caseName(c), () => checkRoute(server, c).then(() => undefined));

  it('lets only an admin force a promote over a hold', async () => {
    let run: { status: string; verdict: { decision: string } | null } | undefined;
    await eventually(
      async () => {
        run = (await server.call('viewer', 'GET', `${m}/shadow-runs/${ids.run}`))
          .json as typeof run;
        return run!.status === 'done' || run!.status === 'failed';
      },
      30_000,
      'the replay to finish',
    );
    expect(run).toMatchObject({ status: 'done', verdict: { decision: 'hold' } });
    const promote = (who: 'editor', body: object) =>
      server.call(who, 'POST', `${m}/shadow-runs/${ids.run}/promote`, body);
    expect((await promote('editor', {})).status).toBe(409);
    expect(await promote('editor', { force: true })).toMatchObject({
      status: 403,
      json: { error: 'force: overriding a hold needs the admin role; this caller is editor' },
    });
  });

  for (const c of laterCases) it(caseName(c), () => checkRoute(server, c).then(() => undefined));

  it('keeps the public /v1 endpoints on API keys: services poll them, sessions do not count', async () => {
    const production = '/v1/models/houses/production';
    expect(await server.call('admin', 'GET', production)).toMatchObject({
      status: 401,
      json: { error: 'missing API key: send Authorization: Bearer <key>' },
    });
    const polled = await server.call('readKey', 'GET', production);
    expect(polled).toMatchObject({ status: 200, json: { version: 'v1' } });
    const artifact = await fetch(`${server.osprey.url}/v1/models/houses/versions/v1/artifact`, {
      headers: { authorization: `Bearer ${server.osprey.apiKey}` },
    });
    expect(new Uint8Array(await artifact.arrayBuffer())).toEqual(onnx('house_price_linear.onnx'));
  });

  it('records exactly one audit row per successful mutation', () => expectAuditLog(server));
});
