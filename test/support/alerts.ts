import { randomBytes } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretKeyring, type Store } from '@osprey/db';
import { migrate } from '@osprey/db/migrate';
import { createStore } from '@osprey/db/store';
import { alertsEnv, createAlerts, detectWindow, type Alerts } from '@osprey/detectors';
import pino from 'pino';

export const HOUR = 3_600_000;

/** An hour-aligned window `hoursAgo` hours before the current hour. */
export function hourWindow(hoursAgo: number): { from: number; to: number } {
  const from = Math.floor(Date.now() / HOUR) * HOUR - hoursAgo * HOUR;
  return { from, to: from + HOUR };
}

/** Fast timings for tests: group_wait, polling and retries in fractions of a second. */
export const FAST_ALERTS = {
  OSPREY_ALERT_GROUP_WAIT: '0.3',
  OSPREY_ALERT_POLL_SECONDS: '0.1',
  OSPREY_ALERT_RETRY_BASE_SECONDS: '0.1',
  OSPREY_ALERT_RETRY_MAX_SECONDS: '3',
  OSPREY_ALERT_MAX_ATTEMPTS: '5',
  OSPREY_WEBHOOK_TIMEOUT_SECONDS: '3',
  OSPREY_WEBHOOK_ALLOW: '127.0.0.1',
};

/** A migrated chDB store in a fresh directory (one per test file: chDB binds one per process). */
export async function openTestStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'osprey-alerts-'));
  const store = await createStore({
    OSPREY_DATA_DIR: dir,
    CLICKHOUSE_USER: 'default',
    CLICKHOUSE_PASSWORD: '',
    CLICKHOUSE_DATABASE: 'default',
    OSPREY_RETENTION_DAYS: 90,
  });
  await migrate(store, { retentionDays: 90 });
  // Channel secrets are sealed at rest, as `osprey start` does with its key.
  store.secrets = new SecretKeyring(randomBytes(32));
  return store;
}

/** The alert engine and a started delivery worker over `store`, as `osprey start` makes them. */
export function startAlerts(store: Store, env: Record<string, string> = {}): Alerts {
  const alerts = createAlerts(
    store,
    alertsEnv.parse({ ...FAST_ALERTS, ...env }),
    pino({ level: process.env.ALERTS_TEST_LOG ?? 'silent' }),
    {
      publicUrl: 'http://osprey.test',
    },
  );
  alerts.start();
  return alerts;
}

/** Stores `n` predictions of `model` spread over the window; errorShare of them are errors. */
export async function logWindow(
  store: Store,
  model: string,
  window: { from: number; to: number },
  opts: { n?: number; errorShare?: number; latencyMs?: number } = {},
): Promise<void> {
  const n = opts.n ?? 100;
  const step = (window.to - window.from) / n;
  await store.insert(
    'predictions',
    Array.from({ length: n }, (_, i) => ({
      event_id: randomUUID(),
      model,
      version: 'v1',
      timestamp: Math.floor(window.from + i * step),
      received_at: Date.now(),
      num_features: { x: i % 10 },
      prediction_num: 1,
      latency_ms: opts.latencyMs ?? 5,
      error: i < n * (opts.errorShare ?? 0) ? 'boom' : '',
    })),
  );
}

/** Detects a window with the alert engine, as the scheduler and POST …/detect do. */
export function detect(
  store: Store,
  alerts: Alerts,
  model: string,
  window: { from: number; to: number },
) {
  return detectWindow(store, { model, window, alerts: alerts.engine });
}

export async function waitFor<T>(
  what: string,
  get: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
