import { Tables, type Store } from '@osprey/db';
import { bucketCounts, bucketCountsOf, gridOf } from '../reference/buckets-sql';
import {
  categoryCounts,
  categoryCountsOf,
  decileBins,
  referenceProfile,
  referenceProfilesOf,
  type CategoricalProfile,
  type FeatureProfile,
  type NumericProfile,
  type ReferenceProfile,
} from '../reference/profile';
import { FEW_VALUES, fewValueCounts, fewValueCountsOf } from '../reference/few-values';
import { referenceRowSetsOf, type KnownReference } from '../reference/known';
import { resolveReference, type Reference, type Scope, type Target } from '../reference/resolve';
import type { DriftMethod, ModelSettings } from '../settings/model-settings';
import { isoWindow } from '../window';
import {
  predictionRows,
  predictionRowsOf,
  PREDICTION_KEY,
  targetKey,
  type RowSet,
} from '../sql/rows';
import { predictionShaped, textDescriptorRows } from '../text/descriptors';
import { loggedNamesOf } from '../sql/logged-names';
import { sketchDistances, type Buckets } from './ecdf-sketch';
import {
  asymptoticKsP,
  ecdfStatistics,
  ecdfStatisticsOf,
  exactEcdf,
  type EcdfStatistics,
} from './numeric-sql';
import {
  chiSquare,
  hellinger,
  jensenShannon,
  lInfinity,
  proportions,
  psi,
  twoProportionZ,
} from './statistics';
import { drifted, statisticOf, verdictFor } from './verdict';

export interface FeatureDrift {
  feature: string;
  kind: FeatureProfile['kind'];
  method: DriftMethod;
  value: number | null;
  threshold: number;
  threshold_calibrated: boolean;
  /** null when there is nothing to compare (no current values). */
  drift: boolean | null;
  statistics: Record<string, number | null>;
  reference_size: number;
  current_size: number;
}

export interface DriftReport {
  window: { from: string; to: string };
  reference: {
    source: string;
    key: string;
    size: number;
    reference_id?: string;
    from?: string;
    to?: string;
  } | null;
  dataset_drift: boolean;
  drift_share: number;
  drifted_features: number;
  /**
   * How KS and Wasserstein were computed: 'exact' over every value, or 'buckets' from both sides
   * counted into the reference's fine quantile buckets (large windows; see docs/detectors.md).
   */
  ecdf: 'exact' | 'buckets' | null;
  features: FeatureDrift[];
  prediction: FeatureDrift | null;
}

/**
 * Data and prediction drift of one window against the model's reference. ClickHouse does the
 * counting (bins against the stored reference edges, category counts, the two empirical CDFs);
 * only aggregated numbers come back to be finished here.
 */
export async function detectDrift(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  known?: KnownReference,
): Promise<DriftReport> {
  return (await detectDriftOf(store, [{ scope, settings }], [known]))[0]!;
}

/**
 * detectDrift for targets of one window (a batch of whole models or of one model's segments, or
 * one scope of any kind): the windows are counted together (windowCountsOf). `known`: each
 * target's reference as a batched pass looked it up (known.ts), by index.
 */
export async function detectDriftOf(
  store: Store,
  targets: readonly Target[],
  known: readonly (KnownReference | undefined)[] = [],
): Promise<DriftReport[]> {
  const refs = await Promise.all(
    targets.map((t, i) => resolveReference(store, t.settings, t.scope, known[i])),
  );
  const compared = targets.flatMap((t, i) =>
    refs[i] ? [{ ...t, ref: refs[i], key: targetKey(t.scope) }] : [],
  );
  const profiled = await referenceProfilesOf(
    store,
    compared.map(({ scope, settings, ref }) => ({
      scope,
      ref,
      calibrate: settings.drift.calibrate,
    })),
  );
  const profiles = new Map(compared.map(({ key }, i) => [key, profiled[i]!]));
  const counted = await windowCountsOf(store, compared, profiles);
  const reports: DriftReport[] = [];
  for (const [i, { scope, settings }] of targets.entries()) {
    const ref = refs[i];
    reports.push(
      ref
        ? await driftOf(
            store,
            settings,
            scope,
            ref,
            profiles.get(targetKey(scope))!,
            counted.get(targetKey(scope))!,
          )
        : emptyReport(scope),
    );
  }
  return reports;
}

