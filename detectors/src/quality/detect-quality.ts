import type { Store } from '@osprey/db';
import { referenceFitsOf } from '../reference/fit-store';
import type { KnownReference } from '../reference/known';
import { resolveReference, type Reference, type Scope, type Target } from '../reference/resolve';
import type { ResultRow } from '../results/runs';
import type { ModelSettings } from '../settings/model-settings';
import { predictionRowsOf, targetKey } from '../sql/rows';
import { isoWindow } from '../window';
import { qualityCountsOf, type Counts } from './counts-sql';
import { finishQuality, type FeatureQuality, type JudgedRate, type QualityResult } from './finish';
import {
  fitQuality,
  fitQualityOf,
  QUALITY_FIT_FORMAT,
  QUALITY_THRESHOLDS,
  type QualityFit,
} from './fit';

export interface QualityReport extends Partial<QualityResult> {
  window: { from: string; to: string };
  reference: { source: string; key: string; size: number } | null;
  thresholds: typeof QUALITY_THRESHOLDS;
}

/**
 * Data quality of one window against the model's reference: per feature the missing, unseen,
 * out-of-range and type-change rates and whether it turned constant, and the share of rows with
 * any problem, each judged against thresholds fitted on the reference (NannyML's defaults).
 */
export async function detectQuality(
  store: Store,
  settings: ModelSettings,
  scope: Scope,
  known?: KnownReference,
): Promise<Detected> {
  return (await detectQualityOf(store, [{ scope, settings }], [known]))[0]!;
}

type Detected = { document: QualityReport; rows: ResultRow[]; referenceKey: string };

/**
 * detectQuality for targets of one window (a batch's whole models, or one scope of any kind):
 * every target's window counted against its own reference's fit in one statement. `known`: each
 * target's reference as a batched pass looked it up (known.ts), by index.
 */
export async function detectQualityOf(
  store: Store,
  targets: readonly Target[],
  known: readonly (KnownReference | undefined)[] = [],
): Promise<Detected[]> {
  const refs: (Reference | undefined)[] = [];
  for (const [i, { scope, settings }] of targets.entries())
    refs.push(await resolveReference(store, settings, scope, known[i]));
  const fits = await qualityFitsOf(
    store,
    targets.map(({ scope }, i) => refs[i] && { scope, ref: refs[i] }),
  );
  const fitted: { target: Target; ref: Reference; fit: QualityFit }[] = [];
  const outcome: (Detected | number)[] = [];
  for (const [i, target] of targets.entries()) {
    const ref = refs[i];
    const fit = fits[i];
    if (!ref || !fit || fit.rows === 0) {
      const document = { ...baseOf(target.scope), reference: null };
      outcome.push({ document, rows: [], referenceKey: ref?.key ?? '' });
    } else {
      outcome.push(fitted.length);
      fitted.push({ target, ref, fit });
    }
  }
  const counted =
    fitted.length === 0
      ? new Map<string, Counts>()
      : await qualityCountsOf(
          store,
          predictionRowsOf(
            'cur',
            fitted.map(({ target: { scope } }) => ({ scope, ...scope.window })),
          ),
          new Map(
            fitted.map((f) => [targetKey(f.target.scope), new Map(Object.entries(f.fit.features))]),
          ),
        );
  return outcome.map((o) => {
    if (typeof o !== 'number') return o;
    const { target, ref, fit } = fitted[o]!;
    const counts = counted.get(targetKey(target.scope)) ?? {
      rows: 0,
      rows_with_problems: 0,
      features: new Map(),
    };
    const result = finishQuality(fit, counts);
    return {
      document: {
        ...baseOf(target.scope),
        reference: { source: ref.source, key: ref.key, size: fit.rows },
        ...result,
      },
      rows: qualityRows(result, fit.rows),
      referenceKey: ref.key,
    };
  });
}

function baseOf(scope: Scope) {
  return { window: isoWindow(scope.window), thresholds: QUALITY_THRESHOLDS };
}

/** The stored rows: one per feature and rate (plus `constant`), one for the rows with problems. */
export function qualityRows(result: QualityResult, referenceSize: number): ResultRow[] {
  const row = (
    target: 'feature' | 'model',
    feature: string,
    kind: string,
    statistic: string,
    r: JudgedRate,
    currentSize: number,
  ): ResultRow => ({
    target,
    feature,
    kind,
    statistic,
    value: r.value,
    threshold: r.upper_threshold,
    is_verdict: true,
    status: r.alert === null ? 'unknown' : r.alert ? 'alert' : 'ok',
    reference_size: referenceSize,
    current_size: currentSize,
  });
  const rows: ResultRow[] = [
    row('model', '', 'dataset', 'rows_with_problems', result.rows_with_problems, result.rows),
  ];
  for (const f of result.features) {
    const add = (statistic: string, r: JudgedRate | null) => {
      if (r) rows.push(row('feature', f.feature, f.type, statistic, r, result.rows));
    };
    add('missing_rate', f.missing_rate);
    add('unseen_rate', f.unseen_rate);
    add('out_of_range_rate', f.out_of_range_rate);
    add('type_change_rate', f.type_change_rate);
    add('constant', constantRate(f));
  }
  return rows;
}

function constantRate(f: FeatureQuality): JudgedRate {
  const value = f.constant === null ? null : Number(f.constant);
  return { value, lower_threshold: null, upper_threshold: 0, alert: f.constant };
}

const FAMILY = 'quality';

/**
 * The reference's fit (`ref`, resolved for `scope`), stored or fitted now; refitted when the
 * reference's row count changes.
 */
export async function qualityFit(
  store: Store,
  scope: Scope,
  ref: Reference,
): Promise<QualityFit | undefined> {
  return (await qualityFitsOf(store, [{ scope, ref }]))[0];
}

/**
 * Each target's reference's fit (by index; undefined without a reference or rows), stored or
 * fitted now.
 */
function qualityFitsOf(
  store: Store,
  targets: readonly ({ scope: Scope; ref: Reference } | undefined)[],
): Promise<(QualityFit | undefined)[]> {
  return referenceFitsOf<QualityFit>(store, targets, FAMILY, {
    fresh: (stored, count) => stored.rows === count && stored.format === QUALITY_FIT_FORMAT,
    fitOne: (rows, count) => fitQuality(store, rows, count),
    fitMany: (rows, counts) => fitQualityOf(store, rows, counts),
  });
}
