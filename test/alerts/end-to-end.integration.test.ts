import { Osprey, verifyWebhook } from '@osprey/sdk';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_ALERTS, hourWindow, waitFor } from '../support/alerts';
import { mulberry32 } from '../support/events';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';
import { startReceiver, type TestReceiver } from '../support/receiver';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { api } from '../support/upload';

// The whole loop through a real `osprey start`: drift logged with the SDK, POST …/detect, the rule
// fires, an email reaches a real SMTP server and a signed webhook a real HTTP receiver; a restart
// sends no duplicate; the data recovers and both channels get the resolution.
let osprey: OspreyProcess;
let smtp: TestSmtp;
let receiver: TestReceiver;
const env = () => ({
  ...FAST_ALERTS,
  OSPREY_DETECTORS: 'off',
  SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
  OSPREY_MAIL_FROM: 'Osprey <alerts@osprey.test>',
});

beforeAll(async () => {
  [smtp, receiver] = await Promise.all([startSmtp(), startReceiver()]);
  osprey = await startOsprey({ env: env() });
}, 120_000);
afterAll(async () => {
  await osprey?.stop();
  await Promise.all([smtp?.close(), receiver?.close()]);
});

const call = <T>(method: string, path: string, body?: unknown) =>
  api<T>(osprey.url, osprey.apiKey, method, path, body);

const rand = mulberry32(7);
const normal = (mean: number) =>
  mean + Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

/** Logs 300 predictions through the SDK into a past hour, rooms centred on `rooms`. */
async function logHour(hoursAgo: number, rooms: number) {
  const w = hourWindow(hoursAgo);
  const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
  for (let i = 0; i < 300; i++) {
    client.log({
      model: 'house',
      version: 'v1',
      timestamp: w.from + i * 10_000,
      features: { rooms: normal(rooms), area: normal(90) },
      prediction: 400_000,
      latency_ms: 5,
    });
  }
  expect(await client.close(10_000)).toBe(true);
  return { from: new Date(w.from).toISOString(), to: new Date(w.to).toISOString() };
}

interface Detected {
  windows: { drift: { features: { feature: string; statistics: Record<string, number> }[] } }[];
  alerts: { to: string; from: string; feature: string | null; notified: string | null }[];
}
/** The rooms PSI of a detection of one hourly window (the model's own window: one in the answer). */
const psiOfRooms = (d: Detected) => {
  expect(d.windows).toHaveLength(1);
  return d.windows[0]!.drift.features.find((f) => f.feature === 'rooms')!.statistics.psi!;
};
const settle = () => new Promise((r) => setTimeout(r, 1_000));
const mailsTo = (to: string) => smtp.messages.filter((m) => m.envelopeTo.includes(to));

