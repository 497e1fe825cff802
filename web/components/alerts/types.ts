import type {
  AlertRule,
  NotificationEntry,
  RulePreview,
  Silence,
  listAlertEvents,
  listAlerts,
} from '@osprey/detectors';

export type { AlertRule, NotificationEntry, RulePreview, Silence };
export type AlertInstance = Awaited<ReturnType<typeof listAlerts>>[number];
export type AlertEvent = Awaited<ReturnType<typeof listAlertEvents>>[number];

/** What the rule editor needs of a channel (non-admins see no addresses). */
export interface ChannelChoice {
  id: string;
  name: string;
  kind: string;
}
