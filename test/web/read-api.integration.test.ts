import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../support/http';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// The /api/v1 read handlers with API keys: 401 without credentials, 403 without the scope, 400 naming the field.
let osprey: OspreyProcess;
let ingestOnly: string;

beforeAll(async () => {
  osprey = await startOsprey();
  const res = await post(
    `${osprey.url}/api/v1/api-keys`,
    JSON.stringify({ name: 'svc', scopes: ['ingest'] }),
    {
      authorization: `Bearer ${osprey.apiKey}`,
      'content-type': 'application/json',
    },
  );
  expect(res.status).toBe(201);
  expect(res.json).toMatchObject({ name: 'svc', scopes: ['ingest'], revoked_at: null });
  ingestOnly = res.json.key as string;
});
afterAll(async () => {
  await osprey?.stop();
});

const get = (path: string, key?: string) =>
  fetch(`${osprey.url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} }).then(
    async (r) => ({
      status: r.status,
      json: (await r.json()) as Record<string, unknown>,
    }),
  );

describe('read API', () => {
  it('answers 401 without a session or key and 403 for a key without the read scope', async () => {
    expect(await get('/api/v1/models')).toEqual({
      status: 401,
      json: {
        error:
          'not signed in: log in with POST /api/v1/auth/login, or send Authorization: Bearer <API key>',
      },
    });
    expect(await get('/api/v1/models/m/stats', ingestOnly)).toEqual({
      status: 403,
      json: { error: "this API key lacks the 'read' scope" },
    });
    expect((await get('/api/v1/api-keys', ingestOnly)).status).toBe(403);
  });

  it('answers 400 naming the field for a bad time range', async () => {
    expect(await get('/api/v1/models/m/stats?from=yesterday', osprey.apiKey)).toEqual({
      status: 400,
      json: { error: 'from: must be an ISO-8601 time such as 2026-01-31T12:00:00Z' },
    });
    expect(
      await get(
        '/api/v1/models/m/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
        osprey.apiKey,
      ),
    ).toEqual({ status: 400, json: { error: 'from: must be before to' } });
  });

  it('answers an empty window with zeros, and creating a key with a bad scope names it', async () => {
    expect(await get('/api/v1/models/nothing-here/stats', osprey.apiKey)).toEqual({
      status: 200,
      json: {
        count: 0,
        errors: 0,
        error_rate: 0,
        latency_ms: { p50: null, p95: null, p99: null },
        throughput_per_min: 0,
      },
    });
    const res = await post(
      `${osprey.url}/api/v1/api-keys`,
      JSON.stringify({ name: 'x', scopes: ['write'] }),
      {
        authorization: `Bearer ${osprey.apiKey}`,
        'content-type': 'application/json',
      },
    );
    expect(res).toMatchObject({
      status: 400,
      json: { error: 'scopes.0: must be one of ingest, read, admin' },
    });
    const keys = await get('/api/v1/api-keys', osprey.apiKey);
    expect(keys.status).toBe(200);
    expect(JSON.stringify(keys.json)).not.toContain(ingestOnly); // secrets are never listed
  });
});
