import { z } from 'zod';
import {
  features,
  labelValue,
  modelName,
  predictionValue,
  tags,
  timestamp,
  versionName,
} from './fields';
import { embeddings, texts } from './embeddings';

/** Names one uploaded reference dataset; every batch of one upload carries the same id. */
export const referenceId = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . : -');

/**
 * One row of a reference dataset (what a model version's inputs and outputs should look like,
 * typically its training or validation data), logged through `POST /v1/reference`. The detectors
 * compare production windows with it. Rows of one upload share a `reference_id` (the SDK helpers
 * set one per call; default "default"); the most recent upload is a model's dataset reference.
 * A row's `label` (its ground truth, when the reference is labelled data such as a validation
 * set) lets the estimators learn how the model's outputs relate to its real performance.
 */
export const referenceEvent = z.strictObject(
  {
    model: modelName,
    version: versionName,
    features: features,
    embeddings: embeddings.optional(),
    text: texts.optional(),
    prediction: predictionValue.optional(),
    label: labelValue.optional(),
    reference_id: referenceId.optional(),
    tags: tags.optional(),
    timestamp: timestamp.optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be an object') },
);

export type ReferenceEventInput = z.input<typeof referenceEvent>;
export type ReferenceEvent = z.output<typeof referenceEvent>;
