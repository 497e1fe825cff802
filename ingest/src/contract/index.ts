export {
  predictionEvent,
  hasOutcome,
  type PredictionEvent,
  type PredictionEventInput,
} from './prediction';
export { labelEvent, hasJoinKey, type LabelEvent, type LabelEventInput } from './label';
export {
  referenceEvent,
  referenceId,
  type ReferenceEvent,
  type ReferenceEventInput,
} from './reference';
export { formatIssue } from './errors';
export {
  validatePrediction,
  validateLabel,
  validateReference,
  type Validation,
  type Validator,
} from './validator';
export { contractJsonSchemas } from './json-schema';
export { embeddings, embeddingVector, texts, FLOAT32_MAX } from './embeddings';
