import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Osprey, verifyWebhook } from '@osprey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hourWindow } from '../support/alerts';
import { REPO_ROOT, startOsprey, type OspreyProcess } from '../support/osprey-process';
import { startReceiver, type TestReceiver } from '../support/receiver';
import { api } from '../support/upload';

const MODELS = join(REPO_ROOT, 'shadow-runner', 'fixtures', 'models');
const FEATURES = 'rooms,bedrooms,area_sqm,age_years,distance_to_center_km,has_garden';

let osprey: OspreyProcess;
let receiver: TestReceiver;
beforeAll(async () => {
  receiver = await startReceiver();
  osprey = await startOsprey({
    env: {
      OSPREY_DETECTORS: 'off',
      OSPREY_SHADOW_RUNNER: 'off',
      OSPREY_WEBHOOK_ALLOW: '127.0.0.1',
      OSPREY_ALERT_POLL_SECONDS: '0.2',
    },
  });
});
afterAll(async () => {
  await osprey?.stop();
  await receiver?.close();
});

interface DeploymentChanged {
  type: string;
  data: { model: string; version: string; previous_version: string | null; action: string };
  alert_id?: string;
}

describe('auto-rollback', () => {
  it('a firing rule with action rollback puts the previous version back in production, naming the alert', async () => {
    for (const [version, file] of [
      ['v1', 'house_price_linear.onnx'],
      ['v2', 'house_price_gbr.onnx'],
    ] as const) {
      const res = await fetch(
        `${osprey.url}/api/v1/models/houses/versions?version=${version}&features=${FEATURES}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${osprey.apiKey}` },
          body: readFileSync(join(MODELS, file)),
        },
      );
      expect(res.status).toBe(201);
    }
    // Every promote and rollback goes to the webhook channels that subscribe to deployments.
    const hook = await api<{ id: string; secret: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/channels',
      { kind: 'webhook', name: 'deploys', url: receiver.url('/deploys'), deployments: true },
    );
    expect(hook.status).toBe(201);
    // v2 went to production two hours ago; the last closed hour of its traffic failed a lot.
    const w = hourWindow(1);
    await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/models/houses/promote', {
      version: 'v1',
      reason: 'first',
    });
    await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/models/houses/promote', {
      version: 'v2',
      reason: 'candidate',
    });
    const client = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
    for (let i = 0; i < 200; i++)
      client.log({
        model: 'houses',
        version: 'v2',
        timestamp: w.from + i * 10_000,
        features: { rooms: 3 },
        prediction: 1,
        ...(i % 4 === 0 ? { error: 'inference failed' } : {}),
      });
    expect(await client.close(10_000)).toBe(true);
    // The promotes above happened now, after that window: an alert on it judges older traffic.
    const rule = await api<{ id: string }>(
      osprey.url,
      osprey.apiKey,
      'POST',
      '/api/v1/alert-rules',
      {
        name: 'v2 errors',
        model: 'houses',
        metric: 'error_rate',
        op: '>',
        threshold: 0.1,
        action: 'rollback',
      },
    );
    expect(rule.status).toBe(201);
    const detect = (from: number, to: number) =>
      api<{ alerts: { to: string }[] }>(
        osprey.url,
        osprey.apiKey,
        'POST',
        '/api/v1/models/houses/detect',
        {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
        },
      );
    const old = await detect(w.from, w.to);
    expect(old.body.alerts.map((a) => a.to)).toContain('firing');
    const production = async () =>
      (
        await api<{ version: string; alert_id: string | null; actor: string }>(
          osprey.url,
          osprey.apiKey,
          'GET',
          '/v1/models/houses/production',
        )
      ).body;
    // Production changed after that window ended: the alert judged older traffic, so no rollback.
    expect((await production()).version).toBe('v2');

    // Fresh failing traffic after the promote, in a window that ends now.
    const start = Date.now();
    const client2 = new Osprey({ url: osprey.url, apiKey: osprey.apiKey });
    for (let i = 0; i < 100; i++)
      client2.log({
        model: 'houses',
        version: 'v2',
        timestamp: start + i,
        features: { rooms: 3 },
        prediction: 1,
        ...(i % 3 === 0 ? { error: 'x' } : {}),
      });
    expect(await client2.close(10_000)).toBe(true);
    const windowEnd = Date.now() + 1;
    // A new alert instance is needed (the first one is already firing): a second rule.
    await api(osprey.url, osprey.apiKey, 'POST', '/api/v1/alert-rules', {
      name: 'v2 errors now',
      model: 'houses',
      metric: 'error_rate',
      op: '>',
      threshold: 0.2,
      action: 'rollback',
    });
    const fresh = await detect(start, windowEnd);
    expect(fresh.body.alerts.map((a) => a.to)).toContain('firing');
    let now = await production();
    while (now.version !== 'v1') {
      expect(Date.now() - windowEnd).toBeLessThan(10_000);
      await new Promise((r) => setTimeout(r, 50));
      now = await production();
    }
    console.log(
      `auto-rollback: production answered v1 ${Date.now() - windowEnd} ms after the firing window's end`,
    );
    expect(now.alert_id).toMatch(/^[0-9a-f]{16,}$/);
    expect(now.actor).toMatch(/^alert-rule:/);
    const history = await api<{ action: string; version: string; reason: string }[]>(
      osprey.url,
      osprey.apiKey,
      'GET',
      '/api/v1/models/houses/deployments',
    );
    expect(history.body[0]).toMatchObject({ action: 'rollback', version: 'v1' });
    expect(history.body[0]!.reason).toMatch(
      /^alert "v2 errors now" fired: error_rate 0\.\d+ > 0\.2/,
    );
    // Two promotes and the rollback, each a signed deployment.changed webhook.
    while (receiver.at('/deploys').length < 3) {
      expect(Date.now() - windowEnd).toBeLessThan(15_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    const changes = receiver
      .at('/deploys')
      .map((r) => verifyWebhook(hook.body.secret, r.headers, r.body) as DeploymentChanged);
    expect(changes.map((c) => [c.type, c.data.action, c.data.version])).toEqual([
      ['deployment.changed', 'promote', 'v1'],
      ['deployment.changed', 'promote', 'v2'],
      ['deployment.changed', 'rollback', 'v1'],
    ]);
    expect(changes[2]!.data).toMatchObject({
      model: 'houses',
      previous_version: 'v2',
      alert_id: now.alert_id,
    });
  });
});
