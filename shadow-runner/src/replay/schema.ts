import { z } from 'zod';

const ISO_OR_MS = z
  .union([z.string(), z.number()], { error: 'must be an ISO-8601 time or epoch milliseconds' })
  .transform((v, ctx) => {
    const ms = typeof v === 'number' ? v : Date.parse(v);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time or epoch milliseconds' });
      return z.NEVER;
    }
    return ms;
  });

/** What decides promote or hold; a check whose inputs are missing (no labels, say) is skipped. */
export const verdictCriteria = z.object({
  /** Classification: least share of events where the candidate's label equals production's. */
  min_agreement: z.number().min(0).max(1).default(0.95),
  /** Regression: largest p95 of |candidate − production| (null: not checked). */
  max_abs_diff_p95: z.number().min(0).nullable().default(null),
  /**
   * With labels: how much worse the candidate may be, relative (0.02: MAE at most 2% higher,
   * accuracy at most 2 points lower). 0: at least as good.
   */
  max_metric_degradation: z.number().min(0).default(0),
  /** Fewest labelled events for the metric check to count. */
  min_labelled: z.number().int().min(1).default(30),
  /** Largest p95 of the candidate's batch latency in ms (null: not checked). */
  max_batch_latency_p95_ms: z.number().positive().nullable().default(1000),
  /**
   * Replays: least speed-up of the candidate over production's registered model run beside it
   * (ratio of median per-row latencies; docs/shadow.md "Side by side"). Unset: not checked; set,
   * a speed-up that could not be measured holds the candidate.
   */
  min_speedup: z.number().positive('must be above 0').nullable().optional(),
  /**
   * Regression, with labels: largest candidate MAE − production MAE, in the output's units (0:
   * no worse; negative: must be better). Production's MAE is of its recomputed outputs when it
   * was run beside the candidate, else of what it logged. Unset: not checked.
   */
  max_mae_delta: z.number().nullable().optional(),
});
export type VerdictCriteria = z.infer<typeof verdictCriteria>;

export const shadowRunRequest = z
  .object({
    mode: z.literal('replay').default('replay'),
    candidate_version: z.string({ error: 'required, the registered version to replay' }).min(1),
    from: ISO_OR_MS,
    to: ISO_OR_MS,
    /** Most events to replay (oldest first). */
    limit: z.number().int().positive().max(1e9).optional(),
    /** Replay only events logged by this version (default: every version in the range). */
    version: z.string().min(1).optional(),
    /** The candidate output compared with production's prediction (default: see docs/shadow.md). */
    output: z.string().min(1).optional(),
    /** Events per inference batch (default: by execution provider, see batch-size.ts). */
    batch_size: z.number().int().min(1).max(65_536).optional(),
    criteria: verdictCriteria.default(verdictCriteria.parse({})),
  })
  .refine((r) => r.from < r.to, { message: 'must be after from', path: ['to'] });
export type ShadowRunRequest = z.infer<typeof shadowRunRequest>;

/** A live mirror: new events, sampled, through the candidate until cancelled or its duration ends. */
export const liveRunRequest = z.object({
  mode: z.literal('live'),
  candidate_version: z.string({ error: 'required, the registered version to mirror' }).min(1),
  /** Share of new events mirrored, chosen by a hash of event_id. */
  sample_rate: z.number().gt(0, 'must be above 0').max(1, 'must be at most 1').default(0.1),
  /** Stop after this many minutes (default: until cancelled). */
  duration_minutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .optional(),
  version: z.string().min(1).optional(),
  output: z.string().min(1).optional(),
  batch_size: z.number().int().min(1).max(65_536).default(1024),
  criteria: verdictCriteria.default(verdictCriteria.parse({})),
});
export type LiveRunRequest = z.infer<typeof liveRunRequest>;

export const shadowPromoteBody = z.object({
  reason: z.string().trim().min(1).max(2000).optional(),
  /** Promote although the verdict is hold (admin only, recorded in the audit log). */
  force: z.boolean().default(false),
});

export interface Check {
  name: string;
  value: number | null;
  threshold: number | null;
  /** null: skipped for want of data. */
  pass: boolean | null;
}

export interface Verdict {
  decision: 'promote' | 'hold';
  checks: Check[];
}

export interface Progress {
  rows_done: number;
  rows_total: number;
  rows_per_second: number | null;
  eta_seconds: number | null;
}

/** What GET …/shadow-runs/{id} answers. */
export interface ShadowRun {
  id: string;
  model: string;
  candidate_version: string;
  mode: string;
  status: string;
  request: ShadowRunRequest | LiveRunRequest | null;
  progress: Progress;
  provider: string | null;
  summary: Record<string, unknown> | null;
  verdict: Verdict | null;
  error: string | null;
  created_by: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}
