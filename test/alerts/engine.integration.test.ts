import type { Store } from '@osprey/db';
import {
  channelInput,
  createChannel,
  createRule,
  createSilence,
  expireSilence,
  getChannel,
  listAlertEvents,
  listNotifications,
  ruleInput,
  type AlertAction,
  type Alerts,
  type RuleInput,
} from '@osprey/detectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detect,
  hourWindow,
  logWindow,
  openTestStore,
  startAlerts,
  waitFor,
} from '../support/alerts';
import { failTimes, startReceiver, type TestReceiver } from '../support/receiver';
import { startSmtp, type TestSmtp } from '../support/smtp';

// The alert engine in-process on real chDB, with a real SMTP server and a real HTTP receiver on
// loopback: states, grouping, silences, retries, 410/3xx handling, restarts, actions.
let store: Store;
let alerts: Alerts;
let receiver: TestReceiver;
let smtp: TestSmtp;

beforeAll(async () => {
  [store, receiver, smtp] = await Promise.all([openTestStore(), startReceiver(), startSmtp()]);
  alerts = startAlerts(store, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
}, 60_000);
afterAll(async () => {
  await alerts?.stop();
  await Promise.all([receiver?.close(), smtp?.close()]);
  await store?.close();
});

const webhook = (path: string) =>
  createChannel(
    store,
    channelInput.parse({ kind: 'webhook', name: path, url: receiver.url(path) }),
    'test',
    alerts.policy,
  );
const email = (to: string) =>
  createChannel(
    store,
    channelInput.parse({ kind: 'email', name: to, to: [to] }),
    'test',
    alerts.policy,
  );
const rule = (spec: RuleInput) => createRule(store, ruleInput.parse(spec), 'test');
const payload = (body: string) =>
  JSON.parse(body) as {
    type: string;
    data: {
      alerts: { status: string; value: number; repeat: boolean; rule: { name: string } }[];
      counts: { firing: number };
    };
  };
const settle = () => new Promise((r) => setTimeout(r, 700)); // > group_wait + a few polls

/** Logs and detects a window; bad windows have 20% errors, slow ones 100 ms latency. */
async function window(model: string, hoursAgo: number, bad: boolean, slow = false) {
  const w = hourWindow(hoursAgo);
  await logWindow(store, model, w, { errorShare: bad ? 0.2 : 0, latencyMs: slow ? 100 : 5 });
  return (await detect(store, alerts, model, w)).alerts ?? [];
}

describe('alert states', () => {
  it('for: 3 fires on the third consecutive bad window, and only then notifies', async () => {
    const hook = await webhook('/for3');
    await rule({
      name: 'errors',
      model: 'for3',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      for: 3,
      channels: [hook.id],
    });
    expect(await window('for3', 9, false)).toEqual([]);
    expect(await window('for3', 8, true)).toMatchObject([
      { from: 'inactive', to: 'pending', value: 0.2, notified: null },
    ]);
    expect(await window('for3', 7, true)).toEqual([]); // still pending: no transition
    await settle();
    expect(receiver.at('/for3')).toEqual([]);
    expect(await window('for3', 6, true)).toMatchObject([
      { from: 'pending', to: 'firing', notified: 'firing' },
    ]);
    await waitFor('the firing webhook', () => receiver.at('/for3').length === 1);
    const events = await listAlertEvents(store, { model: 'for3' });
    expect(events.map((e) => e.event).reverse()).toEqual(['pending', 'firing']);
    expect(events[0]).toMatchObject({
      event: 'firing',
      from_state: 'pending',
      value: 0.2,
      threshold: 0.05,
      details: { consecutive: 3, for: 3 },
    });
  });

  it('repeats while firing once repeat_interval has passed', async () => {
    const hook = await webhook('/repeat');
    await rule({
      name: 'errors',
      model: 'repeat',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      repeat_interval: '1s',
      channels: [hook.id],
    });
    await window('repeat', 9, true);
    await waitFor('the first notification', () => receiver.at('/repeat').length === 1);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await window('repeat', 8, true)).toMatchObject([
      { from: 'firing', to: 'firing', notified: 'firing' },
    ]);
    await waitFor('the repeat', () => receiver.at('/repeat').length === 2);
    expect(receiver.at('/repeat').map((r) => payload(r.body).data.alerts[0]!.repeat)).toEqual([
      false,
      true,
    ]);
  });
});

