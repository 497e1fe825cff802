import { z } from 'zod';
import { FINITE, boundedRecord, mapKey } from './fields';
import { LIMITS } from './limits';

/** The largest finite float32: a vector is stored as Float32, where anything beyond is Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

const FLOAT32_RANGE = `must fit in a float32 (between -${FLOAT32_MAX} and ${FLOAT32_MAX})`;

/** One vector: finite float32 numbers, at least one, at most LIMITS.embeddingDimension. */
export const embeddingVector = z
  .array(
    z
      .number({ error: (issue) => (typeof issue.input === 'number' ? FINITE : 'must be a number') })
      .min(-FLOAT32_MAX, FLOAT32_RANGE)
      .max(FLOAT32_MAX, FLOAT32_RANGE),
    { error: 'must be an array of numbers' },
  )
  .min(1, 'must not be empty')
  .max(
    LIMITS.embeddingDimension,
    `must have at most ${LIMITS.embeddingDimension} dimensions (LIMITS.embeddingDimension)`,
  );

/**
 * Vector features by name: `{"query": [0.12, ...]}`. Each (model, name) keeps the dimension it was
 * first logged with; that rule is the collector's (it needs the store), not the schema's.
 */
export const embeddings = boundedRecord(
  mapKey('embedding'),
  embeddingVector,
  LIMITS.embeddingsPerEvent,
  'must be an object of embedding name to array of numbers',
);

/** Text fields by name: `{"prompt": "..."}`, each at most LIMITS.textLength characters. */
export const texts = boundedRecord(
  mapKey('text'),
  z
    .string({ error: 'must be a string' })
    .max(LIMITS.textLength, `must be at most ${LIMITS.textLength} characters`),
  LIMITS.textsPerEvent,
  'must be an object of text name to string',
);
