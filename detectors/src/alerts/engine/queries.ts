import { Tables, type Store } from '@osprey/db';
import { listRules } from '../rules/store';
import type { AlertState } from '../types';

const iso = (v: unknown) =>
  v === null || v === undefined ? null : new Date(Number(v)).toISOString();

export interface AlertInstance {
  fingerprint: string;
  rule_id: string;
  rule: string | null;
  metric: string | null;
  severity: string | null;
  model: string;
  feature: string | null;
  segment: string | null;
  state: AlertState;
  consecutive: number;
  value: number | null;
  window: { from: string; to: string };
  active_since: string | null;
  fired_at: string | null;
  resolved_at: string | null;
  notified_at: string | null;
}

/** Alert instances as they stand (firing first), optionally of one state or model. */
export async function listAlerts(
  store: Store,
  opts: { state?: AlertState; model?: string } = {},
): Promise<AlertInstance[]> {
  const where: string[] = [];
  if (opts.state) where.push('state = {state:String}');
  if (opts.model) where.push('model = {model:String}');
  const rows = await store.query<Record<string, unknown>>(
    `SELECT fingerprint, toString(rule_id) AS rule_id, model, feature, segment, state, consecutive, value,
            toUnixTimestamp64Milli(window_start) AS ws, toUnixTimestamp64Milli(window_end) AS we,
            toUnixTimestamp64Milli(active_since) AS active_since, toUnixTimestamp64Milli(fired_at) AS fired_at,
            toUnixTimestamp64Milli(resolved_at) AS resolved_at, toUnixTimestamp64Milli(notified_at) AS notified_at
     FROM ${Tables.alertStates} FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY indexOf(['firing', 'pending', 'resolved', 'inactive'], state), window_end DESC LIMIT 1000`,
    { state: opts.state ?? '', model: opts.model ?? '' },
  );
  const rules = new Map((await listRules(store)).map((r) => [r.id, r]));
  return rows.map((r) => {
    const rule = rules.get(String(r.rule_id));
    return {
      fingerprint: String(r.fingerprint),
      rule_id: String(r.rule_id),
      rule: rule?.name ?? null,
      metric: rule?.metric ?? null,
      severity: rule?.severity ?? null,
      model: String(r.model),
      feature: r.feature ? String(r.feature) : null,
      segment: r.segment ? String(r.segment) : null,
      state: r.state as AlertState,
      consecutive: Number(r.consecutive),
      value: r.value === null ? null : Number(r.value),
      window: { from: iso(r.ws)!, to: iso(r.we)! },
      active_since: iso(r.active_since),
      fired_at: iso(r.fired_at),
      resolved_at: iso(r.resolved_at),
      notified_at: iso(r.notified_at),
    };
  });
}

export interface AlertEvent {
  timestamp: string;
  event_id: string;
  fingerprint: string;
  rule_id: string;
  rule: string;
  model: string;
  feature: string | null;
  segment: string | null;
  metric: string;
  severity: string;
  event: AlertState | 'action';
  from_state: AlertState;
  value: number | null;
  op: string;
  threshold: number;
  window: { from: string; to: string };
  silenced: boolean;
  details: Record<string, unknown>;
}

/** The alert history (transitions and actions), newest first. */
export async function listAlertEvents(
  store: Store,
  opts: {
    model?: string;
    fingerprint?: string;
    event?: string;
    from?: number;
    to?: number;
    limit?: number;
  } = {},
): Promise<AlertEvent[]> {
  const where: string[] = [];
  if (opts.model) where.push('model = {model:String}');
  if (opts.fingerprint) where.push('fingerprint = {fingerprint:String}');
  if (opts.event) where.push('event = {event:String}');
  if (opts.from !== undefined)
    where.push("timestamp >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')");
  if (opts.to !== undefined) where.push("timestamp < fromUnixTimestamp64Milli({to:Int64}, 'UTC')");
  const rows = await store.query<Record<string, unknown>>(
    `SELECT toUnixTimestamp64Milli(timestamp) AS ts, toString(event_id) AS event_id, fingerprint,
            toString(rule_id) AS rule_id, rule_name, model, feature, segment, metric, severity, event,
            from_state, value, op, threshold, toUnixTimestamp64Milli(window_start) AS ws,
            toUnixTimestamp64Milli(window_end) AS we, silenced, details
     FROM ${Tables.alertEvents} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY timestamp DESC, event_id LIMIT {limit:UInt32}`,
    {
      model: opts.model ?? '',
      fingerprint: opts.fingerprint ?? '',
      event: opts.event ?? '',
      from: opts.from ?? 0,
      to: opts.to ?? 0,
      limit: opts.limit ?? 100,
    },
  );
  return rows.map((r) => ({
    timestamp: iso(r.ts)!,
    event_id: String(r.event_id),
    fingerprint: String(r.fingerprint),
    rule_id: String(r.rule_id),
    rule: String(r.rule_name),
    model: String(r.model),
    feature: r.feature ? String(r.feature) : null,
    segment: r.segment ? String(r.segment) : null,
    metric: String(r.metric),
    severity: String(r.severity),
    event: r.event as AlertEvent['event'],
    from_state: r.from_state as AlertState,
    value: r.value === null ? null : Number(r.value),
    op: String(r.op),
    threshold: Number(r.threshold),
    window: { from: iso(r.ws)!, to: iso(r.we)! },
    silenced: Boolean(r.silenced),
    details: JSON.parse(String(r.details || '{}')) as Record<string, unknown>,
  }));
}