/**
 * What each target's window counts against its reference's profile — categories, buckets,
 * few-valued features and, for a batch of several models, the exact KS and Wasserstein statistics
 * where they are exact — in a few statements for all targets, each grouped by model.
 *
 * A batch's windows are first counted into their binned statistics' bins only (the deciles, and
 * numpy's 'auto' bins when calibrated): a small window (the exact case, and the batch's usual one)
 * needs nothing finer, and a statement's cost grows with the boundaries it carries — a model's
 * fine grid (~5,000 boundaries) would cost it more than its window's values. The windows found
 * too large for exact statistics are counted into their fine buckets afterwards. One target (an
 * API call, a large window) is counted into its fine buckets at once.
 */
async function windowCountsOf(
  store: Store,
  compared: readonly Compared[],
  profiles: ReadonlyMap<string, ReferenceProfile>,
): Promise<Map<string, WindowCounts>> {
  const out = new Map<string, WindowCounts>();
  if (compared.length === 0) return out;
  const rowsOf = (targets: readonly Target[]) =>
    predictionRowsOf(
      'cur',
      targets.map(({ scope }) => ({ scope, ...scope.window })),
    );
  const current = rowsOf(compared);
  const numeric = new Map(compared.map(({ key }) => [key, numericOf(profiles.get(key)!)]));
  const gridsOf = (of: readonly Compared[], grid: (p: NumericProfile) => number[]) =>
    new Map(
      of.map(({ key }) => [key, new Map([...numeric.get(key)!].map(([k, p]) => [k, grid(p)]))]),
    );
  const batch = compared.length > 1;
  const first = gridsOf(compared, batch ? binsGrid : (p) => p.grid);
  // The numeric and the categorical pass read different columns; ClickHouse runs them side by side.
  const [categories, buckets, fewValues, texts] = await Promise.all([
    // One target's counts group by nothing more (a 1M-row window pays for every grouping key).
    batch
      ? categoryCountsOf(store, current)
      : categoryCounts(store, current).then((c) => new Map([[compared[0]!.key, c]])),
    bucketCountsOf(store, current, first),
    fewValueCountsOf(
      store,
      current,
      new Map(
        [...numeric].map(([m, n]) => [m, [...n].filter(([, p]) => p.values).map(([k]) => k)]),
      ),
    ),
    // Text fields are compared against a dataset's texts, for a whole model.
    loggedNamesOf(
      store,
      Tables.predictionTexts,
      compared.filter((t) => t.ref.source === 'dataset' && !t.scope.segment).map((t) => t.scope),
    ),
  ]);
  for (const { key } of compared) {
    out.set(key, {
      texts: (texts.get(key)?.length ?? 0) > 0,
      categories: categories.get(key) ?? new Map(),
      buckets: buckets.get(key)!,
      ...(batch && { grids: first.get(key)! }),
      fewValues: fewValues.get(key)!,
    });
  }
  // One target computes its exact statistics on its own rows (driftAgainst); a batch, together.
  if (!batch) return out;
  const modes = new Map(
    compared.map(({ key, settings }) => [
      key,
      ecdfMode(settings, profiles.get(key)!, numeric.get(key)!, out.get(key)!.buckets),
    ]),
  );
  const exact = compared.filter(({ key }) => modes.get(key)!.exact);
  const large = compared.filter(({ key }) => !modes.get(key)!.exact);
  const [statistics, fine] = await Promise.all([
    exact.length === 0
      ? new Map<string, Map<string, EcdfStatistics>>()
      : ecdfStatisticsOf(
          store,
          referenceRowSetsOf(exact).map((r) => r.rows),
          current,
          new Map(exact.map(({ key }) => [key, modes.get(key)!.present])),
        ),
    large.length === 0
      ? new Map<string, Map<string, Buckets>>()
      : bucketCountsOf(
          store,
          rowsOf(large),
          gridsOf(large, (p) => p.grid),
        ),
  ]);
  for (const [key, ecdf] of statistics) out.get(key)!.ecdf = ecdf;
  for (const [key, b] of fine) {
    const counts = out.get(key)!;
    counts.buckets = b;
    delete counts.grids;
  }
  return out;
}

/** A target whose window is compared, with its reference and targetKey. */
type Compared = Target & { ref: Reference; key: string };

/** The boundaries of a numeric feature's binned statistics' bins: deciles, and 'auto' bins. */
function binsGrid(p: NumericProfile): number[] {
  return gridOf([...p.edges, ...(p.auto_edges ?? [])]);
}

