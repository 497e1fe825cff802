export {
  predictionEvent,
  hasOutcome,
  type PredictionEvent,
  type PredictionEventInput,
} from './prediction';
export { labelEvent, hasJoinKey, type LabelEvent, type LabelEventInput } from './label';
export { formatIssue } from './errors';
export { validatePrediction, validateLabel, type Validation, type Validator } from './validator';
export { contractJsonSchemas } from './json-schema';
