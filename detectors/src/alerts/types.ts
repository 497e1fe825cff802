import type { RuleSpec } from './rules/schema';

export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

/** One alert as a notification carries it (webhook payload `data.alerts[]`, docs/alerts.md). */
export interface AlertNotice {
  fingerprint: string;
  status: 'firing' | 'resolved';
  rule: Pick<RuleSpec, 'name' | 'metric' | 'op' | 'threshold' | 'for' | 'severity' | 'action'> & {
    id: string;
  };
  model: string;
  feature: string | null;
  segment: string | null;
  value: number | null;
  window: { from: string; to: string };
  starts_at: string | null;
  ends_at: string | null;
  /** A reminder sent every repeat_interval while the alert keeps firing. */
  repeat: boolean;
}

/** An event sent as it is, not grouped with alerts (webhook channels that subscribe to it). */
export interface DeliveryEvent {
  type: 'deployment.changed';
  data: { model: string } & Record<string, unknown>;
}

/** A message to one channel, queued (persisted) until delivered or given up. */
export interface Delivery {
  id: string;
  channel_id: string;
  group_key: string;
  model: string;
  status: 'grouping' | 'pending' | 'retrying' | 'delivered' | 'failed';
  attempts: number;
  due_at: number;
  alerts: AlertNotice[];
  /** Set for an event delivery (then `alerts` is empty). */
  event: DeliveryEvent | null;
  last_error: string;
  created_at: number;
}
