import { rocAuc } from './roc-auc';
import { permutation, quantile, type Vectors } from './vectors';

/** Evidently's ModelDriftMethod: drift when the classifier's ROC AUC is above 0.55... */
export const CLASSIFIER_THRESHOLD = 0.55;
/** ...or, for a reference under 1,000 rows, above the 95th percentile of 100 random scorings. */
export const BOOTSTRAP_BELOW_ROWS = 1_000;
const RANDOM_SCORINGS = 100;
const RANDOM_QUANTILE = 0.95;
/** Evidently splits reference + window 50/50 once; each half here is the test half once. */
export const FOLDS = 2;

/** scikit-learn's SGDClassifier defaults, which Evidently uses (loss="log_loss"). */
const ALPHA = 1e-4;
const TOL = 1e-3;
const MAX_EPOCHS = 1_000;
const NO_CHANGE_EPOCHS = 5;

export interface ClassifierResult {
  /** Mean ROC AUC of the folds' test halves (reference = positive class). */
  roc_auc: number | null;
  threshold: number;
  threshold_kind: 'constant' | 'random_scores_quantile';
  folds: number;
  epochs: number[];
}

/**
 * Evidently's domain classifier: can a logistic regression (scikit-learn's SGDClassifier with
 * its defaults) tell reference rows from window rows? Stratified `FOLDS`-fold cross-validation
 * on the two samples; the score is the mean test ROC AUC. The threshold is Evidently's: 0.55, or
 * when the reference has fewer than 1,000 rows the 95th percentile of the same mean AUC for 100
 * random scorings.
 */
export function domainClassifier(
  reference: Vectors,
  window: Vectors,
  referenceRows: number,
  random: () => number,
): ClassifierResult {
  const m = reference.count;
  const n = window.count;
  const d = reference.dim;
  const size = m + n;
  const x = new Float64Array(size * d);
  x.set(reference.data.subarray(0, m * d));
  x.set(window.data.subarray(0, n * d), m * d);
  const y = new Uint8Array(size);
  y.fill(1, 0, m);
  const fold = stratifiedFolds(y, random);
  const scores = new Float64Array(size);
  const epochs: number[] = [];
  for (let f = 0; f < FOLDS; f++) {
    const train = [...fold.keys()].filter((i) => fold[i] !== f);
    const model = fitSgdLogistic(x, y, d, train, random);
    epochs.push(model.epochs);
    for (let i = 0; i < size; i++) {
      if (fold[i] !== f) continue;
      let p = model.intercept;
      for (let k = 0; k < d; k++) p += model.weights[k]! * x[i * d + k]!;
      scores[i] = p;
    }
  }
  const roc_auc = meanFoldAuc(scores, y, fold);
  if (referenceRows >= BOOTSTRAP_BELOW_ROWS)
    return {
      roc_auc,
      threshold: CLASSIFIER_THRESHOLD,
      threshold_kind: 'constant',
      folds: FOLDS,
      epochs,
    };
  const randomAucs: number[] = [];
  for (let r = 0; r < RANDOM_SCORINGS; r++) {
    const noise = Float64Array.from({ length: size }, () => random());
    randomAucs.push(meanFoldAuc(noise, y, fold) ?? 0.5);
  }
  return {
    roc_auc,
    threshold: quantile(randomAucs, RANDOM_QUANTILE),
    threshold_kind: 'random_scores_quantile',
    folds: FOLDS,
    epochs,
  };
}

function meanFoldAuc(scores: Float64Array, y: Uint8Array, fold: Uint8Array): number | null {
  let total = 0;
  for (let f = 0; f < FOLDS; f++) {
    const idx = [...fold.keys()].filter((i) => fold[i] === f);
    const auc = rocAuc(
      idx.map((i) => scores[i]!),
      idx.map((i) => y[i]!),
    );
    if (auc === null) return null;
    total += auc;
  }
  return total / FOLDS;
}

/** Each class's rows shuffled and dealt round-robin to the folds. */
function stratifiedFolds(y: Uint8Array, random: () => number): Uint8Array {
  const fold = new Uint8Array(y.length);
  for (const label of [0, 1]) {
    const rows = [...y.keys()].filter((i) => y[i] === label);
    const order = permutation(random, rows.length);
    order.forEach((o, k) => (fold[rows[o]!] = k % FOLDS));
  }
  return fold;
}

/**
 * scikit-learn's plain SGD for SGDClassifier(loss="log_loss") with its defaults: L2 penalty
 * α = 1e-4, the "optimal" learning rate η = 1 / (α (t₀ + t − 1)) with t₀ from the typical
 * weight, one shuffled pass per epoch, stopping once the epoch's mean objective has not fallen
 * by `tol` for 5 epochs. Only the shuffling's generator differs.
 */
export function fitSgdLogistic(
  x: Float64Array,
  y: Uint8Array,
  d: number,
  rows: number[],
  random: () => number,
): { weights: Float64Array; intercept: number; epochs: number } {
  const v = new Float64Array(d);
  let scale = 1;
  let squaredNorm = 0;
  let intercept = 0;
  const typicalWeight = Math.sqrt(1 / Math.sqrt(ALPHA));
  // η₀ = typw / max(1, gradient(y=1, p=−typw)); that gradient is negative, so η₀ = typw.
  const t0 = 1 / (typicalWeight * ALPHA);
  const rowNorms = new Float64Array(x.length / d);
  for (const i of rows) {
    let s = 0;
    for (let k = i * d; k < (i + 1) * d; k++) s += x[k]! * x[k]!;
    rowNorms[i] = s;
  }
  let t = 1;
  let best = Infinity;
  let noImprovement = 0;
  let epoch = 0;
  while (epoch < MAX_EPOCHS) {
    epoch++;
    let objective = 0;
    for (const o of permutation(random, rows.length)) {
      const i = rows[o]!;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += v[k]! * x[i * d + k]!;
      dot *= scale;
      const p = dot + intercept;
      const eta = 1 / (ALPHA * (t0 + t - 1));
      objective += logLoss(y[i]!, p) + ALPHA * 0.5 * squaredNorm;
      const update = -eta * (sigmoid(p) - y[i]!);
      const shrink = Math.max(0, 1 - eta * ALPHA);
      scale *= shrink;
      squaredNorm *= shrink * shrink;
      if (update !== 0) {
        const step = update / scale;
        for (let k = 0; k < d; k++) v[k]! += x[i * d + k]! * step;
        squaredNorm += 2 * update * dot * shrink + update * update * rowNorms[i]!;
        intercept += update;
      }
      if (scale < 1e-9) {
        for (let k = 0; k < d; k++) v[k]! *= scale;
        scale = 1;
      }
      t++;
    }
    const mean = objective / rows.length;
    noImprovement = mean > best - TOL ? noImprovement + 1 : 0;
    best = Math.min(best, mean);
    if (noImprovement >= NO_CHANGE_EPOCHS) break;
  }
  return { weights: v.map((w) => w * scale), intercept, epochs: epoch };
}

/** log(1 + eᵖ) − y·p, computed without overflow. */
function logLoss(y: number, p: number): number {
  const softplus = p > 0 ? p + Math.log1p(Math.exp(-p)) : Math.log1p(Math.exp(p));
  return softplus - y * p;
}

function sigmoid(p: number): number {
  if (p >= 0) return 1 / (1 + Math.exp(-p));
  const e = Math.exp(p);
  return e / (1 + e);
}
