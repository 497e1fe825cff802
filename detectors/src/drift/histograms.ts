import type { Store } from '@osprey/db';
import type { Buckets } from './ecdf-sketch';
import { numericBins } from './histogram-bins';
import { referenceProfile, type FeatureProfile } from '../reference/profile';
import { comparedReference, resolveReference, type Scope } from '../reference/resolve';
import { windowComparedWith } from '../results/compared-with';
import { loadSettings } from '../settings/model-settings';
import { PREDICTION_KEY, predictionRows, type RowSet } from '../sql/rows';

/** One bar of a histogram: both sides as counts and as shares of their side. */
export interface HistogramBin {
  label: string;
  /** Numeric bins: [from, to); the first and last also hold what lies beyond. */
  from?: number;
  to?: number;
  reference: number;
  current: number;
  reference_share: number;
  current_share: number;
}

export interface FeatureHistograms {
  feature: string;
  kind: FeatureProfile['kind'];
  /** What the window was compared with when it was detected (else the model's reference now). */
  reference: { source: string; key: string; size: number };
  current_size: number;
  bins: HistogramBin[];
}

const NUMERIC_BINS = 24;
const MAX_CATEGORIES = 20;

/**
 * The reference's and one window's distribution of a feature ('prediction' for the prediction),
 * for the dashboard's drift drill-down. Numeric features share equal-width bins over the central
 * 99% of both sides (outliers land in the end bins): the reference from its stored profile's fine
 * buckets (each placed at its values' mean), the window counted by ClickHouse. Categories: the
 * most frequent ones, the rest summed as "other". The reference is the one the window's stored
 * detection was compared with, so the bars show the comparison its verdict came from. Undefined
 * when the feature has no reference.
 */
export async function featureHistograms(
  store: Store,
  scope: Scope & { feature: string },
): Promise<FeatureHistograms | undefined> {
  const settings = await loadSettings(store, scope.model);
  const compared = await windowComparedWith(store, scope);
  const ref =
    compared === undefined
      ? await resolveReference(store, settings, scope)
      : compared && comparedReference(compared, scope);
  if (!ref) return undefined;
  const key = scope.feature === 'prediction' ? PREDICTION_KEY : scope.feature;
  const profile = await referenceProfile(store, scope.model, ref, {
    calibrate: settings.drift.calibrate,
    feature: key,
  });
  const p = profile.features.get(key);
  if (!p) return undefined;
  const rows = predictionRows('cur', { ...scope, ...scope.window });
  const common = {
    feature: scope.feature,
    kind: p.kind,
    reference: { source: ref.source, key: ref.key, size: profile.rows },
  };
  if (p.kind === 'numeric') {
    const value = key === PREDICTION_KEY ? 'prediction_num' : `num_features[{feature:String}]`;
    const present =
      key === PREDICTION_KEY
        ? 'prediction_num IS NOT NULL'
        : `mapContains(num_features, {feature:String})`;
    const values = `SELECT toFloat64(${value}) AS v FROM (${rows.sql}) WHERE ${present}`;
    const params = { ...rows.params, feature: key };
    type Summary = { n: string; lo: number | null; hi: number | null; whole: number };
    const [q] = (await store.query<Summary>(
      `SELECT count() AS n, if(n = 0, NULL, quantile(0.005)(v)) AS lo,
              if(n = 0, NULL, quantile(0.995)(v)) AS hi, min(v = floor(v)) AS whole
       FROM (${values})`,
      params,
    )) as [Summary];
    const refLo = quantileOf(p.buckets, 0.005) ?? p.min;
    const refHi = quantileOf(p.buckets, 0.995) ?? p.max;
    // Whole numbers on both sides (the reference by its range, the window by every value).
    const integer =
      Number.isInteger(p.min) &&
      Number.isInteger(p.max) &&
      (Number(q.n) === 0 || Number(q.whole) === 1);
    const lo0 = Math.min(refLo, q.lo ?? refLo);
    const hi0 = Math.max(refHi, q.hi ?? refHi);
    const edges = integer ? { lo: Math.floor(lo0), hi: Math.ceil(hi0) } : { lo: lo0, hi: hi0 };
    const bins = numericBins(edges.lo, edges.hi, integer, NUMERIC_BINS);
    const { lo, width } = bins;
    const binOf = (x: number) =>
      Math.min(bins.count - 1, Math.max(0, Math.floor((x - lo) / width)));
    const reference = new Array<number>(bins.count).fill(0);
    p.buckets.counts.forEach((n, i) => {
      // An integer feature's fine bucket sits at its values' mean: round it back to a value.
      const at = p.buckets.sum[i]! / n;
      if (n > 0) reference[binOf(integer ? Math.round(at) : at)]! += n;
    });
    const current = new Array<number>(bins.count).fill(0);
    const counted = await store.query<{ b: number; n: string }>(
      `SELECT toUInt32(least(greatest(floor((v - {lo:Float64}) / {width:Float64}), 0), {last:UInt32})) AS b,
              count() AS n FROM (${values}) GROUP BY b`,
      { ...params, lo, width, last: bins.count - 1 },
    );
    for (const r of counted) current[Number(r.b)] = Number(r.n);
    return {
      ...common,
      current_size: Number(q.n),
      bins: withShares(
        reference.map((n, i) => ({
          label: bins.label(i),
          from: lo + i * width,
          to: lo + (i + 1) * width,
          reference: n,
          current: current[i]!,
        })),
      ),
    };
  }
  const current = await categoryCountsOf(store, rows, key);
  const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const categories = [...new Set([...Object.keys(p.counts), ...Object.keys(current)])].sort(
    (a, b) =>
      (p.counts[b] ?? 0) + (current[b] ?? 0) - (p.counts[a] ?? 0) - (current[a] ?? 0) ||
      a.localeCompare(b),
  );
  const shown = categories.slice(0, MAX_CATEGORIES);
  const rest = categories.slice(MAX_CATEGORIES);
  const bins = shown.map((c) => ({
    label: c,
    reference: p.counts[c] ?? 0,
    current: current[c] ?? 0,
  }));
  if (rest.length > 0) {
    bins.push({
      label: `other (${rest.length})`,
      reference: rest.reduce((a, c) => a + (p.counts[c] ?? 0), 0),
      current: rest.reduce((a, c) => a + (current[c] ?? 0), 0),
    });
  }
  return { ...common, current_size: total(current), bins: withShares(bins) };
}

