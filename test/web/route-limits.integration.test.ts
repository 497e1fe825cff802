import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post } from '../support/http';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';
import { rssKiB } from '../support/proc';
import { dribble, rawRequest } from '../support/raw-http';

// Every route has a body cap and deadlines, set in one place (cli/src/server/request-limits.ts).
// The routes are read from the tree — every Next.js route file and the collector's — so a route
// added later is walked too.
const IDLE_S = 1.5;
const TOTAL_S = 4;
const JSON_CAP = 1024 * 1024;
let osprey: OspreyProcess;

beforeAll(async () => {
  osprey = await startOsprey({
    env: { OSPREY_BODY_IDLE_TIMEOUT_S: String(IDLE_S), OSPREY_BODY_TIMEOUT_S: String(TOTAL_S) },
  });
});
afterAll(async () => {
  await osprey?.stop();
});

interface Route {
  method: string;
  path: string;
}

/** Every method every route file exports, with its dynamic segments filled in. */
function nextRoutes(): Route[] {
  const app = join(REPO_ROOT, 'web', 'app');
  const files = (readdirSync(app, { recursive: true }) as string[]).filter((f) =>
    f.endsWith(`${sep}route.ts`),
  );
  return files.flatMap((file) => {
    const dir = relative(app, join(app, file, '..'))
      .split(sep)
      .filter((s) => !s.startsWith('('))
      .map((s) => (s.startsWith('[') ? 'm1' : s));
    const source = readFileSync(join(app, file), 'utf8');
    const methods = [
      ...source.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g),
    ].map((m) => m[1]!);
    return methods.map((method) => ({ method, path: `/${dir.join('/')}` }));
  });
}

const COLLECTOR: Route[] = ['/v1/predictions', '/v1/labels', '/v1/reference'].map((path) => ({
  method: 'POST',
  path,
}));
const ROUTES = [...nextRoutes(), ...COLLECTOR];

