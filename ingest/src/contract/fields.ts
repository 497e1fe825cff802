import { z } from 'zod';

/** Model names end up in URLs, metric labels and partition keys, so they are kept plain. */
export const modelName = z
  .string({ error: 'required, a string' })
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . -');

export const versionName = z
  .string({ error: 'required, a string' })
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters');

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const YEAR_3000_MS = 32503680000000;

/** Epoch milliseconds for an ISO-8601 string or epoch-ms number, or undefined when it is neither. */
export function timestampToMs(value: string | number): number | undefined {
  const ms = typeof value === 'number' ? value : ISO_8601.test(value) ? Date.parse(value) : NaN;
  return Number.isFinite(ms) && ms >= 0 && ms < YEAR_3000_MS ? Math.trunc(ms) : undefined;
}

const TIMESTAMP_PROBLEM = 'must be an ISO-8601 string or epoch milliseconds';

/** ISO-8601 text or epoch milliseconds; normalised to epoch milliseconds. */
export const timestamp = z
  .union([z.string(), z.number()], { error: TIMESTAMP_PROBLEM })
  .transform((value, ctx) => {
    const ms = timestampToMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: TIMESTAMP_PROBLEM });
      return z.NEVER;
    }
    return ms;
  });

export const eventId = z.uuid({ error: 'must be a UUID' });

/** What a model answered: a number (score, regression), a label, or a vector. */
export const predictionValue = z.union([z.number(), z.string(), z.array(z.number()).max(4096)], {
  error: 'must be a number, a string or an array of numbers',
});

export const featureValue = z.union([z.number(), z.string(), z.boolean(), z.null()], {
  error: 'must be a number, string, boolean or null',
});

export const features = z.record(
  z
    .string()
    .min(1, 'feature names must not be empty')
    .max(256, 'feature names are at most 256 characters'),
  featureValue,
  { error: 'must be an object of feature name to value' },
);

export const tags = z.record(
  z.string().max(256),
  z.string({ error: 'must be a string' }).max(1024),
  {
    error: 'must be an object of string to string',
  },
);

export const requestId = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(256, 'must be at most 256 characters');