/** A window's counts against a reference profile (WindowCounts). */
interface WindowCounts {
  /** Whether the window logged text fields (looked at for a whole model against a dataset). */
  texts?: boolean;
  categories: Map<string, CategoricalProfile>;
  /** Per numeric feature, its values counted into the buckets of its profile's fine grid ... */
  buckets: Map<string, Buckets>;
  /** ... or of these grids, its bins' boundaries only (binsGrid), when exact statistics need no finer. */
  grids?: Map<string, number[]>;
  fewValues: Map<string, Record<string, number>>;
  /** Exact KS and Wasserstein, when a batch computed them. */
  ecdf?: Map<string, EcdfStatistics>;
}

function numericOf(profile: ReferenceProfile): Map<string, NumericProfile> {
  const numeric = new Map<string, NumericProfile>();
  for (const [name, p] of profile.features) if (p.kind === 'numeric') numeric.set(name, p);
  return numeric;
}

const sizeOf = (b: Buckets) => b.counts.reduce((a, n) => a + n, 0);

/**
 * The features compared by KS and Wasserstein — those with values on both sides (the ECDF
 * statement compares two samples) — and whether exactly or from the buckets.
 */
function ecdfMode(
  settings: ModelSettings,
  profile: ReferenceProfile,
  numeric: ReadonlyMap<string, NumericProfile>,
  buckets: ReadonlyMap<string, Buckets>,
): { present: string[]; exact: boolean } {
  const present = [...numeric.keys()].filter((k) => sizeOf(buckets.get(k)!) > 0);
  const currentRows = Math.max(0, ...[...buckets.values()].map(sizeOf));
  const method = settings.drift.ecdf;
  const exact =
    method === 'exact' ||
    (method === 'auto' && exactEcdf(profile.rows, currentRows, present.length));
  return { present, exact };
}

function emptyReport(scope: Scope): DriftReport {
  return {
    window: isoWindow(scope.window),
    reference: null,
    dataset_drift: false,
    drift_share: 0,
    drifted_features: 0,
    ecdf: null,
    features: [],
    prediction: null,
  };
}

async function driftOf(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  ref: Reference,
  profile: ReferenceProfile,
  counted: WindowCounts,
): Promise<DriftReport> {
  const current = predictionRows('cur', { ...scope, ...scope.window });
  const [data, text] = await Promise.all([
    driftAgainst(store, settings, ref, current, profile, counted),
    scope.segment ? undefined : textDrift(store, settings, scope, ref, counted.texts ?? false),
  ]);
  const inputs = [...data.features, ...(text?.features ?? [])];
  const judged = inputs.filter((f) => f.drift !== null);
  const driftedCount = judged.filter((f) => f.drift).length;
  const share = judged.length === 0 ? 0 : driftedCount / judged.length;
  return {
    window: isoWindow(scope.window),
    reference: { source: ref.source, key: ref.key, size: data.referenceRows, ...ref.detail },
    dataset_drift: judged.length > 0 && share >= settings.drift.drift_share,
    drift_share: share,
    drifted_features: driftedCount,
    ecdf: data.ecdf,
    features: inputs,
    prediction: data.prediction,
  };
}

interface Drifts {
  features: FeatureDrift[];
  prediction: FeatureDrift | null;
  ecdf: DriftReport['ecdf'];
  referenceRows: number;
}

/**
 * Every feature's drift (and the prediction's) between the reference's rows and `current`, rows
 * shaped like predictions': the window counted against the reference's profile (stored under the
 * reference's key), unless `counted` already.
 */
