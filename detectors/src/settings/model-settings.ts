import { Tables, backfillSegmentRollups, segmentRolledUp, type Store } from '@osprey/db';
import { z } from 'zod';
import { EMBEDDING_METHODS } from '../embeddings/methods';

export const DRIFT_METHODS = [
  'ks',
  'wasserstein',
  'psi',
  'jensen_shannon',
  'hellinger',
  'chi2',
  'z',
  'l_infinity',
] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

const isoOrMs = z.union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()], {
  error: 'must be an ISO-8601 time or epoch milliseconds',
});

/** Which reference windows are compared with (PUT /api/v1/models/{model}/reference). */
export const referenceChoice = z
  .strictObject({
    source: z.enum(['dataset', 'range', 'previous_window'], {
      error: 'must be "dataset", "range" or "previous_window"',
    }),
    reference_id: z.string().min(1).max(128).optional(),
    from: isoOrMs.optional(),
    to: isoOrMs.optional(),
  })
  .refine((r) => r.source !== 'range' || (r.from !== undefined && r.to !== undefined), {
    path: ['from'],
    message: 'from and to are required when source is "range"',
  })
  .refine((r) => r.source !== 'range' || new Date(r.from!).getTime() < new Date(r.to!).getTime(), {
    path: ['from'],
    message: 'must be before to',
  });
export type ReferenceChoice = z.infer<typeof referenceChoice>;

const verdictOverride = z.strictObject({
  method: z.enum(DRIFT_METHODS, { error: `must be one of ${DRIFT_METHODS.join(', ')}` }),
  threshold: z.number({ error: 'must be a number' }).positive('must be > 0'),
});

/**
 * A model's detector settings. Everything has a default, so a model that was never configured is
 * monitored with 1-hour windows, Evidently's verdict rules and its latest reference dataset
 * (or the previous window when none was logged).
 */
export const modelSettings = z.strictObject({
  window_minutes: z.number().int().min(1).max(10_080).default(60),
  /** Late events are waited for this long after a window ends before it is evaluated. */
  grace_minutes: z.number().int().min(0).max(1_440).default(5),
  reference: referenceChoice.optional(),
  drift: z
    .strictObject({
      /** Dataset drift when at least this share of the features drift. */
      drift_share: z.number().min(0).max(1).default(0.5),
      /** Verdict method and threshold per feature name, "prediction", or "*" for all. */
      overrides: z.record(z.string().min(1), verdictOverride).default({}),
      /**
       * Thresholds calibrated on the reference, as NannyML does: mean + 3σ of the verdict's
       * distance under no drift, simulated at the window's size from the reference's own bins
       * (drift/calibrated-threshold.ts). Applies to the binned
       * distances (psi, jensen_shannon, hellinger, l_infinity); the default method becomes
       * jensen_shannon.
       */
      calibrate: z.boolean().default(false),
      /**
       * How KS and Wasserstein are computed: over every sorted value ('exact'), from the
       * reference's fine quantile buckets ('buckets', docs/detectors.md), or exact up to about a
       * million values per side and buckets above ('auto').
       */
      ecdf: z.enum(['auto', 'exact', 'buckets']).default('auto'),
    })
    .default({ drift_share: 0.5, overrides: {}, calibrate: false, ecdf: 'auto' }),
  /** Embedding drift's verdict method (absent: Evidently's default, the domain classifier). */
  embeddings: z
    .strictObject({
      method: z.enum(EMBEDDING_METHODS, {
        error: `must be one of ${EMBEDDING_METHODS.join(', ')}`,
      }),
    })
    .optional(),
  /** Tag keys whose values are detected separately (e.g. "region"). */
  segments: z.array(z.string().min(1).max(256)).max(5).default([]),
  task: z.enum(['classification', 'regression']).optional(),
});
export type ModelSettings = z.infer<typeof modelSettings>;
export type ModelSettingsInput = z.input<typeof modelSettings>;

export async function loadSettings(store: Store, model: string): Promise<ModelSettings> {
  return (await loadSettingsOf(store, [model])).get(model)!;
}

/** Each model's settings (the defaults where it has none), in one statement. */
export async function loadSettingsOf(
  store: Store,
  models: readonly string[],
): Promise<Map<string, ModelSettings>> {
  const rows = await store.query<{ model: string; settings: string }>(
    `SELECT model, argMax(settings, updated_at) AS settings FROM ${Tables.modelSettings}
     WHERE model IN {models:Array(String)} GROUP BY model`,
    { models },
  );
  const stored = new Map(rows.map((r) => [r.model, r.settings]));
  return new Map(
    models.map((model) => {
      const json = stored.get(model);
      return [model, modelSettings.parse(json === undefined ? {} : JSON.parse(json))];
    }),
  );
}

export async function saveSettings(
  store: Store,
  model: string,
  settings: ModelSettingsInput,
  updatedBy: string,
): Promise<ModelSettings> {
  const parsed = modelSettings.parse(settings);
  const newKeys: string[] = [];
  for (const tag of parsed.segments) {
    if (!(await segmentRolledUp(store, model, tag))) newKeys.push(tag);
  }
  await store.insert(Tables.modelSettings, [
    { model, settings: JSON.stringify(parsed), updated_by: updatedBy },
  ]);
  // The segment rollups take a newly configured key's predictions from now on; those logged
  // before are rolled up here, so a segment view reads the rollups over any range.
  for (const tag of newKeys) await backfillSegmentRollups(store, { model, tag });
  return parsed;
}

/** Every model that logged predictions since `since` (epoch ms; recent partitions only) or has settings. */
export async function monitoredModels(store: Store, since: number): Promise<string[]> {
  const rows = await store.query<{ model: string }>(
    `SELECT DISTINCT model FROM ${Tables.predictions}
     WHERE timestamp >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')
     UNION DISTINCT SELECT DISTINCT model FROM ${Tables.modelSettings} ORDER BY model`,
    { since },
  );
  return rows.map((r) => r.model);
}
