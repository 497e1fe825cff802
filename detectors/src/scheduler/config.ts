import { z } from 'zod';

/** The detector scheduler's settings (per-model window sizes live in model_settings). */
export const detectorsEnv = z.object({
  /** How often the scheduler looks for closed windows and new labels. */
  OSPREY_DETECTOR_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
  /** How far back a model is detected on its first run or after downtime. */
  OSPREY_DETECTOR_BACKFILL_DAYS: z.coerce.number().positive().default(7),
  /** OSPREY_DETECTORS=off leaves detection to `osprey detect` and POST …/detect. */
  OSPREY_DETECTORS: z.enum(['on', 'off']).default('on'),
});
export type DetectorsEnv = z.infer<typeof detectorsEnv>;