async function categoryCountsOf(
  store: Store,
  rows: RowSet,
  key: string,
): Promise<Record<string, number>> {
  const sql =
    key === PREDICTION_KEY
      ? `SELECT toString(assumeNotNull(prediction_label)) AS v, count() AS n FROM (${rows.sql})
         WHERE prediction_label IS NOT NULL GROUP BY v`
      : `SELECT v, sum(n) AS n FROM (
           SELECT cat_features[{feature:String}] AS v, count() AS n FROM (${rows.sql})
           WHERE mapContains(cat_features, {feature:String}) GROUP BY v
           UNION ALL
           SELECT if(bool_features[{feature:String}], 'true', 'false') AS v, count() AS n FROM (${rows.sql})
           WHERE mapContains(bool_features, {feature:String}) GROUP BY v)
         GROUP BY v`;
  const counted = await store.query<{ v: string; n: string }>(sql, {
    ...rows.params,
    feature: key,
  });
  return Object.fromEntries(counted.map((r) => [r.v, Number(r.n)]));
}

/** About the value at share q of the reference: the mean of the fine bucket that holds it. */
function quantileOf(buckets: Buckets, q: number): number | undefined {
  const total = buckets.counts.reduce((a, b) => a + b, 0);
  let below = 0;
  for (let i = 0; i < buckets.counts.length; i++) {
    const n = buckets.counts[i]!;
    below += n;
    if (n > 0 && below >= q * total) return buckets.sum[i]! / n;
  }
  return undefined;
}

function withShares(
  bins: Omit<HistogramBin, 'reference_share' | 'current_share'>[],
): HistogramBin[] {
  const r = bins.reduce((a, b) => a + b.reference, 0);
  const c = bins.reduce((a, b) => a + b.current, 0);
  return bins.map((b) => ({
    ...b,
    reference_share: r > 0 ? b.reference / r : 0,
    current_share: c > 0 ? b.current / c : 0,
  }));
}
