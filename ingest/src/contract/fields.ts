import { z } from 'zod';
import { LIMITS, RESERVED_NAMES } from './limits';

/**
 * Model names end up in URLs, metric labels and partition keys, so they are kept plain; `.` and
 * `..` are path segments a URL client rewrites, so a name is never dots alone.
 */
export const modelName = z
  .string({ error: 'required, a string' })
  .regex(
    /^(?!\.+$)[A-Za-z0-9_.-]{1,128}$/,
    'must be 1-128 characters of A-Z a-z 0-9 _ . - and not dots alone',
  );

/** Versions are free text for people, but also URL path segments: no dots alone, no controls. */
export const versionName = z
  .string({ error: 'required, a string' })
  .min(1, 'must not be empty')
  .max(LIMITS.modelNameLength, `must be at most ${LIMITS.modelNameLength} characters`)
  .regex(
    // eslint-disable-next-line no-control-regex -- control characters are what it refuses
    /^(?!\.+$)[^\u0000-\u001f\u007f]*$/,
    'must not be dots alone nor hold control characters',
  );

const ISO_8601 =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

const YEAR_3000_MS = 32503680000000;

/** Epoch milliseconds for an ISO-8601 string or epoch-ms number, or undefined when it is neither. */
export function timestampToMs(value: string | number): number | undefined {
  const ms = typeof value === 'number' ? value : ISO_8601.test(value) ? Date.parse(value) : NaN;
  return Number.isFinite(ms) && ms >= 0 && ms < YEAR_3000_MS ? Math.trunc(ms) : undefined;
}

const TIMESTAMP_PROBLEM = 'must be an ISO-8601 string or epoch milliseconds';

/** ISO-8601 text or epoch milliseconds; normalised to epoch milliseconds. (The future bound is the
 * collector's, OSPREY_MAX_CLOCK_SKEW: it depends on when the event arrives.) */
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

export const FINITE = 'must be a finite number (not NaN or ±Infinity)';

const TOO_LONG = `must be at most ${LIMITS.stringValueLength} characters`;

/**
 * zod's message for a value no member of a union took: a number that is not finite and a string
 * that is too long get their own, since their type was right.
 */
export const unionError = (expected: string) => (issue: { input?: unknown }) => {
  if (typeof issue.input === 'number') return FINITE;
  if (
    Array.isArray(issue.input) &&
    issue.input.some((x) => Number.isNaN(x) || x === Infinity || x === -Infinity)
  )
    return FINITE;
  if (typeof issue.input === 'string' && issue.input.length > LIMITS.stringValueLength)
    return TOO_LONG;
  return expected;
};

export const stringValue = z.string().max(LIMITS.stringValueLength, TOO_LONG);

/** What a model answered: a number (score, regression), a label, or a vector. */
export const predictionValue = z.union(
  [
    z.number(),
    stringValue,
    z.array(z.number({ error: unionError('must be a number') })).max(LIMITS.predictionVectorLength),
  ],
  { error: unionError('must be a number, a string or an array of numbers') },
);

/** Ground truth: a number (regression, 0/1 classes) or a class name. */
export const labelValue = z.union([z.number(), stringValue], {
  error: unionError('must be a number or a string'),
});

export const featureValue = z.union([z.number(), stringValue, z.boolean(), z.null()], {
  error: unionError('must be a number, string, boolean or null'),
});

/** A map key: never empty, bounded, never the prototype's name. */
export const mapKey = (what: string) =>
  z
    .string()
    .min(1, `${what} names must not be empty`)
    .max(LIMITS.nameLength, `${what} names are at most ${LIMITS.nameLength} characters`)
    // Refused before zod sees the map (validator.ts: zod would drop it silently); for the SDKs:
    .meta({ not: { enum: [...RESERVED_NAMES] } });

/** A map with at most `max` entries; the bound is also in the JSON Schema (maxProperties). */
export const boundedRecord = <V extends z.ZodType>(
  key: ReturnType<typeof mapKey>,
  value: V,
  max: number,
  error: string,
) =>
  z
    .record(key, value, { error })
    .refine((map) => Object.keys(map).length <= max, `must have at most ${max} entries`)
    .meta({ maxProperties: max });

export const features = boundedRecord(
  mapKey('feature'),
  featureValue,
  LIMITS.featuresPerEvent,
  'must be an object of feature name to value',
);

export const tags = boundedRecord(
  mapKey('tag'),
  z
    .string({ error: 'must be a string' })
    .max(LIMITS.tagValueLength, `must be at most ${LIMITS.tagValueLength} characters`),
  LIMITS.tagsPerEvent,
  'must be an object of string to string',
);

export const requestId = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(LIMITS.requestIdLength, `must be at most ${LIMITS.requestIdLength} characters`);

export const finiteNumber = (error: string) =>
  z.number({ error: (issue) => (typeof issue.input === 'number' ? FINITE : error) });
