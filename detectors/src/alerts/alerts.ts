import { randomUUID } from 'node:crypto';
import type { Store } from '@osprey/db';
import type { Logger } from 'pino';
import { EgressPolicy } from './channels/egress';
import { Mailer } from './channels/email';
import { TEST_GROUP } from './channels/message';
import { ChannelSender } from './channels/send';
import { getChannel, listChannels } from './channels/store';
import type { AlertsEnv } from './config';
import { recordAttempt } from './delivery/notifications';
import { DeliveryQueue } from './delivery/queue';
import { DeliveryWorker } from './delivery/worker';
import { AlertEngine } from './engine/engine';
import type { Delivery } from './types';

/** The alert engine with its delivery queue, worker and channels, as one process runs them. */
export interface Alerts {
  engine: AlertEngine;
  queue: DeliveryQueue;
  worker: DeliveryWorker;
  policy: EgressPolicy;
  publicUrl: string;
  /** Sends one test message through a channel now (no retries) and answers the outcome. */
  sendTest(
    channelId: string,
  ): Promise<{ delivered: boolean; status_code: number | null; error: string | null }>;
  /**
   * Queues `deployment.changed` (a promote or rollback, as the registry emits it) for every
   * enabled webhook channel with `deployments: true`; the delivery worker sends it like alerts.
   */
  notifyDeployment(change: { model: string } & Record<string, unknown>): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export function createAlerts(
  store: Store,
  env: AlertsEnv,
  logger: Logger,
  opts: { publicUrl: string },
): Alerts {
  const policy = new EgressPolicy(env.OSPREY_WEBHOOK_ALLOW);
  const timeoutMs = env.OSPREY_WEBHOOK_TIMEOUT_SECONDS * 1000;
  const mailer = new Mailer({
    smtp: { url: env.SMTP_URL, requireTls: env.SMTP_REQUIRE_TLS, caFile: env.SMTP_CA_FILE },
    from: env.OSPREY_MAIL_FROM,
    timeoutMs,
  });
  const sender = new ChannelSender({ mailer, policy, timeoutMs, publicUrl: opts.publicUrl });
  const queue = new DeliveryQueue(store, Math.round(env.OSPREY_ALERT_GROUP_WAIT * 1000));
  const worker = new DeliveryWorker(store, queue, sender, logger, {
    pollMs: Math.round(env.OSPREY_ALERT_POLL_SECONDS * 1000),
    retryBaseMs: Math.round(env.OSPREY_ALERT_RETRY_BASE_SECONDS * 1000),
    retryMaxMs: Math.round(env.OSPREY_ALERT_RETRY_MAX_SECONDS * 1000),
    maxAttempts: env.OSPREY_ALERT_MAX_ATTEMPTS,
  });
  const engine = new AlertEngine(store, queue, logger, { wake: () => worker.wake() });
  return {
    engine,
    queue,
    worker,
    policy,
    publicUrl: opts.publicUrl,
    async sendTest(channelId) {
      const channel = await getChannel(store, channelId);
      const d = testDelivery(channel.id);
      const started = Date.now();
      const outcome = await sender.send(channel, d);
      await recordAttempt(store, {
        delivery_id: d.id,
        channel: { id: channel.id, name: channel.name, kind: channel.kind },
        model: d.model,
        fingerprints: [],
        kind: 'test',
        attempt: 1,
        status: outcome.ok ? 'delivered' : 'failed',
        outcome,
        duration_ms: Date.now() - started,
        next_attempt_at: null,
      });
      return {
        delivered: outcome.ok,
        status_code: outcome.code ?? null,
        error: outcome.error ?? null,
      };
    },
    async notifyDeployment(change) {
      const subscribed = (await listChannels(store)).filter(
        (c) => c.kind === 'webhook' && c.deployments && c.disabled_reason === '',
      );
      if (subscribed.length === 0) return;
      await queue.enqueueEvent(
        subscribed.map((c) => c.id),
        { type: 'deployment.changed', data: change },
      );
      worker.wake();
    },
    start: () => worker.start(),
    async stop() {
      await worker.stop();
      mailer.close();
    },
  };
}

/** A made-up firing alert, so the receiving end can check its parsing and signature handling. */
function testDelivery(channelId: string): Delivery {
  const now = Date.now();
  return {
    id: randomUUID(),
    channel_id: channelId,
    group_key: TEST_GROUP,
    model: 'osprey-test',
    status: 'pending',
    attempts: 0,
    due_at: now,
    created_at: now,
    last_error: '',
    event: null,
    alerts: [
      {
        fingerprint: 'test',
        status: 'firing',
        rule: {
          id: '00000000-0000-0000-0000-000000000000',
          name: 'Test notification',
          metric: 'error_rate',
          op: '>',
          threshold: 0.05,
          for: 1,
          severity: 'info',
          action: 'none',
        },
        model: 'osprey-test',
        feature: null,
        segment: null,
        value: 0.1,
        window: { from: new Date(now - 3_600_000).toISOString(), to: new Date(now).toISOString() },
        starts_at: new Date(now).toISOString(),
        ends_at: null,
        repeat: false,
      },
    ],
  };
}
