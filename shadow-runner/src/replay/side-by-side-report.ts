/**
 * What a replay reports when it also runs production's registered model (summary.side_by_side):
 * types only, for the API and the dashboard.
 */
import type { LabelAgreement, NumericAgreement } from './agreement';
import type { ModelSpeed } from './speed';

export type { LabelAgreement, NumericAgreement, ModelSpeed };

/** One model of the pair: its version, artifact size and speed over the run's batches. */
export interface ModelFacts extends ModelSpeed {
  version: string;
  size_bytes: number;
  output: string;
}

/** With labels: both models scored on the same labelled events. */
export interface LabelledComparison {
  events: number;
  candidate_mae: number | null;
  production_mae: number | null;
  /** candidate − production (positive: the candidate is worse). */
  mae_delta: number | null;
  candidate_accuracy: number | null;
  production_accuracy: number | null;
  accuracy_delta: number | null;
}

/** `summary.side_by_side` of a replay that also ran production's registered model. */
export interface SideBySideReport {
  task: 'regression' | 'classification';
  candidate: ModelFacts;
  production: ModelFacts;
  /** How many times faster the candidate runs a row (ratio of median per-row latencies). */
  speedup: number | null;
  /** Candidate size / production size. */
  size_ratio: number;
  /** Candidate against production recomputed on the same inputs; against what production logged; and recomputed against logged (float32 vs float64, or a logged version that is not production's). */
  agreement: {
    candidate_vs_recomputed: NumericAgreement | LabelAgreement;
    candidate_vs_logged: NumericAgreement | LabelAgreement;
    recomputed_vs_logged: NumericAgreement | LabelAgreement;
  };
  labelled: LabelledComparison;
}

/** `summary.side_by_side` when production was not run, and why. */
export interface SideBySideSkipped {
  skipped: string;
}
