export { alertsEnv, type AlertsEnv } from './config';
export { createAlerts, type Alerts } from './alerts';
export {
  AlertEngine,
  fingerprint,
  type AlertAction,
  type AlertActionHandler,
  type AlertTransition,
} from './engine/engine';
export type { MetricSource, MetricSample, MetricContext } from './engine/metrics';
export type { RulePreview } from './engine/preview';
export { FieldError, NotFoundError } from './errors';
export { ruleInput, ruleFile, type AlertRule, type RuleInput, type RuleFile } from './rules/schema';
export {
  createRule,
  deleteRule,
  exportRules,
  getRule,
  importRules,
  listRules,
  replaceRule,
} from './rules/store';
export {
  channelInput,
  channelUpdate,
  publicChannel,
  type Channel,
  type PublicChannel,
} from './channels/schema';
export {
  createChannel,
  deleteChannel,
  getChannel,
  listChannels,
  resealChannelSecrets,
  updateChannel,
} from './channels/store';
export { signPayload, webhookHeaders, generateSecret } from './channels/signing';
export { PAYLOAD_SCHEMA_VERSION } from './channels/message';
export { Mailer, type Mail } from './channels/email';
export {
  silenceInput,
  createSilence,
  expireSilence,
  getSilence,
  listSilences,
  type Silence,
} from './silences/silences';
export {
  listNotifications,
  lastTests,
  type LastTest,
  type NotificationEntry,
} from './delivery/notifications';
export { listAlerts, listAlertEvents } from './engine/queries';
export type { AlertNotice, AlertState, Delivery } from './types';
