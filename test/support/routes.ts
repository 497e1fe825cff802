import { expect } from 'vitest';
import { sqlRows } from './osprey-cli';
import { startOsprey, type OspreyProcess } from './osprey-process';

/** Who calls: nobody, a signed-in user of each role, or an API key (read scope / the admin key). */
export type Who = 'anonymous' | 'viewer' | 'editor' | 'admin' | 'readKey' | 'adminKey';
type Role = 'viewer' | 'editor' | 'admin';

export interface Answer {
  status: number;
  json: Record<string, unknown> & { error?: string };
  headers: Headers;
}

export interface RouteServer {
  osprey: OspreyProcess;
  /** The actor each caller is recorded as in audit_log. */
  actors: Record<Exclude<Who, 'anonymous'>, string>;
  emails: Record<Role, string>;
  /** A browser-like call for sessions (cookie + this site's Origin), Bearer for keys. */
  call(
    who: Who,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  /** Mutations that succeeded, as `actor action` lines: each must leave exactly one audit row. */
  audited: string[];
}

const PASSWORD = 'route-test-password';

/**
 * One `osprey start` for a route test file, with a signed-in viewer, editor and admin, a read-only
 * key and the admin key (OSPREY_API_KEY).
 */
export async function startRouteServer(env: Record<string, string> = {}): Promise<RouteServer> {
  const emails = {
    viewer: 'viewer@example.com',
    editor: 'editor@example.com',
    admin: 'admin@example.com',
  };
  const osprey = await startOsprey({
    env: { OSPREY_ADMIN_EMAIL: emails.admin, OSPREY_ADMIN_PASSWORD: PASSWORD, ...env },
  });
  const cookies: Partial<Record<Role, string>> = {};
  const keys: Partial<Record<'readKey' | 'adminKey', string>> = { adminKey: osprey.apiKey };

  async function call(
    who: Who,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const raw = body instanceof Uint8Array;
    const auth: Record<string, string> =
      who === 'readKey' || who === 'adminKey'
        ? { authorization: `Bearer ${keys[who]}` }
        : who === 'anonymous'
          ? {}
          : { cookie: cookies[who]!, origin: osprey.url };
    const res = await fetch(`${osprey.url}${path}`, {
      method,
      headers: {
        ...(body !== undefined && {
          'content-type': raw ? 'application/octet-stream' : 'application/json',
        }),
        ...auth,
        ...headers,
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json().catch(() => ({}))) as Answer['json'],
      headers: res.headers,
    };
  }

  async function login(role: Role): Promise<string> {
    const res = await call('anonymous', 'POST', '/api/v1/auth/login', {
      email: emails[role],
      password: PASSWORD,
    });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    cookies[role] = res.headers.get('set-cookie')!.split(';')[0]!;
    return (res.json.user as { id: string }).id;
  }

  const audited: string[] = [];
  const adminId = await login('admin');
  const ids: Record<string, string> = { admin: adminId };
  for (const role of ['viewer', 'editor'] as const) {
    const res = await call('admin', 'POST', '/api/v1/users', {
      email: emails[role],
      role,
      password: PASSWORD,
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    audited.push(`user:${adminId} user.create`);
    ids[role] = await login(role);
  }
  const read = await call('adminKey', 'POST', '/api/v1/api-keys', {
    name: 'read-only',
    scopes: ['read'],
  });
  expect(read.status).toBe(201);
  keys.readKey = read.json.key as string;
  const me = await call('adminKey', 'GET', '/api/v1/auth/me');
  const adminKeyId = (me.json.api_key as { id: string }).id;
  audited.push(`api_key:${adminKeyId} api_key.create`);
  return {
    osprey,
    emails,
    actors: {
      viewer: `user:${ids.viewer}`,
      editor: `user:${ids.editor}`,
      admin: `user:${ids.admin}`,
      readKey: `api_key:${read.json.id as string}`,
      adminKey: `api_key:${adminKeyId}`,
    },
    call,
    audited,
  };
}

/** One row of a route table: a handler, the role it needs, a bad input and a good one. */
export interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Evaluated when the case runs, so it can use ids that earlier cases created. */
  path: () => string;
  role: Role;
  /** Who makes the successful call (default: a signed-in user of `role`). */
  as?: Who;
  /** Input the handler refuses, and the exact 400 error naming the field. */
  bad?: { path?: () => string; body?: unknown; error: string };
  /** `body` may be a function, evaluated when the case runs (like `path`). */
  ok: { body?: unknown; status: number };
  /** The audit action of the successful mutation (none for reads and previews). */
  audit?: string;
  /** More checks on the successful answer; may keep ids for later cases. */
  then?: (json: Answer['json']) => void | Promise<void>;
}

export const caseName = (c: RouteCase) =>
  `${c.method} ${c.path().replace(/undefined|[0-9a-f-]{36}/g, '{id}')}`;

const refused = {
  editor: (email: string, has: string) => `this needs the editor role; ${email} is ${has}`,
  admin: (email: string, has: string) => `this needs the admin role; ${email} is ${has}`,
};

/** 401 without credentials, 403 below the role (sessions and a read-only key), 400, success. */
export async function checkRoute(server: RouteServer, c: RouteCase): Promise<Answer> {
  const { call, emails } = server;
  const path = c.path();
  const body: unknown =
    typeof c.ok.body === 'function' ? (c.ok.body as () => unknown)() : c.ok.body;
  const anonymous = await call('anonymous', c.method, path, body);
  expect(anonymous.status, JSON.stringify(anonymous.json)).toBe(401);
  expect(anonymous.json.error).toMatch(/^not signed in: /);
  if (c.role !== 'viewer') {
    const lower: Role[] = c.role === 'admin' ? ['viewer', 'editor'] : ['viewer'];
    for (const role of lower) {
      expect(await call(role, c.method, path, body)).toMatchObject({
        status: 403,
        json: { error: refused[c.role](emails[role], role) },
      });
    }
    expect(await call('readKey', c.method, path, body)).toMatchObject({
      status: 403,
      json: { error: "this API key lacks the 'admin' scope" },
    });
  }
  const who = c.as ?? c.role;
  if (c.bad) {
    const bad = await call(who, c.method, c.bad.path?.() ?? path, c.bad.body);
    expect(bad, c.bad.error).toMatchObject({ status: 400, json: { error: c.bad.error } });
  }
  const ok = await call(who, c.method, path, body);
  expect(ok.status, JSON.stringify(ok.json)).toBe(c.ok.status);
  if (c.audit) server.audited.push(`${server.actors[who as Exclude<Who, 'anonymous'>]} ${c.audit}`);
  if (c.method === 'GET' && c.role === 'viewer') {
    expect((await call('readKey', c.method, path)).status).toBe(c.ok.status);
  }
  await c.then?.(ok.json);
  return ok;
}

/**
 * Stops the server and checks audit_log: every successful mutation left exactly one row naming its
 * actor and action, and nothing else was recorded for these callers (no generic http.* rows, no
 * rows for refused calls or reads). Logins are left out.
 */
export async function expectAuditLog(server: RouteServer): Promise<void> {
  await server.osprey.stop();
  const actors = Object.values(server.actors);
  const rows = await sqlRows(
    server.osprey.dataDir,
    `SELECT actor, action FROM audit_log
     WHERE action NOT IN ('auth.login', 'auth.login_failed')
       AND actor IN (${actors.map((a) => `'${a}'`).join(', ')})`,
  );
  expect(rows.map((r) => r.join(' ')).sort()).toEqual([...server.audited].sort());
}