describe('request body limits on every route', () => {
  it('finds the routes (so a walk that found none cannot pass)', () => {
    expect(ROUTES.length).toBeGreaterThan(40);
    expect(ROUTES).toContainEqual({ method: 'POST', path: '/api/v1/auth/login' });
    expect(ROUTES).toContainEqual({ method: 'POST', path: '/api/v1/models/m1/versions' });
  });

  it('answers 413 at once, unread, for a declared body over the cap on every non-event route', async () => {
    const routes = ROUTES.filter((r) => !r.path.startsWith('/v1/') || r.path.includes('/models/'));
    const answers = await Promise.all(
      routes.map(async (r) => {
        const { answer } = rawRequest({
          port: osprey.port,
          method: r.method,
          path: r.path,
          headers: { 'content-type': 'application/json', 'content-length': 700 * 1024 * 1024 },
        });
        return { ...r, ...(await answer) };
      }),
    );
    for (const a of answers) {
      expect({ route: `${a.method} ${a.path}`, status: a.status }).toEqual({
        route: `${a.method} ${a.path}`,
        status: 413,
      });
      expect(a.afterMs).toBeLessThan(2_000);
      expect(JSON.parse(a.body).error).toMatch(
        /^request body is larger than \d+ bytes \((OSPREY_MAX_JSON_BODY_BYTES|OSPREY_MAX_ARTIFACT_BYTES)\)$/,
      );
    }
  });

  it('answers 408 and closes for a body that stops arriving, on every route', async () => {
    const answers = await Promise.all(
      ROUTES.map(async (r) => {
        const { answer } = rawRequest({
          port: osprey.port,
          method: r.method,
          path: r.path,
          headers: {
            'content-type': 'application/json',
            'content-length': 100,
            authorization: `Bearer ${osprey.apiKey}`,
          },
          send: (socket) => socket.write('{'),
        });
        return { ...r, ...(await answer) };
      }),
    );
    // A route that reads its body waits for it, which never completes: it can only be cut at the
    // idle deadline with 408. A route that answers without reading a body (a GET, an unknown id, a
    // refused caller) answers on its own.
    for (const a of answers) {
      if (a.status === 408) {
        expect(JSON.parse(a.body).error).toBe(
          `no byte of the request body arrived for ${IDLE_S} s`,
        );
        expect(a.afterMs).toBeGreaterThan(IDLE_S * 1000 - 300);
        expect(a.afterMs).toBeLessThan(TOTAL_S * 1000);
      } else {
        // Its own answer, whenever it is ready (a busy machine may take a while), never a hang.
        expect(a.afterMs, `${a.method} ${a.path}`).toBeLessThan(TOTAL_S * 1000);
        expect(a.status, `${a.method} ${a.path}`).toBeLessThan(500); // an unknown id is a 404
      }
    }
    const waited = answers.filter((a) => a.status === 408);
    for (const a of answers) expect(a.status, `${a.method} ${a.path}`).toBeGreaterThan(0);
    // Every route that takes a body was among those held to the deadline, the collector's too.
    const held = waited.map((a) => `${a.method} ${a.path}`);
    for (const r of [
      'POST /v1/predictions',
      'POST /v1/labels',
      'POST /v1/reference',
      'POST /api/v1/auth/login',
      'POST /api/v1/alert-rules',
      'PUT /api/v1/models/m1/settings',
      'POST /api/v1/models/m1/detect',
      'POST /api/v1/users',
    ])
      expect(held).toContain(r);
  });

  it('answers 408 for a body that keeps dribbling past the whole-body deadline', async () => {
    const { answer } = rawRequest({
      port: osprey.port,
      method: 'POST',
      path: '/api/v1/alert-rules',
      headers: {
        'content-type': 'application/json',
        'content-length': 10_000,
        authorization: `Bearer ${osprey.apiKey}`,
      },
      send: dribble(200),
    });
    const a = await answer;
    expect(a.status).toBe(408);
    expect(JSON.parse(a.body).error).toBe(
      `the request body took longer than ${TOTAL_S} s; send it faster or in smaller parts`,
    );
    expect(a.afterMs).toBeGreaterThan(TOTAL_S * 1000 - 300);
  });

  it('answers 411 for a chunked body on a non-event route', async () => {
    const { answer } = rawRequest({
      port: osprey.port,
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      send: (socket) => socket.write('2\r\n{}\r\n0\r\n\r\n'),
    });
    expect((await answer).status).toBe(411);
  });

  it('row 7: a 600 MB body to POST /api/v1/auth/login is refused with 413 before it is read', async () => {
    const before = rssKiB(osprey.child.pid!);
    const total = 600 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const { answer } = rawRequest({
      port: osprey.port,
      method: 'POST',
      path: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json', 'content-length': total },
      send: (socket) => {
        const pump = () => {
          while (sent < total && socket.writable) {
            sent += chunk.length;
            if (!socket.write(chunk)) return void socket.once('drain', pump);
          }
        };
        pump();
      },
    });
    const { status, afterMs } = await answer;
    expect(status).toBe(413);
    expect(afterMs).toBeLessThan(1_000); // answered at once, not after reading 600 MB
    expect(sent).toBeLessThan(total); // and the connection closed before the client was done
    expect(rssKiB(osprey.child.pid!) - before).toBeLessThan(32 * 1024);
  });

  it('still takes a JSON body under the cap, and events as before', async () => {
    // 900 KB of JSON (padded with white space): under the 1 MiB cap, read and answered by the route.
    const body = JSON.stringify({ email: 'nobody@example.com', password: 'not-the-password' });
    const padded = body.replace('{', `{${' '.repeat(900 * 1024)}`);
    expect(padded.length).toBeLessThan(JSON_CAP);
    const login = await post(`${osprey.url}/api/v1/auth/login`, padded, {
      'content-type': 'application/json',
    });
    expect(login).toMatchObject({ status: 401, json: { error: 'wrong email or password' } });
    const events = await post(
      `${osprey.url}/v1/predictions`,
      JSON.stringify({ model: 'limits', version: 'v1', features: { x: 1 }, prediction: 1 }),
      { 'content-type': 'application/json', authorization: `Bearer ${osprey.apiKey}` },
    );
    expect(events).toMatchObject({ status: 200, json: { accepted: 1, rejected: [] } });
    expect(osprey.child.exitCode).toBeNull();
  });
});