describe('alerts end to end', () => {
  it('refuses bad definitions with a 400 naming the field', async () => {
    const rule = { name: 'r', model: 'house', metric: 'error_rate', op: '>', threshold: 0.1 };
    const cases: [string, unknown, string][] = [
      [
        '/api/v1/alert-rules',
        { ...rule, metric: 'drift.nonsense' },
        'metric: drift statistics are',
      ],
      ['/api/v1/alert-rules', { ...rule, op: 'above' }, 'op: must be one of'],
      ['/api/v1/alert-rules', { ...rule, threshold: undefined }, 'threshold: required, a number'],
      ['/api/v1/alert-rules', { ...rule, for: 1.5 }, 'for: '],
      [
        '/api/v1/alert-rules',
        { ...rule, repeat_interval: 'daily' },
        'repeat_interval: must be a duration',
      ],
      [
        '/api/v1/alert-rules',
        { ...rule, channels: ['6a410edc-7321-4c59-8f9a-7c497cac6adc'] },
        'channels.0: no channel with id',
      ],
      ['/api/v1/alert-rules', 'not json', 'body: '],
      ['/api/v1/channels', { kind: 'sms', name: 'x' }, 'kind: must be "email" or "webhook"'],
      [
        '/api/v1/channels',
        { kind: 'email', name: 'x', to: ['nope'] },
        'to.0: must be email addresses',
      ],
      [
        '/api/v1/channels',
        { kind: 'webhook', name: 'x', url: 'http://10.0.0.7/hook' },
        'url: 10.0.0.7 resolves to 10.0.0.7 (private)',
      ],
      [
        '/api/v1/channels',
        { kind: 'webhook', name: 'x', url: 'https://example.com', secret: 'abc' },
        'secret: must be "whsec_"',
      ],
      ['/api/v1/silences', { matchers: [{ name: 'model', value: 'house' }] }, 'ends_at: '],
      [
        '/api/v1/silences',
        { matchers: [{ name: 'colour', value: 'x' }], ends_at: '2099-01-01T00:00:00Z' },
        'matchers.0.name: must be one of',
      ],
    ];
    for (const [path, body, error] of cases) {
      const res = await fetch(`${osprey.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${osprey.apiKey}`, 'content-type': 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      expect([path, res.status, ((await res.json()) as { error: string }).error]).toEqual([
        path,
        400,
        expect.stringContaining(error),
      ]);
    }
    expect(
      (await call('GET', '/api/v1/alert-rules/6a410edc-7321-4c59-8f9a-7c497cac6adc')).status,
    ).toBe(404);
  });

  it('drift fires on both channels, a restart sends no duplicate, recovery resolves on both', async () => {
    const email = await call<{ id: string }>('POST', '/api/v1/channels', {
      kind: 'email',
      name: 'ML on-call',
      to: ['ml-oncall@example.com'],
    });
    const hook = await call<{ id: string; secret: string; enabled: boolean }>(
      'POST',
      '/api/v1/channels',
      {
        kind: 'webhook',
        name: 'incident bot',
        url: receiver.url('/hooks/osprey'),
      },
    );
    expect([email.status, hook.status]).toEqual([201, 201]);
    expect(hook.body.secret).toMatch(/^whsec_/);
    expect(JSON.stringify((await call('GET', '/api/v1/channels')).body)).not.toContain(
      hook.body.secret,
    );
    const rule = await call<{ id: string }>('POST', '/api/v1/alert-rules', {
      name: 'Rooms drift',
      model: 'house',
      metric: 'drift.psi',
      feature: 'rooms',
      op: '>',
      threshold: 0.2,
      severity: 'critical',
      channels: [email.body.id, hook.body.id],
    });
    expect(rule.status).toBe(201);
    const reference = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
    const rows = Array.from({ length: 1_000 }, () => ({
      features: { rooms: normal(3), area: normal(90) },
    }));
    expect((await reference.logReference('house', 'v1', rows)).accepted).toBe(1_000);
    await reference.close();

    // Drifted hour: rooms centred on 6 instead of 3.
    const drifted = await logHour(6, 6);
    const fired = await call<Detected>('POST', '/api/v1/models/house/detect', drifted);
    expect(fired.body.alerts).toMatchObject([
      { from: 'inactive', to: 'firing', feature: 'rooms', notified: 'firing' },
    ]);
    const psi = psiOfRooms(fired.body);
    expect(psi).toBeGreaterThan(0.2);
    const shown = String(Number(psi.toPrecision(6))); // how notifications print the value

    const [mail] = await waitFor('the firing email', () =>
      mailsTo('ml-oncall@example.com').length === 1 ? mailsTo('ml-oncall@example.com') : undefined,
    );
    expect(mail!.mail.subject).toBe('[Osprey] [FIRING:1] house: Rooms drift');
    expect(mail!.mail.from?.text).toContain('alerts@osprey.test');
    for (const part of [mail!.mail.text!, mail!.mail.html as string]) {
      expect(part).toContain(shown);
      expect(part).toContain('0.2');
      expect(part).toContain(drifted.from);
      expect(part).toContain(drifted.to);
      expect(part).toContain(`http://localhost:${osprey.port}/models/house`);
    }
    expect(mail!.mail.text).toContain(`drift.psi = ${shown} > 0.2 on feature rooms`);

    const [request] = await waitFor('the firing webhook', () =>
      receiver.at('/hooks/osprey').length === 1 ? receiver.at('/hooks/osprey') : undefined,
    );
    const payload = verifyWebhook(hook.body.secret, request!.headers, request!.body) as {
      type: string;
      data: {
        schema_version: number;
        alerts: { status: string; value: number; feature: string; window: object; rule: object }[];
      };
    };
    // The reference implementation of Standard Webhooks agrees.
    expect(
      new Webhook(hook.body.secret).verify(
        request!.body,
        request!.headers as Record<string, string>,
      ),
    ).toEqual(payload);
    expect(payload.type).toBe('alert.firing');
    expect(payload.data.schema_version).toBe(1);
    expect(payload.data.alerts).toMatchObject([
      {
        status: 'firing',
        value: psi,
        feature: 'rooms',
        window: drifted,
        rule: {
          id: rule.body.id,
          name: 'Rooms drift',
          metric: 'drift.psi',
          op: '>',
          threshold: 0.2,
          severity: 'critical',
        },
      },
    ]);
    expect(() =>
      verifyWebhook(
        hook.body.secret,
        request!.headers,
        request!.body.replace('firing', 'resolved'),
      ),
    ).toThrow();

    // Restart while firing: the next drifted hour sends nothing new (repeat_interval is 4 h).
    await osprey.stop();
    osprey = await startOsprey({ env: env(), dataDir: osprey.dataDir, apiKey: osprey.apiKey });
    const still = await call<Detected>('POST', '/api/v1/models/house/detect', await logHour(5, 6));
    expect(still.body.alerts).toEqual([]);
    await settle();
    expect(mailsTo('ml-oncall@example.com')).toHaveLength(1);
    expect(receiver.at('/hooks/osprey')).toHaveLength(1);

    // Recovery: rooms back around 3.
    const recovered = await logHour(4, 3);
    const resolved = await call<Detected>('POST', '/api/v1/models/house/detect', recovered);
    expect(psiOfRooms(resolved.body)).toBeLessThan(0.2);
    expect(resolved.body.alerts).toMatchObject([
      { from: 'firing', to: 'resolved', notified: 'resolved' },
    ]);
    const resolvedMail = await waitFor(
      'the resolved email',
      () => mailsTo('ml-oncall@example.com')[1],
    );
    expect(resolvedMail.mail.subject).toBe('[Osprey] [RESOLVED:1] house: Rooms drift');
    const resolvedHook = await waitFor(
      'the resolved webhook',
      () => receiver.at('/hooks/osprey')[1],
    );
    expect(verifyWebhook(hook.body.secret, resolvedHook.headers, resolvedHook.body)).toMatchObject({
      type: 'alert.resolved',
      data: { alerts: [{ status: 'resolved', window: recovered }] },
    });

    const alerts = await call<{ state: string; rule: string }[]>(
      'GET',
      '/api/v1/alerts?model=house',
    );
    expect(alerts.body).toMatchObject([{ state: 'resolved', rule: 'Rooms drift' }]);
    const events = await call<{ event: string }[]>('GET', '/api/v1/alerts/events?model=house');
    expect(events.body.map((e) => e.event)).toEqual(['resolved', 'firing']);
    const log = await call<{ status: string; channel_kind: string }[]>(
      'GET',
      '/api/v1/notifications?model=house',
    );
    expect(log.body.map((n) => `${n.channel_kind}:${n.status}`).sort()).toEqual([
      'email:delivered',
      'email:delivered',
      'webhook:delivered',
      'webhook:delivered',
    ]);
  });

  it('exports rules, imports an edited file, and sends a test notification', async () => {
    const exported = await fetch(`${osprey.url}/api/v1/alert-rules/export`, {
      headers: { authorization: `Bearer ${osprey.apiKey}` },
    });
    expect(exported.headers.get('content-disposition')).toContain('osprey-alert-rules.json');
    const file = (await exported.json()) as {
      version: number;
      rules: { name: string; threshold: number }[];
    };
    expect(file.rules.map((r) => r.name)).toEqual(['Rooms drift']);
    file.rules[0]!.threshold = 0.3;
    const bad = await call('POST', '/api/v1/alert-rules/import', {
      ...file,
      rules: [
        ...file.rules,
        { name: 'x', model: 'house', metric: 'error_rate', op: '>>', threshold: 1 },
      ],
    });
    expect(bad).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('rules.1.op') },
    });
    const imported = await call('POST', '/api/v1/alert-rules/import', {
      ...file,
      rules: [
        ...file.rules,
        { name: 'Errors', model: '*', metric: 'error_rate', op: '>', threshold: 0.1 },
      ],
    });
    expect(imported.body).toEqual({ created: 1, replaced: 1, deleted: 0 });
    const listed = await call<{ name: string; threshold: number }[]>('GET', '/api/v1/alert-rules');
    expect(listed.body.map((r) => [r.name, r.threshold])).toEqual([
      ['Errors', 0.1],
      ['Rooms drift', 0.3],
    ]);
    const pruned = await call('POST', '/api/v1/alert-rules/import?prune=true', file);
    expect(pruned.body).toEqual({ created: 0, replaced: 1, deleted: 1 });

    const channels = await call<{ id: string; kind: string }[]>('GET', '/api/v1/channels');
    const hook = channels.body.find((c) => c.kind === 'webhook')!;
    const before = receiver.at('/hooks/osprey').length;
    const sent = await call('POST', `/api/v1/channels/${hook.id}/test`);
    expect(sent).toEqual({ status: 200, body: { delivered: true, status_code: 200, error: null } });
    expect(JSON.parse(receiver.at('/hooks/osprey')[before]!.body)).toMatchObject({
      type: 'alert.test',
    });
  });
});