describe('grouping and channels', () => {
  it('alerts of one model fired together go out as one webhook and one email with the numbers', async () => {
    const hook = await webhook('/grouped');
    const mail = await email('team@example.com');
    await rule({
      name: 'Error rate high',
      model: 'grouped',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      channels: [hook.id, mail.id],
    });
    await rule({
      name: 'p95 latency high',
      model: '*',
      metric: 'latency.p95',
      op: '>=',
      threshold: 50,
      severity: 'critical',
      channels: [hook.id, mail.id],
    });
    expect(await window('grouped', 9, true, true)).toHaveLength(2);
    await waitFor('the grouped webhook', () => receiver.at('/grouped').length === 1);
    await waitFor('the grouped email', () =>
      smtp.messages.some((m) => m.envelopeTo.includes('team@example.com')),
    );
    await settle();
    expect(receiver.at('/grouped')).toHaveLength(1);
    const body = payload(receiver.at('/grouped')[0]!.body);
    expect(body.type).toBe('alert.firing');
    expect(body.data.counts.firing).toBe(2);
    expect(body.data.alerts.map((a) => [a.rule.name, a.value]).sort()).toEqual([
      ['Error rate high', 0.2],
      ['p95 latency high', 100],
    ]);
    const mails = smtp.messages.filter((m) => m.envelopeTo.includes('team@example.com'));
    expect(mails).toHaveLength(1);
    const { mail: m } = mails[0]!;
    expect(m.subject).toBe('[Osprey] [FIRING:2] grouped: Error rate high and 1 more');
    expect(m.text).toContain('error_rate = 0.2 > 0.05');
    expect(m.text).toContain('latency.p95 = 100 >= 50');
    expect(m.text).toContain('http://osprey.test/models/grouped');
    expect(m.html).toContain('p95 latency high');
    expect(m.html).toContain('<a href="http://osprey.test/models/grouped">');
  });

  it('a silence suppresses notifications while the events are still recorded', async () => {
    const hook = await webhook('/silenced');
    await rule({
      name: 'errors',
      model: 'silenced',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      channels: [hook.id],
    });
    const silence = await createSilence(
      store,
      {
        matchers: [{ name: 'model', op: '=~', value: 'silen.*' }],
        ends_at: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'maintenance',
      },
      'test',
    );
    expect(await window('silenced', 9, true)).toMatchObject([
      { to: 'firing', notified: null, silenced: true },
    ]);
    await settle();
    expect(receiver.at('/silenced')).toEqual([]);
    expect(await listAlertEvents(store, { model: 'silenced' })).toMatchObject([
      { event: 'firing', silenced: true },
    ]);
    await expireSilence(store, silence.id);
    expect(await window('silenced', 8, true)).toMatchObject([
      { to: 'firing', notified: 'firing', silenced: false },
    ]);
    await waitFor(
      'the notification after the silence',
      () => receiver.at('/silenced').length === 1,
    );
  });
});

