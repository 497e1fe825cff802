import { Tables, type Store } from '@osprey/db';
import type { Outcome } from '../channels/outcome';

export interface AttemptRecord {
  delivery_id: string;
  channel: { id: string; name: string; kind: string };
  model: string;
  fingerprints: string[];
  kind: 'firing' | 'resolved' | 'test' | 'deployment.changed';
  attempt: number;
  status: 'delivered' | 'retrying' | 'failed';
  outcome: Outcome;
  duration_ms: number;
  next_attempt_at: number | null;
}

/** Appends one delivery attempt to the notification log. */
export async function recordAttempt(store: Store, a: AttemptRecord): Promise<void> {
  await store.insert(Tables.notifications, [
    {
      timestamp: Date.now(),
      delivery_id: a.delivery_id,
      channel_id: a.channel.id,
      channel_name: a.channel.name,
      channel_kind: a.channel.kind,
      model: a.model,
      fingerprints: a.fingerprints,
      kind: a.kind,
      attempt: a.attempt,
      status: a.status,
      response_code: a.outcome.code ?? null,
      error: a.outcome.error ?? '',
      duration_ms: a.duration_ms,
      next_attempt_at: a.next_attempt_at,
    },
  ]);
}

export interface NotificationEntry {
  timestamp: string;
  delivery_id: string;
  channel_id: string;
  channel_name: string;
  channel_kind: string;
  model: string;
  fingerprints: string[];
  kind: string;
  attempt: number;
  status: string;
  response_code: number | null;
  error: string;
  duration_ms: number;
  next_attempt_at: string | null;
}

/** The notification log, newest first, optionally of one channel, model or delivery. */
export async function listNotifications(
  store: Store,
  opts: { channel_id?: string; model?: string; delivery_id?: string; limit?: number } = {},
): Promise<NotificationEntry[]> {
  const where: string[] = [];
  if (opts.channel_id) where.push('channel_id = {channel_id:String}');
  if (opts.model) where.push('model = {model:String}');
  if (opts.delivery_id) where.push('delivery_id = {delivery_id:String}');
  const rows = await store.query<Record<string, unknown>>(
    `SELECT toUnixTimestamp64Milli(timestamp) AS timestamp, toString(delivery_id) AS delivery_id,
            toString(channel_id) AS channel_id, channel_name, channel_kind, model, fingerprints, kind,
            attempt, status, response_code, error, duration_ms,
            toUnixTimestamp64Milli(next_attempt_at) AS next_attempt_at
     FROM ${Tables.notifications} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY timestamp DESC LIMIT {limit:UInt32}`,
    {
      channel_id: opts.channel_id ?? '',
      model: opts.model ?? '',
      delivery_id: opts.delivery_id ?? '',
      limit: opts.limit ?? 100,
    },
  );
  return rows.map((r) => ({
    ...(r as unknown as NotificationEntry),
    timestamp: new Date(Number(r.timestamp)).toISOString(),
    attempt: Number(r.attempt),
    response_code: r.response_code === null ? null : Number(r.response_code),
    duration_ms: Number(r.duration_ms),
    next_attempt_at:
      r.next_attempt_at === null ? null : new Date(Number(r.next_attempt_at)).toISOString(),
  }));
}

/** A channel's most recent test send (POST /api/v1/channels/:id/test), from the notification log. */
export interface LastTest {
  at: string;
  delivered: boolean;
  status_code: number | null;
  error: string | null;
}

/** Each channel's most recent test send, by channel id; channels never tested are absent. */
export async function lastTests(store: Store): Promise<Map<string, LastTest>> {
  const rows = await store.query<{
    channel_id: string;
    at: string;
    status: string;
    code: number | null;
    error: string;
  }>(
    `SELECT toString(channel_id) AS channel_id,
            toUnixTimestamp64Milli(max(timestamp)) AS at,
            argMax(status, timestamp) AS status,
            argMax(response_code, timestamp) AS code,
            argMax(error, timestamp) AS error
     FROM ${Tables.notifications} WHERE kind = 'test' GROUP BY channel_id`,
  );
  return new Map(
    rows.map((r) => [
      r.channel_id,
      {
        at: new Date(Number(r.at)).toISOString(),
        delivered: r.status === 'delivered',
        status_code: r.code === null ? null : Number(r.code),
        error: r.error || null,
      },
    ]),
  );
}
