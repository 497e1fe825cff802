export { Osprey } from './client';
export { OspreyError, type OspreyErrorKind } from './errors';
export {
  ProductionPoller,
  type Production,
  type ProductionConfig,
  type WatchOptions,
} from './production';
export {
  verifyWebhook,
  WebhookVerificationError,
  type VerifyOptions,
  type WebhookHeaders,
} from './webhooks';
export type {
  Embedding,
  FeatureValue,
  LabelEvent,
  LogReferenceOptions,
  OspreyOptions,
  OspreyStats,
  Prediction,
  PredictionEvent,
  ReferenceRow,
  ReferenceUpload,
  WrapOptions,
} from './types';