describe('delivery', () => {
  it('retries with backoff until the receiver recovers; every attempt is in the notification log', async () => {
    receiver.respond('/flaky', failTimes(2, 503));
    const hook = await webhook('/flaky');
    await rule({
      name: 'errors',
      model: 'flaky',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      channels: [hook.id],
    });
    await window('flaky', 9, true);
    await waitFor('three attempts', () => receiver.at('/flaky').length === 3);
    const ids = new Set(receiver.at('/flaky').map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1); // one message, retried: receivers can deduplicate on webhook-id
    const log = await waitFor('the delivered attempt', async () => {
      const rows = await listNotifications(store, { model: 'flaky' });
      return rows.some((r) => r.status === 'delivered') ? rows : undefined;
    });
    expect(log.reverse().map((r) => [r.attempt, r.status, r.response_code])).toEqual([
      [1, 'retrying', 503],
      [2, 'retrying', 503],
      [3, 'delivered', 200],
    ]);
  });

  it('honours Retry-After', async () => {
    receiver.respond('/slow', failTimes(1, 429, { 'retry-after': '1' }));
    const hook = await webhook('/slow');
    await rule({
      name: 'errors',
      model: 'slow',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      channels: [hook.id],
    });
    await window('slow', 9, true);
    await waitFor('the retry', () => receiver.at('/slow').length === 2);
    const [first, second] = receiver.at('/slow');
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_000); // the backoff alone is ~0.1 s
  });

  it('410 disables the channel; later deliveries to it fail without a request', async () => {
    receiver.respond('/gone', (_q, res) => res.writeHead(410).end());
    const hook = await webhook('/gone');
    await rule({
      name: 'errors',
      model: 'gone',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      channels: [hook.id],
    });
    await rule({
      name: 'latency',
      model: 'gone',
      metric: 'latency.p99',
      op: '>',
      threshold: 50,
      for: 2,
      channels: [hook.id],
    });
    await window('gone', 9, true, true);
    await waitFor(
      'the channel to be disabled',
      async () => (await getChannel(store, hook.id)).disabled_reason !== '',
    );
    expect(receiver.at('/gone')).toHaveLength(1);
    await window('gone', 8, true, true); // the latency rule fires now
    const log = await waitFor('the refused delivery', async () => {
      const rows = await listNotifications(store, { channel_id: hook.id });
      return rows.length === 2 ? rows : undefined;
    });
    expect(log[0]).toMatchObject({ status: 'failed', response_code: null });
    expect(log[0]!.error).toContain('channel disabled');
    expect(log[1]).toMatchObject({ status: 'failed', response_code: 410 });
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('does not follow redirects', async () => {
    receiver.respond('/moved', (_q, res) =>
      res.writeHead(302, { location: receiver.url('/target') }).end(),
    );
    const hook = await webhook('/moved');
    await rule({
      name: 'errors',
      model: 'moved',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      channels: [hook.id],
    });
    await window('moved', 9, true);
    const [row] = await waitFor('an attempt', async () => {
      const rows = await listNotifications(store, { channel_id: hook.id });
      return rows.length > 0 ? rows : undefined;
    });
    expect(row).toMatchObject({ status: 'retrying', response_code: 302 });
    expect(row!.error).toContain('not followed');
    expect(receiver.at('/target')).toEqual([]);
  });

  it('SMTP down: the email is retried and arrives once the server is back', async () => {
    const port = smtp.port;
    await smtp.close();
    const mail = await email('oncall@example.com');
    await rule({
      name: 'errors',
      model: 'smtp-down',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      channels: [mail.id],
    });
    await window('smtp-down', 9, true);
    const [failed] = await waitFor('a failed attempt', async () => {
      const rows = await listNotifications(store, { channel_id: mail.id });
      return rows.length > 0 ? rows : undefined;
    });
    expect(failed).toMatchObject({ status: 'retrying', attempt: 1 });
    expect(failed!.error).toContain('ECONNREFUSED');
    smtp = await startSmtp(port);
    await waitFor(
      'the email',
      () => smtp.messages.some((m) => m.envelopeTo.includes('oncall@example.com')),
      20_000,
    );
  });
});

describe('restart', () => {
  it('a pending delivery survives a restart, and the restarted engine sends no duplicate', async () => {
    receiver.respond('/restart', (_q, res) => res.writeHead(503).end());
    const hook = await webhook('/restart');
    await rule({
      name: 'errors',
      model: 'restart',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      channels: [hook.id],
    });
    await window('restart', 9, true);
    await waitFor('a failed attempt', () => receiver.at('/restart').length >= 1);
    await alerts.stop();
    const attemptsBefore = receiver.at('/restart').length;
    receiver.respond('/restart', (_q, res) => res.end('ok'));
    // A new engine and delivery worker over the same chDB directory, as after a process restart.
    alerts = startAlerts(store, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
    await waitFor(
      'the delivery after the restart',
      () => receiver.at('/restart').length > attemptsBefore,
    );
    expect(await detect(store, alerts, 'restart', hourWindow(9)).then((d) => d.alerts)).toEqual([]); // already evaluated
    expect(await window('restart', 8, true)).toEqual([]); // still firing, nothing to notify
    await settle();
    expect(new Set(receiver.at('/restart').map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(receiver.at('/restart')).toHaveLength(attemptsBefore + 1);
  });
});

describe('actions and pluggable metrics', () => {
  it('a rollback rule records an action event and emits it to onAlertAction subscribers once', async () => {
    const seen: AlertAction[] = [];
    const unsubscribe = alerts.engine.onAlertAction((a) => void seen.push(a));
    await rule({
      name: 'roll back on errors',
      model: 'rollme',
      metric: 'error_rate',
      op: '>',
      threshold: 0.05,
      action: 'rollback',
    });
    await window('rollme', 9, true);
    await window('rollme', 8, true);
    unsubscribe();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      action: 'rollback',
      model: 'rollme',
      value: 0.2,
      rule: { name: 'roll back on errors' },
    });
    const events = await listAlertEvents(store, { model: 'rollme' });
    expect(events.map((e) => e.event).sort()).toEqual(['action', 'firing']);
  });

  it('shadow.disagreement is evaluated once a source for it is registered', async () => {
    await rule({
      name: 'shadow disagrees',
      model: 'shadowed',
      metric: 'shadow.disagreement',
      op: '>',
      threshold: 0.1,
    });
    expect(await window('shadowed', 9, false)).toEqual([]);
    alerts.engine.registerMetricSource('shadow', ({ detection }) => [
      { feature: null, value: detection.model === 'shadowed' ? 0.25 : null },
    ]);
    expect(await window('shadowed', 8, false)).toMatchObject([{ to: 'firing', value: 0.25 }]);
  });
});
