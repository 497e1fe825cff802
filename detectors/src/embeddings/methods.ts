import { mulberry32 } from '../random';
import { domainClassifier } from './domain-classifier';
import type { ComponentSums } from './embedding-sql';
import type { EmbeddingFit } from './fit';
import { meanDistanceThresholds } from './mean-distance';
import { MMD_ALPHA, mmd } from './mmd';
import { cosineDistance, euclidean, head, type Vectors } from './vectors';
import {
  COMPONENT_THRESHOLD,
  driftedShare,
  normedWasserstein,
  SHARE_THRESHOLD,
  wasserstein1,
} from './wasserstein';

export const EMBEDDING_METHODS = [
  'domain_classifier',
  'distance_euclidean',
  'distance_cosine',
  'ratio',
  'mmd',
] as const;
export type EmbeddingMethod = (typeof EMBEDDING_METHODS)[number];
/** Evidently's default (EmbeddingsDriftMetric without a drift_method): the model method. */
export const DEFAULT_METHOD: EmbeddingMethod = 'domain_classifier';

/** Rows per side MMD's kernel matrix takes (Evidently's median sample size). */
export const MMD_ROWS = 1_000;
/** Seeds per method, so that one method's draws never shift another's. */
const SEED = { bootstrap: 1801, mmd: 1802, classifier: 1803 } as const;

export interface MethodResult {
  value: number | null;
  threshold: number | null;
  drift: boolean | null;
}

export interface EmbeddingMethods {
  distance_euclidean: MethodResult & { bootstrap_sizes: [number, number] };
  distance_cosine: MethodResult;
  ratio: MethodResult & {
    component_threshold: number;
    drifted_components: number;
    components: number;
    /** The most drifted components (index from 0) and their normed Wasserstein distances. */
    top_components: { index: number; value: number }[];
  };
  mmd: MethodResult & { mmd2: number; p_value: number; gamma: number; alpha: number };
  domain_classifier: MethodResult & {
    threshold_kind: 'constant' | 'random_scores_quantile';
    folds: number;
  };
}

/**
 * Every method on one embedding's window, from the reference's fit, the window's one-pass
 * aggregates and the two samples. Thresholds: the means' distances against a bootstrap from the
 * reference; ratio and the classifier as Evidently; MMD by its permutation p-value < 0.05.
 */
export function computeMethods(
  fit: EmbeddingFit,
  referenceSample: Vectors,
  window: ComponentSums,
  windowSample: Vectors,
): EmbeddingMethods {
  // From the grouped pass's sums: ClickHouse's L2Distance / cosineDistance would need a pass of
  // their own over the window (avgForEach), for two numbers computed here from the same means.
  const distance = {
    euclidean: euclidean(window.mean, fit.mean),
    cosine: cosineDistance(window.mean, fit.mean),
  };
  const distances = meanDistanceThresholds(
    referenceSample,
    fit.mean,
    fit.rows,
    window.rows,
    mulberry32(SEED.bootstrap),
  );
  const normed = fit.lo.map((lo, j) =>
    normedWasserstein(
      wasserstein1(
        lo,
        fit.hi[j]!,
        { counts: fit.bins[j]! },
        {
          counts: window.bins[j]!,
          below: { count: window.below[j]!, excess: window.below_excess[j]! },
          above: { count: window.above[j]!, excess: window.above_excess[j]! },
        },
      ),
      fit.std[j]!,
    ),
  );
  const share = driftedShare(normed);
  const kernel = mmd(
    head(referenceSample, MMD_ROWS),
    head(windowSample, MMD_ROWS),
    mulberry32(SEED.mmd),
  );
  const classifier = domainClassifier(
    referenceSample,
    windowSample,
    fit.rows,
    mulberry32(SEED.classifier),
  );
  const above = (value: number | null, threshold: number) =>
    value === null || !Number.isFinite(value) ? null : value > threshold;
  return {
    distance_euclidean: {
      value: distance.euclidean,
      threshold: distances.euclidean,
      drift: above(distance.euclidean, distances.euclidean),
      bootstrap_sizes: distances.sizes,
    },
    distance_cosine: {
      value: distance.cosine,
      threshold: distances.cosine,
      drift: above(distance.cosine, distances.cosine),
    },
    ratio: {
      value: share.share,
      threshold: SHARE_THRESHOLD,
      drift: share.share > SHARE_THRESHOLD,
      component_threshold: COMPONENT_THRESHOLD,
      drifted_components: share.drifted,
      components: share.components,
      top_components: normed
        .map((value, index) => ({ index, value }))
        .sort((a, b) => b.value - a.value)
        .slice(0, 5),
    },
    mmd: {
      value: kernel.mmd2,
      threshold: MMD_ALPHA,
      drift: kernel.p_value < MMD_ALPHA,
      mmd2: kernel.mmd2,
      p_value: kernel.p_value,
      gamma: kernel.gamma,
      alpha: MMD_ALPHA,
    },
    domain_classifier: {
      value: classifier.roc_auc,
      threshold: classifier.threshold,
      drift: above(classifier.roc_auc, classifier.threshold),
      threshold_kind: classifier.threshold_kind,
      folds: classifier.folds,
    },
  };
}
