import { cachedDiagnose, loadSettings, type Diagnostics } from '@osprey/detectors';
import type { Store } from '@osprey/db';
import { z } from 'zod';
import { isoTime } from '@/lib/api/time-range';

const DAY = 86_400_000;
/** Longest range one request diagnoses: every labelled row of it is joined and scanned. */
export const MAX_DIAGNOSTICS_DAYS = 31;

const MINUTE = 60_000;
/**
 * A range that ends now ends at the next whole minute instead: the same question for a minute,
 * so repeats (the dashboard refreshes every 30 s) can be answered from the cache.
 */
export const nextMinute = (t: number) => Math.ceil(t / MINUTE) * MINUTE;

/** GET /api/v1/models/{model}/diagnostics?from&to&version&segment&min_rows */
export const diagnosticsQuery = z
  .object({
    from: isoTime.optional(),
    to: isoTime.optional(),
    version: z.string().min(1).max(128).optional(),
    segment: z
      .string()
      .regex(/^[^=]+=.*$/, 'must be key=value, e.g. region=eu')
      .optional(),
    min_rows: z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000, 'must be at most 1000000')
      .optional(),
  })
  .transform((q) => {
    const to = q.to ? Date.parse(q.to) : nextMinute(Date.now());
    const [key, ...value] = q.segment?.split('=') ?? [];
    return {
      window: { from: q.from ? Date.parse(q.from) : to - DAY, to },
      version: q.version,
      segment: q.segment ? { key: key!, value: value.join('=') } : undefined,
      minRows: q.min_rows,
    };
  })
  .refine((q) => q.window.from < q.window.to, { path: ['from'], message: 'must be before to' })
  .refine((q) => q.window.to - q.window.from <= MAX_DIAGNOSTICS_DAYS * DAY, {
    path: ['from'],
    message: `the range may span at most ${MAX_DIAGNOSTICS_DAYS} days`,
  });

/**
 * The diagnostics of a model over a range (the last 24 hours unless told): computed now, or the
 * last computation of the same question when no label or prediction arrived since.
 */
export async function modelDiagnostics(
  store: Store,
  model: string,
  q: z.output<typeof diagnosticsQuery>,
): Promise<Diagnostics> {
  const settings = await loadSettings(store, model);
  return cachedDiagnose(
    store,
    settings,
    { model, window: q.window, version: q.version, segment: q.segment },
    { minSegmentRows: q.minRows },
  );
}
