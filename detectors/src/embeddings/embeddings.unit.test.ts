import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { domainClassifier } from './domain-classifier';
import { BINS, slotGrid, slotOf } from './embedding-sql';
import { loadEmbeddingFixtures } from './fixtures';
import { meanDistanceThresholds } from './mean-distance';
import { mmd } from './mmd';
import { rocAuc } from './roc-auc';
import { columnMeans, cosineDistance, euclidean, type Vectors } from './vectors';
import {
  driftedShare,
  normedWasserstein,
  wasserstein1,
  type ComponentHistogram,
} from './wasserstein';

const { vectors, scenarios } = loadEmbeddingFixtures();

/** One component binned as the SQL bins it (embedding-sql.ts slotGrid): the reference's range, BINS bins. */
function component(v: Vectors, j: number): number[] {
  return Array.from({ length: v.count }, (_, i) => v.data[i * v.dim + j]!);
}
function histogram(values: number[], lo: number, hi: number): ComponentHistogram {
  const { scale, shift } = slotGrid({ lo: [lo], hi: [hi] });
  const counts = new Array<number>(BINS).fill(0);
  const below = { count: 0, excess: 0 };
  const above = { count: 0, excess: 0 };
  for (const x of values) {
    const slot = slotOf(x, scale[0]!, shift[0]!);
    if (slot === 0) {
      below.count++;
      below.excess += lo - x;
    } else if (slot === BINS + 1) {
      above.count++;
      above.excess += x - hi;
    } else counts[slot - 1]!++;
  }
  return { counts, below, above };
}
function populationStd(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}
function normedComponents(ref: Vectors, win: Vectors): number[] {
  return Array.from({ length: ref.dim }, (_, j) => {
    const r = component(ref, j);
    const lo = Math.min(...r);
    const hi = Math.max(...r);
    const w = wasserstein1(lo, hi, histogram(r, lo, hi), histogram(component(win, j), lo, hi));
    return normedWasserstein(w, populationStd(r));
  });
}

describe.each(Object.entries(scenarios))('against Evidently 0.7.23: %s', (name, s) => {
  const ref = vectors[s.reference]!;
  const win = vectors[s.window]!;
  const e = s.evidently;

  it('distance between means: the same values (1e-9) and verdicts; bootstrap thresholds within 15%', () => {
    const a = columnMeans(ref);
    const b = columnMeans(win);
    expect(euclidean(a, b)).toBeCloseTo(e.euclidean.value, 9);
    expect(cosineDistance(a, b)).toBeCloseTo(e.cosine.value, 9);
    // Another generator draws the 100 resamples: the 95th percentile moves by a few percent.
    const t = meanDistanceThresholds(ref, a, ref.count, win.count, mulberry32(18));
    expect(Math.abs(t.euclidean / e.euclidean.threshold - 1)).toBeLessThan(0.15);
    expect(Math.abs(t.cosine / e.cosine.threshold - 1)).toBeLessThan(0.25);
    expect(euclidean(a, b) > t.euclidean).toBe(e.euclidean.drift);
    expect(cosineDistance(a, b) > t.cosine).toBe(e.cosine.drift);
  });

  it('share of drifted components: per-component normed Wasserstein within 5e-3, equal share', () => {
    const normed = normedComponents(ref, win);
    const worst = Math.max(...normed.map((w, j) => Math.abs(w - e.ratio.components[j]!)));
    // Bins of 1/168 of the range, mass spread evenly in each: measured ≤ 2.1e-3 here (1/50 of
    // the 0.1 a component drifts at).
    expect(worst).toBeLessThan(5e-3);
    const share = driftedShare(normed);
    expect(share.share).toBe(e.ratio.value);
    expect(share.share > 0.2).toBe(e.ratio.drift);
  });

  it('MMD: unbiased MMD² as Evidently computes it (1e-9 on the whole sets, ≤ 1,000 rows a side)', () => {
    if (ref.count > 1_000 || win.count > 1_000) return;
    const r = mmd(ref, win, mulberry32(18), 20);
    expect(r.mmd2).toBeCloseTo(e.mmd.value, 9);
  });

  it('domain classifier: ROC AUC within 0.05 of Evidently, equal verdicts', () => {
    const r = domainClassifier(ref, win, ref.count, mulberry32(18));
    expect(Math.abs(r.roc_auc! - e.model.value)).toBeLessThan(0.05);
    expect(r.threshold_kind).toBe(e.model.bootstrap ? 'random_scores_quantile' : 'constant');
    expect(r.roc_auc! > r.threshold).toBe(e.model.drift);
  });
});

describe('degenerate samples', () => {
  it('constant vectors: finite values, no drift, nothing thrown', () => {
    const constant = (n: number) => ({
      count: n,
      dim: 4,
      data: new Float64Array(n * 4).fill(0.25),
    });
    const r = mmd(constant(30), constant(20), mulberry32(1), 20);
    expect(r).toMatchObject({ mmd2: 0, gamma: 1 });
    expect(r.p_value).toBe(1);
    const c = domainClassifier(constant(30), constant(20), 30, mulberry32(1));
    expect(c.roc_auc).toBe(0.5);
    expect(c.roc_auc! > c.threshold).toBe(false);
    const t = meanDistanceThresholds(
      constant(30),
      columnMeans(constant(30)),
      30,
      20,
      mulberry32(1),
    );
    expect(t.euclidean).toBe(0);
  });
});

describe('roc auc', () => {
  it('counts ties half, as scikit-learn', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(rocAuc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    expect(rocAuc([1, 2], [1, 1])).toBeNull();
  });
});

describe('slots', () => {
  it('put min in the first bin and max in the last, whatever the rounding; a constant component apart', () => {
    const lo = [-0.2078254, 0.3, 1e6, -3];
    const hi = [0.8123, 0.3, 1e6 + 1, 7];
    const { scale, shift } = slotGrid({ lo, hi });
    lo.forEach((l, j) => {
      expect(slotOf(l, scale[j]!, shift[j]!)).toBe(1);
      expect(slotOf(hi[j]!, scale[j]!, shift[j]!)).toBe(lo[j] === hi[j] ? 1 : BINS);
      expect(slotOf(l - 0.01, scale[j]!, shift[j]!)).toBe(0);
      expect(slotOf(hi[j]! + 0.01, scale[j]!, shift[j]!)).toBe(BINS + 1);
    });
  });
});

describe('wasserstein from histograms', () => {
  it('is exact for the window beyond the reference range', () => {
    // Reference all in [0, 1]; window at 3: W = E|X_w − X_r| = 3 − 0.5 for a uniform reference.
    const ref = Array.from({ length: 10_000 }, (_, i) => (i + 0.5) / 10_000);
    const w = wasserstein1(ref[0]!, ref.at(-1)!, histogram(ref, ref[0]!, ref.at(-1)!), {
      counts: new Array<number>(BINS).fill(0),
      above: { count: 5, excess: 5 * (3 - ref.at(-1)!) },
    });
    expect(w).toBeCloseTo(2.5, 4);
  });
});
