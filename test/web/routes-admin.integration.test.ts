import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caseName,
  checkRoute,
  expectAuditLog,
  startRouteServer,
  type RouteCase,
  type RouteServer,
} from '../support/routes';

// API keys, users and the caller's own session: 401, 403, 400 naming the field, success.
let server: RouteServer;
beforeAll(async () => {
  server = await startRouteServer({ OSPREY_DETECTORS: 'off', OSPREY_SHADOW_RUNNER: 'off' });
});
afterAll(() => server?.osprey.stop());

const ids: Record<string, string> = {};
const keys: Record<string, string> = {};

const cases: RouteCase[] = [
  {
    method: 'POST',
    path: () => '/api/v1/api-keys',
    role: 'admin',
    bad: {
      body: { name: 'x', scopes: ['write'] },
      error: 'scopes.0: must be one of ingest, read, admin',
    },
    ok: { body: { name: 'ci', scopes: ['ingest'] }, status: 201 },
    audit: 'api_key.create',
    then: (json) => {
      expect(json).toMatchObject({ name: 'ci', scopes: ['ingest'], revoked_at: null });
      expect(json.key).toMatch(/^osp_[0-9a-f]{8}_[\w-]{43}$/);
      ids.key = json.id as string;
      keys.ci = json.key as string;
    },
  },
  {
    method: 'GET',
    path: () => '/api/v1/api-keys',
    role: 'admin',
    ok: { status: 200 },
    then: (json) => {
      const listed = (json as unknown as Record<string, unknown>[]).find((k) => k.id === ids.key);
      expect(Object.keys(listed!).sort()).toEqual(
        ['created_at', 'id', 'name', 'prefix', 'revoked_at', 'scopes'].sort(),
      );
      expect(JSON.stringify(json)).not.toContain(keys.ci!.slice(13));
    },
  },
  {
    method: 'POST',
    path: () => '/api/v1/users',
    role: 'admin',
    bad: {
      body: { email: 'nope', role: 'viewer', password: 'long-enough-password' },
      error: 'email: must be an email address',
    },
    ok: {
      body: { email: 'new@example.com', role: 'viewer', password: 'long-enough-password' },
      status: 201,
    },
    audit: 'user.create',
    then: (json) => {
      ids.user = json.id as string;
    },
  },
  { method: 'GET', path: () => '/api/v1/users', role: 'admin', ok: { status: 200 } },
  {
    method: 'PUT',
    path: () => `/api/v1/users/${ids.user}`,
    role: 'admin',
    as: 'adminKey',
    bad: { body: { role: 'owner' }, error: 'role: must be one of viewer, editor, admin' },
    ok: { body: { role: 'editor' }, status: 200 },
    audit: 'user.update',
    then: (json) => expect(json).toMatchObject({ email: 'new@example.com', role: 'editor' }),
  },
  {
    method: 'DELETE',
    path: () => `/api/v1/users/${ids.user}`,
    role: 'admin',
    ok: { status: 200 },
    audit: 'user.delete',
  },
  {
    method: 'GET',
    path: () => '/api/v1/auth/me',
    role: 'viewer',
    ok: { status: 200 },
    then: (json) => expect(json).toMatchObject({ kind: 'user', role: 'viewer' }),
  },
];

describe('admin routes', () => {
  for (const c of cases) it(caseName(c), () => checkRoute(server, c).then(() => undefined));

  it('revokes a key at once, though the verifier had just cached it', async () => {
    const ingest = () =>
      fetch(`${server.osprey.url}/v1/predictions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.ci}`, 'content-type': 'application/json' },
        body: JSON.stringify([
          { model: 'revoked', version: 'v1', features: { x: 1 }, prediction: 1 },
        ]),
      });
    expect((await ingest()).status).toBe(200);
    const revoke: RouteCase = {
      method: 'DELETE',
      path: () => `/api/v1/api-keys/${ids.key}`,
      role: 'admin',
      ok: { status: 200 },
      audit: 'api_key.revoke',
      then: (json) => expect(json).toMatchObject({ id: ids.key, name: 'ci' }),
    };
    const revoked = await checkRoute(server, revoke);
    expect(Date.parse(revoked.json.revoked_at as string)).toBeGreaterThan(Date.now() - 10_000);
    const refused = await ingest();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'invalid or revoked API key' });
    // Revoking again keeps the first revocation; an unknown id is a 404.
    const again = await server.call('admin', 'DELETE', `/api/v1/api-keys/${ids.key}`);
    expect(again.json.revoked_at).toBe(revoked.json.revoked_at);
    server.audited.push(`${server.actors.admin} api_key.revoke`);
    expect(
      (
        await server.call(
          'admin',
          'DELETE',
          '/api/v1/api-keys/00000000-0000-0000-0000-000000000000',
        )
      ).status,
    ).toBe(404);
  });

  it('logs a session out; an API key has no session to end', async () => {
    expect(await server.call('adminKey', 'POST', '/api/v1/auth/logout')).toMatchObject({
      status: 400,
      json: { error: 'logout ends a dashboard session; revoke an API key instead' },
    });
    await checkRoute(server, {
      method: 'POST',
      path: () => '/api/v1/auth/logout',
      role: 'viewer',
      ok: { status: 200 },
      audit: 'auth.logout',
    });
    expect((await server.call('viewer', 'GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('records exactly one audit row per successful mutation', () => expectAuditLog(server));
});
