import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../support/receiver';
import {
  caseName,
  checkRoute,
  expectAuditLog,
  startRouteServer,
  type RouteCase,
  type RouteServer,
} from '../support/routes';
import { postAll } from '../support/upload';

// Alert rules, preview, silences, channels, alerts and notifications: 401, 403, 400, success.
let server: RouteServer;
const receiver = await startReceiver();
beforeAll(async () => {
  server = await startRouteServer({ OSPREY_DETECTORS: 'off', OSPREY_WEBHOOK_ALLOW: '127.0.0.1' });
});
afterAll(async () => {
  await server?.osprey.stop();
  await receiver.close();
});

const ids: Record<string, string> = {};
const keep = (name: string) => (json: Record<string, unknown>) => {
  ids[name] = json.id as string;
};
const rule = { name: 'errors up', model: 'm', metric: 'error_rate', op: '>', threshold: 0.2 };
const ISO_HELP = 'must be an ISO-8601 time such as 2026-01-31T12:00:00Z';

const cases: RouteCase[] = [
  {
    method: 'POST',
    path: () => '/api/v1/channels',
    role: 'admin',
    bad: {
      body: { kind: 'webhook', name: 'x', url: 'ftp://x' },
      error: 'url: must be an http(s) URL',
    },
    ok: { body: { kind: 'webhook', name: 'hook', url: 'http://127.0.0.1:9/' }, status: 201 },
    audit: 'channel.create',
    then: keep('channel'),
  },
  { method: 'GET', path: () => '/api/v1/channels', role: 'viewer', ok: { status: 200 } },
  {
    method: 'GET',
    path: () => `/api/v1/channels/${ids.channel}`,
    role: 'viewer',
    ok: { status: 200 },
  },
  {
    method: 'PUT',
    path: () => `/api/v1/channels/${ids.channel}`,
    role: 'admin',
    bad: { body: { kind: 'email', name: 'x', to: [] }, error: 'to: needs at least one address' },
    ok: { body: { kind: 'webhook', name: 'hook', url: receiver.url('/hook') }, status: 200 },
    audit: 'channel.update',
  },
  {
    method: 'POST',
    path: () => `/api/v1/channels/${ids.channel}/test`,
    role: 'admin',
    ok: { status: 200 },
    audit: 'channel.test',
  },
  {
    method: 'POST',
    path: () => '/api/v1/alert-rules',
    role: 'editor',
    bad: { body: { ...rule, op: '=>' }, error: 'op: must be one of > >= < <= == !=' },
    ok: { body: () => ({ ...rule, channels: [ids.channel] }), status: 201 },
    audit: 'alert_rule.create',
    then: keep('rule'),
  },
  {
    method: 'GET',
    path: () => '/api/v1/alert-rules?model=m',
    role: 'viewer',
    ok: { status: 200 },
    then: (json) => expect(json).toHaveLength(1),
  },
  {
    method: 'GET',
    path: () => `/api/v1/alert-rules/${ids.rule}`,
    role: 'viewer',
    ok: { status: 200 },
  },
  {
    method: 'PUT',
    path: () => `/api/v1/alert-rules/${ids.rule}`,
    role: 'editor',
    as: 'adminKey',
    bad: { body: { ...rule, threshold: 'high' }, error: 'threshold: required, a number' },
    ok: { body: { ...rule, threshold: 0.3 }, status: 200 },
    audit: 'alert_rule.update',
  },
  {
    method: 'POST',
    path: () => '/api/v1/alert-rules/preview',
    role: 'viewer',
    bad: {
      path: () => '/api/v1/alert-rules/preview?from=yesterday&to=2026-01-01T00:00:00Z',
      body: rule,
      error: `from: ${ISO_HELP}`,
    },
    ok: { body: rule, status: 200 },
    then: (json) => expect(json).toMatchObject({ windows: 0, fired: 0, firings: [] }),
  },
  { method: 'GET', path: () => '/api/v1/alert-rules/export', role: 'viewer', ok: { status: 200 } },
  {
    method: 'POST',
    path: () => '/api/v1/alert-rules/import',
    role: 'editor',
    bad: { body: { version: 2, rules: [] }, error: 'version: must be 1' },
    ok: { body: { rules: [{ ...rule, name: 'imported' }] }, status: 200 },
    audit: 'alert_rule.import',
  },
  {
    method: 'POST',
    path: () => '/api/v1/silences',
    role: 'editor',
    bad: {
      body: { matchers: [], ends_at: '2100-01-01T00:00:00Z' },
      error: 'matchers: needs at least one matcher',
    },
    ok: {
      body: { matchers: [{ name: 'model', value: 'm' }], ends_at: '2100-01-01T00:00:00Z' },
      status: 201,
    },
    audit: 'silence.create',
    then: keep('silence'),
  },
  { method: 'GET', path: () => '/api/v1/silences?all=true', role: 'viewer', ok: { status: 200 } },
  {
    method: 'GET',
    path: () => `/api/v1/silences/${ids.silence}`,
    role: 'viewer',
    ok: { status: 200 },
  },
  {
    method: 'DELETE',
    path: () => `/api/v1/silences/${ids.silence}`,
    role: 'editor',
    ok: { status: 200 },
    audit: 'silence.expire',
  },
  {
    method: 'GET',
    path: () => '/api/v1/alerts?state=firing',
    role: 'viewer',
    bad: {
      path: () => '/api/v1/alerts?state=on',
      error: 'state: must be pending, firing, resolved or inactive',
    },
    ok: { status: 200 },
  },
  {
    method: 'GET',
    path: () => '/api/v1/alerts/events?model=m',
    role: 'viewer',
    bad: {
      path: () => '/api/v1/alerts/events?event=fired',
      error: 'event: must be pending, firing, resolved, inactive or action',
    },
    ok: { status: 200 },
  },
  {
    method: 'GET',
    path: () => '/api/v1/notifications',
    role: 'viewer',
    bad: {
      path: () => '/api/v1/notifications?channel_id=7',
      error: 'channel_id: must be a channel id',
    },
    ok: { status: 200 },
    then: (json) =>
      expect(json).toEqual([expect.objectContaining({ kind: 'test', status: 'delivered' })]),
  },
  {
    method: 'DELETE',
    path: () => `/api/v1/alert-rules/${ids.rule}`,
    role: 'editor',
    ok: { status: 200 },
    audit: 'alert_rule.delete',
  },
  {
    method: 'DELETE',
    path: () => `/api/v1/channels/${ids.channel}`,
    role: 'admin',
    ok: { status: 200 },
    audit: 'channel.delete',
  },
];

