export { predictionEvent, type PredictionEvent, type PredictionEventInput } from './prediction';
export { labelEvent, type LabelEvent, type LabelEventInput } from './label';
export { formatIssue } from './errors';
