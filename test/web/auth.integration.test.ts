import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlRows } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// Dashboard auth through a real `osprey start`: first admin, sessions, CSRF, roles, users API.
const ADMIN = { email: 'Admin@Example.com', password: 'correct-horse-battery' };
const TTL_S = 6;
let osprey: OspreyProcess;
let origin: string;

const env = {
  OSPREY_ADMIN_EMAIL: ADMIN.email,
  OSPREY_ADMIN_PASSWORD: ADMIN.password,
  OSPREY_SESSION_TTL_SECONDS: String(TTL_S),
  // The test client stands in for a TLS-terminating proxy (X-Forwarded-Proto: https below).
  OSPREY_TRUSTED_PROXIES: '127.0.0.1, ::1',
};

beforeAll(async () => {
  osprey = await startOsprey({ env });
  origin = osprey.url;
});
afterAll(async () => {
  await osprey?.stop();
});

interface Answer {
  status: number;
  json: Record<string, unknown> & { error?: string };
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  opts: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${osprey.url}${path}`, {
    method,
    headers: {
      ...(opts.body !== undefined && { 'content-type': 'application/json' }),
      ...(opts.cookie && { cookie: opts.cookie }),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return {
    status: res.status,
    json: (await res.json().catch(() => ({}))) as Answer['json'],
    headers: res.headers,
  };
}

/** A browser-like mutation: the session cookie and this site's Origin. */
const mutate = (method: string, path: string, cookie: string, body?: unknown) =>
  call(method, path, { cookie, body, headers: { origin } });

async function login(email: string, password: string): Promise<{ cookie: string; res: Answer }> {
  const res = await call('POST', '/api/v1/auth/login', { body: { email, password } });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { cookie: setCookie.split(';')[0]!, res };
}

async function loginOk(email: string, password: string): Promise<string> {
  const { cookie, res } = await login(email, password);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return cookie;
}

async function createUser(role: string, email: string, password = 'a-long-password-1') {
  const cookie = await loginOk(ADMIN.email, ADMIN.password);
  const res = await mutate('POST', '/api/v1/users', cookie, { email, role, password });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return { id: res.json.id as string, email, password };
}

describe('dashboard auth', () => {
  it('creates the first admin from the environment and signs in with a hardened cookie', async () => {
    const { cookie, res } = await login('admin@example.com', ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.json.user).toMatchObject({ email: 'admin@example.com', role: 'admin' });
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      /^osprey_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/,
    );
    expect(setCookie).not.toContain('Secure');
    expect(await call('GET', '/api/v1/auth/me', { cookie })).toMatchObject({
      status: 200,
      json: { kind: 'user', role: 'admin', user: { email: 'admin@example.com' } },
    });
    const https = await call('POST', '/api/v1/auth/login', {
      body: ADMIN,
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(https.headers.get('set-cookie')).toMatch(/; Secure$/);
    expect(await login(ADMIN.email, 'wrong-password')).toMatchObject({
      res: { status: 401, json: { error: 'wrong email or password' } },
    });
  });

  it('answers 401 without a session or key, and 400 naming the field', async () => {
    expect(await call('GET', '/api/v1/auth/me')).toMatchObject({
      status: 401,
      json: { error: expect.stringContaining('not signed in') },
    });
    expect((await call('GET', '/api/v1/users', { cookie: 'osprey_session=forged' })).status).toBe(
      401,
    );
    expect((await call('POST', '/api/v1/auth/login', { body: { email: 'a@b.c' } })).json).toEqual({
      error: 'password: required, a string',
    });
    const cookie = await loginOk(ADMIN.email, ADMIN.password);
    const bad = async (body: unknown) => (await mutate('POST', '/api/v1/users', cookie, body)).json;
    const password = 'a-long-password-1';
    expect(await bad({ email: 'nope', role: 'viewer', password })).toEqual({
      error: 'email: must be an email address',
    });
    expect(await bad({ email: 'x@example.com', role: 'owner', password })).toEqual({
      error: 'role: must be one of viewer, editor, admin',
    });
    expect(await bad({ email: 'x@example.com', role: 'viewer', password: 'short' })).toEqual({
      error: 'password: must be at least 12 characters',
    });
    expect((await mutate('PUT', '/api/v1/users/abc', cookie, { role: 'x' })).json).toEqual({
      error: 'role: must be one of viewer, editor, admin',
    });
  });

  it('lets an admin manage users, refuses a taken email and keeps the last admin', async () => {
    const editor = await createUser('editor', 'ed@example.com');
    const cookie = await loginOk(ADMIN.email, ADMIN.password);
    expect(
      (
        await mutate('POST', '/api/v1/users', cookie, {
          email: 'ED@example.com',
          password: editor.password,
          role: 'viewer',
        })
      ).status,
    ).toBe(409);
    const list = await call('GET', '/api/v1/users', { cookie });
    expect(list.status).toBe(200);
    const users = list.json as unknown as { id: string; email: string; role: string }[];
    expect(users.map((u) => [u.email, u.role])).toEqual(
      expect.arrayContaining([
        ['admin@example.com', 'admin'],
        ['ed@example.com', 'editor'],
      ]),
    );
    expect(JSON.stringify(users)).not.toContain('password');
    const updated = await mutate('PUT', `/api/v1/users/${editor.id}`, cookie, { role: 'viewer' });
    expect(updated).toMatchObject({ status: 200, json: { role: 'viewer' } });
    const adminId = users.find((u) => u.role === 'admin')!.id;
    expect(await mutate('DELETE', `/api/v1/users/${adminId}`, cookie)).toMatchObject({
      status: 409,
      json: { error: 'role: the last admin cannot be demoted or deleted' },
    });
    expect((await mutate('DELETE', `/api/v1/users/${editor.id}`, cookie)).status).toBe(200);
    expect((await mutate('DELETE', `/api/v1/users/${editor.id}`, cookie)).status).toBe(404);
    expect((await login(editor.email, editor.password)).res.status).toBe(401);
  });

  it("refuses a viewer's mutation with 403 and lets it read", async () => {
    const viewer = await createUser('viewer', 'viewer@example.com');
    const cookie = await loginOk(viewer.email, viewer.password);
    expect(await call('GET', '/api/v1/auth/me', { cookie })).toMatchObject({
      status: 200,
      json: { role: 'viewer' },
    });
    const res = await mutate('POST', '/api/v1/users', cookie, {
      email: 'z@example.com',
      role: 'admin',
      password: 'a-long-password-1',
    });
    expect(res).toMatchObject({
      status: 403,
      json: { error: 'this needs the admin role; viewer@example.com is viewer' },
    });
    expect((await call('GET', '/api/v1/users', { cookie })).status).toBe(403);
  });

  it('refuses session mutations from another origin or with no origin (CSRF)', async () => {
    const cookie = await loginOk(ADMIN.email, ADMIN.password);
    const body = { email: 'csrf@example.com', role: 'admin', password: 'a-long-password-1' };
    const evil = await call('POST', '/api/v1/users', {
      cookie,
      body,
      headers: { origin: 'https://evil.example' },
    });
    expect(evil).toMatchObject({
      status: 403,
      json: { error: 'cross-site request refused: Origin https://evil.example is not this site' },
    });
    expect((await call('POST', '/api/v1/users', { cookie, body })).json.error).toContain(
      'needs an Origin header',
    );
    const viaReferer = await call('POST', '/api/v1/auth/logout', {
      cookie,
      headers: { referer: 'https://evil.example/page' },
    });
    expect(viaReferer.status).toBe(403);
    const crossLogin = await call('POST', '/api/v1/auth/login', {
      body: ADMIN,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossLogin.status).toBe(403);
    const list = await call('GET', '/api/v1/users', { cookie });
    expect(JSON.stringify(list.json)).not.toContain('csrf@example.com');
  });

  it('keeps API keys working: admin scope acts as admin, read as viewer, ingest has no role', async () => {
    const bearer = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });
    expect(await call('GET', '/api/v1/auth/me', bearer(osprey.apiKey))).toMatchObject({
      status: 200,
      json: { kind: 'api_key', role: 'admin' },
    });
    const created = await call('POST', '/api/v1/users', {
      ...bearer(osprey.apiKey),
      body: { email: 'bot-made@example.com', role: 'viewer', password: 'a-long-password-1' },
    });
    expect(created.status).toBe(201);
    const keys: Record<string, string> = {};
    for (const scope of ['read', 'ingest']) {
      const res = await call('POST', '/api/v1/api-keys', {
        ...bearer(osprey.apiKey),
        body: { name: scope, scopes: [scope] },
      });
      keys[scope] = res.json.key as string;
    }
    expect(await call('GET', '/api/v1/auth/me', bearer(keys.read!))).toMatchObject({
      status: 200,
      json: { role: 'viewer', api_key: { scopes: ['read'] } },
    });
    expect(await call('GET', '/api/v1/users', bearer(keys.read!))).toMatchObject({
      status: 403,
      json: { error: "this API key lacks the 'admin' scope" },
    });
    expect((await call('GET', '/api/v1/auth/me', bearer(keys.ingest!))).status).toBe(403);
    expect((await call('GET', '/api/v1/auth/me', bearer('osp_not_a_key'))).status).toBe(401);
  });

  it('rate-limits login per email and address: 5 tries, then 429 even with the right password', async () => {
    const user = await createUser('viewer', 'guessed@example.com');
    for (let i = 0; i < 5; i++) {
      expect((await login(user.email, `wrong-${i}`)).res.status).toBe(401);
    }
    const limited = await login(user.email, user.password);
    expect(limited.res.status).toBe(429);
    expect(limited.res.json.error).toMatch(/^too many login attempts for guessed@example.com/);
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same address is not affected.
    await loginOk(ADMIN.email, ADMIN.password);
  });

  it('logout revokes the session, and so does a password change', async () => {
    const cookie = await loginOk(ADMIN.email, ADMIN.password);
    const out = await mutate('POST', '/api/v1/auth/logout', cookie);
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^osprey_session=; .*Max-Age=0/);
    expect((await call('GET', '/api/v1/auth/me', { cookie })).status).toBe(401);

    const viewer = await createUser('viewer', 'rotated@example.com');
    const viewerCookie = await loginOk(viewer.email, viewer.password);
    const admin = await loginOk(ADMIN.email, ADMIN.password);
    const changed = await mutate('PUT', `/api/v1/users/${viewer.id}`, admin, {
      password: 'a-new-long-password',
    });
    expect(changed.status).toBe(200);
    expect((await call('GET', '/api/v1/auth/me', { cookie: viewerCookie })).status).toBe(401);
    await loginOk(viewer.email, 'a-new-long-password');
  });

  it('expires a session after OSPREY_SESSION_TTL_SECONDS', async () => {
    const { cookie, res } = await login(ADMIN.email, ADMIN.password);
    const expiresAt = Date.parse(res.json.expires_at as string);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(TTL_S * 1000);
    expect((await call('GET', '/api/v1/auth/me', { cookie })).status).toBe(200);
    await new Promise((r) => setTimeout(r, expiresAt - Date.now() + 300));
    expect((await call('GET', '/api/v1/auth/me', { cookie })).status).toBe(401);
  });

  it('audits mutations and bootstraps the admin only once across restarts', async () => {
    await osprey.stop();
    const actions = (await sqlRows(osprey.dataDir, 'SELECT DISTINCT action FROM audit_log')).flat();
    expect(actions).toEqual(
      expect.arrayContaining([
        'auth.login',
        'auth.login_failed',
        'auth.logout',
        'user.create',
        'user.update',
        'user.delete',
      ]),
    );
    osprey = await startOsprey({
      dataDir: osprey.dataDir,
      env: { ...env, OSPREY_ADMIN_PASSWORD: 'a-different-password' },
    });
    origin = osprey.url;
    const cookie = await loginOk(ADMIN.email, ADMIN.password);
    const users = (await call('GET', '/api/v1/users', { cookie })).json as unknown as {
      email: string;
    }[];
    expect(users.filter((u) => u.email === 'admin@example.com')).toHaveLength(1);
    expect((await login(ADMIN.email, 'a-different-password')).res.status).toBe(401);
  });
});
