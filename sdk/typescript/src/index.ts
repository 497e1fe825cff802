export { Osprey } from './client';
export { OspreyError, type OspreyErrorKind } from './errors';
export type {
  FeatureValue,
  LabelEvent,
  OspreyOptions,
  OspreyStats,
  Prediction,
  PredictionEvent,
  WrapOptions,
} from './types';