describe('alert routes', () => {
  for (const c of cases) it(caseName(c), () => checkRoute(server, c).then(() => undefined));

  it('shows channel addresses to admins only', async () => {
    const created = await server.call('admin', 'POST', '/api/v1/channels', {
      kind: 'email',
      name: 'oncall',
      to: ['oncall@example.com'],
    });
    server.audited.push(`${server.actors.admin} channel.create`);
    const admin = await server.call(
      'admin',
      'GET',
      `/api/v1/channels/${created.json.id as string}`,
    );
    expect(admin.json).toMatchObject({ name: 'oncall', to: ['oncall@example.com'] });
    const viewer = await server.call('viewer', 'GET', '/api/v1/channels');
    expect(viewer.json).toEqual([
      { id: created.json.id, kind: 'email', name: 'oncall', enabled: true, disabled_reason: null },
    ]);
  });

  it('previews a rule with the firings the engine records for the same windows', async () => {
    // Error shares per hour, 6 hours ago to 1 hour ago: breaching windows 1, 3 and 4.
    const shares = [0, 0.5, 0, 0.5, 0.5, 0];
    const HOUR = 3_600_000;
    const first = Math.floor(Date.now() / HOUR) * HOUR - shares.length * HOUR;
    await postAll(
      server.osprey.url,
      server.osprey.apiKey,
      '/v1/predictions',
      shares.flatMap((share, w) =>
        Array.from({ length: 20 }, (_, i) => ({
          model: 'pv',
          version: 'v1',
          timestamp: first + w * HOUR + i * 60_000,
          features: { x: i },
          ...(i < share * 20 ? { error: 'boom' } : { prediction: 1 }),
        })),
      ),
    );
    const live = { ...rule, name: 'pv errors', model: 'pv' };
    expect((await server.call('editor', 'POST', '/api/v1/alert-rules', live)).status).toBe(201);
    server.audited.push(`${server.actors.editor} alert_rule.create`);
    for (let w = 0; w < shares.length; w++) {
      const window = { from: first + w * HOUR, to: first + (w + 1) * HOUR };
      const res = await server.call('editor', 'POST', '/api/v1/models/pv/detect', {
        from: new Date(window.from).toISOString(),
        to: new Date(window.to).toISOString(),
      });
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      server.audited.push(`${server.actors.editor} detectors.run`);
    }
    const events = await server.call(
      'viewer',
      'GET',
      '/api/v1/alerts/events?model=pv&event=firing',
    );
    expect(events.json).toHaveLength(2);

    const range = `from=${new Date(first).toISOString()}&to=${new Date(first + 6 * HOUR).toISOString()}`;
    const preview = async (body: object, query = range) =>
      (await server.call('viewer', 'POST', `/api/v1/alert-rules/preview?${query}`, body)).json;
    const once = await preview(live);
    expect(once).toMatchObject({ windows: 6, fired: 2 });
    expect((once.firings as { window: { from: string } }[]).map((f) => f.window.from)).toEqual([
      new Date(first + 1 * HOUR).toISOString(),
      new Date(first + 3 * HOUR).toISOString(),
    ]);
    expect(await preview({ ...live, for: 2 })).toMatchObject({ fired: 1 });
    expect(await preview({ ...live, for: 3 })).toMatchObject({ fired: 0 });
    expect(await preview({ ...live, model: '*', op: '<', threshold: 0.1 })).toMatchObject({
      fired: 3,
    });
    // The default range is the last 7 days, which holds all six windows.
    expect(await preview(live, '')).toMatchObject({ windows: 6, fired: 2 });
    expect(await preview({ ...live, model: 'nothing-logged' }, '')).toMatchObject({ fired: 0 });
  });

  it('records exactly one audit row per successful mutation', () => expectAuditLog(server));
});