async function driftAgainst(
  store: Store,
  settings: ModelSettings,
  ref: Reference,
  current: RowSet,
  profile: ReferenceProfile,
  counted?: WindowCounts,
): Promise<Drifts> {
  const numeric = numericOf(profile);
  const { buckets, categories, fewValues, ...window } =
    counted ?? (await countWindow(store, current, numeric));
  const { present, exact } = ecdfMode(settings, profile, numeric, buckets);
  const ecdf = exact
    ? (window.ecdf ?? (await ecdfStatistics(store, ref.rows, current, present)))
    : new Map(present.map((k) => [k, fromBuckets(numeric.get(k)!, buckets.get(k)!)]));
  if (!exact) {
    // Where the buckets' Wasserstein distance lies within its error bound of the threshold that
    // judges it, the verdict could go either way: those features are computed exactly.
    const close = present.filter((k) => {
      const p = numeric.get(k)!;
      const { wasserstein, wassersteinBound = 0 } = ecdf.get(k)!;
      const verdict = verdictFor(
        k === PREDICTION_KEY ? 'prediction' : k,
        p,
        settings,
        sizeOf(buckets.get(k)!),
      );
      return (
        verdict.method === 'wasserstein' &&
        Math.abs(wasserstein - verdict.threshold * normOf(p)) <= wassersteinBound
      );
    });
    for (const [k, e] of await ecdfStatistics(store, ref.rows, current, close)) ecdf.set(k, e);
  }

  const inputs: FeatureDrift[] = [];
  let prediction: FeatureDrift | null = null;
  for (const [name, p] of [...profile.features].sort(([a], [b]) => a.localeCompare(b))) {
    const isPrediction = name === PREDICTION_KEY;
    const statistics =
      p.kind === 'numeric'
        ? withFewValues(
            p,
            fewValues.get(name),
            numericStatistics(
              p,
              window.grids?.get(name) ?? p.grid,
              buckets.get(name)!,
              ecdf.get(name),
              settings.drift.calibrate,
            ),
          )
        : categoricalStatistics(p, categories.get(name));
    const verdict = verdictFor(
      isPrediction ? 'prediction' : name,
      p,
      settings,
      statistics.currentSize,
      statistics.categories,
      statistics.referenceBins,
    );
    const value = statistics.values[statisticOf(verdict.method)] ?? undefined;
    const result: FeatureDrift = {
      feature: isPrediction ? 'prediction' : name,
      kind: p.kind,
      method: verdict.method,
      value: value ?? null,
      threshold: verdict.threshold,
      threshold_calibrated: verdict.calibrated ?? false,
      drift: statistics.currentSize === 0 ? null : (drifted(verdict, value) ?? null),
      statistics: statistics.values,
      reference_size: p.n,
      current_size: statistics.currentSize,
    };
    if (isPrediction) prediction = result;
    else inputs.push(result);
  }
  return {
    features: inputs,
    prediction,
    ecdf: present.length === 0 ? null : exact ? 'exact' : 'buckets',
    referenceRows: profile.rows,
  };
}

/**
 * The drift of the window's text fields, through their numeric descriptors (text/descriptors.ts:
 * `text:<name>:<descriptor>` features) against the reference dataset's texts; undefined when the
 * reference is not a dataset (the out-of-vocabulary share needs its vocabulary) or the window
 * logged no text. A segment's window is not split by tag here: texts carry no tags.
 */
async function textDrift(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  ref: Reference,
  logged: boolean,
): Promise<Drifts | undefined> {
  if (ref.source !== 'dataset' || !logged) return undefined;
  const referenceId = ref.detail.reference_id!;
  const window = {
    kind: 'window' as const,
    model: scope.model,
    ...scope.window,
    version: scope.version,
  };
  const vocabulary = { referenceId };
  const reference: Reference = {
    ...ref,
    key: `${ref.key}|text`,
    rows: predictionShaped(
      textDescriptorRows('ref', { kind: 'reference', model: scope.model, referenceId }, vocabulary),
    ),
  };
  const current = predictionShaped(textDescriptorRows('cur', window, vocabulary));
  const profile = await referenceProfile(store, scope.model, reference, {
    calibrate: settings.drift.calibrate,
  });
  return driftAgainst(store, settings, reference, current, profile);
}

/** One window counted against one profile (a derived reference's: text descriptors). */
async function countWindow(
  store: Store,
  current: RowSet,
  numeric: ReadonlyMap<string, NumericProfile>,
): Promise<WindowCounts> {
  const [buckets, categories, fewValues] = await Promise.all([
    bucketCounts(store, current, new Map([...numeric].map(([k, p]) => [k, p.grid]))),
    categoryCounts(store, current),
    fewValueCounts(
      store,
      current,
      [...numeric].filter(([, p]) => p.values).map(([k]) => k),
    ),
  ]);
  return { buckets, categories, fewValues };
}

function fromBuckets(p: NumericProfile, current: Buckets): EcdfStatistics {
  const { ks, wasserstein, wassersteinBound } = sketchDistances(p.grid, p.buckets, current);
  const m = current.counts.reduce((a, b) => a + b, 0);
  return { ks, ksP: asymptoticKsP(ks, p.n, m), wasserstein, wassersteinBound };
}

