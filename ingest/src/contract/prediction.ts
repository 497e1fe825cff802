import { z } from 'zod';
import {
  eventId,
  features,
  finiteNumber,
  modelName,
  predictionValue,
  requestId,
  tags,
  timestamp,
  versionName,
} from './fields';
import { embeddings, texts } from './embeddings';
import { LIMITS } from './limits';

/** A prediction event must say what came out: a prediction, or the error instead. */
export function hasOutcome(event: { prediction?: unknown; error?: unknown }): boolean {
  return event.prediction !== undefined || event.error !== undefined;
}

/**
 * One logged prediction. `prediction` may be omitted only when `error` says the prediction failed.
 * `event_id` and `timestamp` are filled in by the collector when absent.
 */
export const predictionEvent = z
  .strictObject(
    {
      event_id: eventId.optional(),
      timestamp: timestamp.optional(),
      model: modelName,
      version: versionName,
      features: features,
      embeddings: embeddings.optional(),
      text: texts.optional(),
      prediction: predictionValue.optional(),
      latency_ms: finiteNumber('must be a number')
        .nonnegative('must be >= 0')
        .max(86_400_000, 'must be at most one day (86400000)')
        .optional(),
      error: z
        .string({ error: 'must be a string' })
        .min(1, 'must not be empty; omit it when the prediction succeeded')
        .max(LIMITS.errorLength, `must be at most ${LIMITS.errorLength} characters`)
        .optional(),
      tags: tags.optional(),
      request_id: requestId.optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be an object') },
  )
  .superRefine((event, ctx) => {
    if (!hasOutcome(event)) {
      ctx.addIssue({
        code: 'custom',
        path: ['prediction'],
        message: 'required unless error is set',
      });
    }
  });

export type PredictionEventInput = z.input<typeof predictionEvent>;
export type PredictionEvent = z.output<typeof predictionEvent>;
