import { z } from 'zod';
import { isoTime } from '@/lib/api/time-range';
import { MAX_POINTS, niceStep, stepRange } from './timeseries';

export { niceStep };

const DAY = 86_400_000;

/** `from` / `to` (ISO), the last 24 hours when left out. */
const range = z
  .object({ from: isoTime.optional(), to: isoTime.optional() })
  .transform(({ from, to }) => {
    const end = to ? new Date(to) : new Date();
    return { from: from ? new Date(from) : new Date(end.getTime() - DAY), to: end };
  })
  .refine((r) => r.from < r.to, { path: ['from'], message: 'must be before to' });

/** GET /api/v1/overview?from&to&buckets */
export const overviewQuery = z
  .object({
    buckets: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(500, 'must be at most 500')
      .default(24),
  })
  .and(range);

/** GET /api/v1/models/{model}/timeseries?from&to&step&version&tag&value */
export const timeseriesQuery = z
  .object({
    step: z.coerce
      .number({ error: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1 second')
      .optional(),
    version: z.string().min(1).max(128).optional(),
    tag: z.string().min(1).max(256).optional(),
    value: z.string().max(1024).optional(),
  })
  .refine((q) => (q.tag === undefined) === (q.value === undefined), {
    path: ['tag'],
    message: 'tag and value go together (the segment tag=value)',
  })
  .and(range)
  .transform((q) => ({ ...q, step: q.step ?? niceStep(q.to.getTime() - q.from.getTime()) }))
  .refine((q) => stepRange(q.from.getTime(), q.to.getTime(), q.step * 1000).points <= MAX_POINTS, {
    path: ['step'],
    message: `too small for the range: at most ${MAX_POINTS} steps`,
  });