/** Evidently's norm of the Wasserstein distance: the reference's population standard deviation, at least 0.001. */
function normOf(p: NumericProfile): number {
  return Math.max(p.std, 0.001);
}

interface Computed {
  values: Record<string, number | null>;
  currentSize: number;
  /** Categories of the reference and the window together (categorical features). */
  categories?: number;
  /** The reference counted in the bins (or categories) of the binned distances. */
  referenceBins?: number[];
}

/** `current`: the window counted into the buckets of `grid` (the profile's, or its bins' only). */
function numericStatistics(
  p: NumericProfile,
  grid: number[],
  current: Buckets,
  ecdf: EcdfStatistics | undefined,
  calibrate: boolean,
): Computed {
  // The binned distances: on numpy's 'auto' bins when thresholds are calibrated (NannyML's,
  // fine enough to see a tail), else on the reference's deciles (Evidently's).
  const auto = calibrate && p.auto_edges !== undefined;
  const edges = auto ? p.auto_edges! : p.edges;
  const currentBins = decileBins(grid, edges, current);
  const currentSize = currentBins.reduce((a, b) => a + b, 0);
  if (currentSize === 0 || !ecdf) return { values: {}, currentSize };
  const referenceBins = auto ? decileBins(p.grid, edges, p.buckets) : p.bin_counts;
  const ref = proportions(referenceBins);
  const cur = proportions(currentBins);
  return {
    currentSize,
    referenceBins,
    values: {
      ks_statistic: ecdf.ks,
      ks_p_value: ecdf.ksP,
      wasserstein_norm: ecdf.wasserstein / normOf(p),
      psi: psi(ref, cur),
      jensen_shannon: jensenShannon(ref, cur),
      hellinger: hellinger(ref, cur),
    },
  };
}

/**
 * A numeric feature with at most FEW_VALUES distinct values on both sides together is compared
 * value by value, as Evidently does: the categorical statistics (its chi-square, z-test and
 * Jensen–Shannon over the values) join the numeric ones, and the verdict follows the categorical
 * rules (`categories` set). The z-test's share is that of the smallest value, as in Evidently.
 */
function withFewValues(
  p: NumericProfile,
  current: Record<string, number> | undefined,
  numeric: Computed,
): Computed {
  if (!p.values || !current || numeric.currentSize === 0) return numeric;
  const values = [...new Set([...Object.keys(p.values), ...Object.keys(current)])].sort(
    (a, b) => Number(a) - Number(b),
  );
  if (values.length > FEW_VALUES) return numeric;
  const asCategories = categoricalStatistics(
    { kind: values.length <= 2 ? 'binary' : 'categorical', n: p.n, counts: p.values },
    { kind: 'categorical', n: numeric.currentSize, counts: current },
    values,
  );
  return { ...asCategories, values: { ...numeric.values, ...asCategories.values } };
}

function categoricalStatistics(
  p: CategoricalProfile,
  current: CategoricalProfile | undefined,
  ordered?: string[],
): Computed {
  const currentSize = current?.n ?? 0;
  if (!current || currentSize === 0) return { values: {}, currentSize };
  const categories =
    ordered ?? [...new Set([...Object.keys(p.counts), ...Object.keys(current.counts)])].sort();
  const refCounts = categories.map((c) => p.counts[c] ?? 0);
  const curCounts = categories.map((c) => current.counts[c] ?? 0);
  const ref = proportions(refCounts);
  const cur = proportions(curCounts);
  const chi = chiSquare(refCounts, curCounts);
  const values: Record<string, number | null> = {
    chi2_statistic: Number.isFinite(chi.statistic) ? chi.statistic : null,
    chi2_p_value: chi.pValue,
    jensen_shannon: jensenShannon(ref, cur),
    psi: psi(ref, cur),
    l_infinity: lInfinity(ref, cur),
    hellinger: hellinger(ref, cur),
  };
  if (p.kind === 'binary') {
    // The share of one value: true for booleans, else the first category in order.
    const positive = categories.includes('true') ? 'true' : categories[0]!;
    values.z_p_value = twoProportionZ(
      p.counts[positive] ?? 0,
      p.n,
      current.counts[positive] ?? 0,
      currentSize,
    );
  }
  return { values, currentSize, categories: categories.length, referenceBins: refCounts };
}
