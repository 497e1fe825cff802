import type { Store } from '@osprey/db';
import type { RowSet } from '../sql/rows';
import { fitCalibration } from './calibration';
import type { CalibrationMap, ScorePoints } from './isotonic';
import { chunked, CLASS_NAME, OUTCOME } from './labelled-reference';
import {
  binaryConfusion,
  binaryRealized,
  multiclassRealized,
  oneVsRest,
  type Realized,
} from './realized';
import {
  aucComponent,
  binaryComponents,
  multiclassComponents,
  type SamplingErrorComponents,
} from './sampling-error';
import {
  resolveThreshold,
  STANDARD_DEVIATION_3,
  UNIT_INTERVAL,
  type Bounds,
  type ThresholdSpec,
} from './thresholds';

/** Chunks the labelled reference is split into for the thresholds (NannyML's default). */
export const REFERENCE_CHUNKS = 10;

/**
 * What CBPE learns from a labelled reference, kept with its profile: the calibration, the
 * sampling-error components, the realized metrics of its chunks and the thresholds on them.
 */
export interface CbpeState {
  task: 'binary' | 'multiclass';
  /** Labelled reference rows it was fitted on. */
  rows: number;
  chunk_size: number;
  /** Multiclass: the class of each prediction_vec position. */
  classes?: string[];
  /** Binary: one map; multiclass: one per class; null where calibrating does not help. */
  calibration: (CalibrationMap | null)[];
  components: Record<string, SamplingErrorComponents>;
  threshold: ThresholdSpec;
  thresholds: Record<string, Bounds>;
  /** Per metric, its realized value on each reference chunk. */
  reference_chunks: Record<string, (number | null)[]>;
}

export const BINARY_METRICS = ['roc_auc', 'f1', 'precision', 'recall', 'accuracy'] as const;
export const MULTICLASS_METRICS = [
  'roc_auc',
  'f1_macro',
  'precision_macro',
  'recall_macro',
  'accuracy',
] as const;

export async function fitBinary(store: Store, rows: RowSet, n: number): Promise<CbpeState> {
  const size = chunkSize(n);
  const ref = chunked(rows, size);
  const grouped = await store.query<{ chunk: number; s: number; n: string; pos: string }>(
    `SELECT chunk, s, count() AS n, countIf(y = 1) AS pos
     FROM (SELECT chunk, assumeNotNull(pn) AS s, ${OUTCOME} AS y FROM (${ref.sql}) WHERE pn IS NOT NULL)
     GROUP BY chunk, s ORDER BY chunk, s`,
    ref.params,
  );
  const perChunk = new Map<number, ScorePoints>();
  for (const r of grouped) {
    const p = getOr(perChunk, Number(r.chunk), () => ({ x: [], n: [], positives: [] }));
    p.x.push(Number(r.s));
    p.n.push(Number(r.n));
    p.positives.push(Number(r.pos));
  }
  const chunks = [...perChunk.keys()].sort((a, b) => a - b).map((k) => perChunk.get(k)!);
  const whole = mergePoints(chunks);
  const auc = aucComponent(whole);
  const realized = chunks.map(binaryRealized);
  return {
    task: 'binary',
    rows: n,
    chunk_size: size,
    calibration: [fitCalibration(whole)],
    components: {
      roc_auc: { kind: 'single', std: Math.sqrt(auc.variance), fraction: auc.fraction },
      ...binaryComponents(binaryConfusion(whole)),
    },
    ...thresholdsOf(BINARY_METRICS, realized),
  };
}

export async function fitMulticlass(
  store: Store,
  rows: RowSet,
  n: number,
  classes: string[],
): Promise<CbpeState> {
  const size = chunkSize(n);
  const ref = chunked(rows, size);
  const k = classes.length;
  const params = { ...ref.params, est_classes: classes, est_k: k };
  const labelled = `SELECT chunk, indexOf({est_classes:Array(String)}, ${CLASS_NAME}) AS yi, pv
                    FROM (${ref.sql}) WHERE length(pv) = {est_k:UInt32}`;
  const scores = await store.query<{ chunk: number; c: number; s: number; n: string; pos: string }>(
    `SELECT chunk, c, toFloat64(pv[c]) AS s, count() AS n, countIf(yi = c) AS pos
     FROM (${labelled}) ARRAY JOIN range(1, {est_k:UInt32} + 1) AS c
     GROUP BY chunk, c, s ORDER BY chunk, c, s`,
    params,
  );
  const cells = await store.query<{ chunk: number; yi: number; pi: number; n: string }>(
    `SELECT chunk, yi, arrayFirstIndex(x -> x = arrayMax(pv), pv) AS pi, count() AS n
     FROM (${labelled}) GROUP BY chunk, yi, pi`,
    params,
  );
  const chunkCount = Math.max(0, ...cells.map((r) => Number(r.chunk) + 1));
  const points = Array.from({ length: chunkCount }, () =>
    Array.from({ length: k }, (): ScorePoints => ({ x: [], n: [], positives: [] })),
  );
  for (const r of scores) {
    const p = points[Number(r.chunk)]![Number(r.c) - 1]!;
    p.x.push(Number(r.s));
    p.n.push(Number(r.n));
    p.positives.push(Number(r.pos));
  }
  const matrices = Array.from({ length: chunkCount }, () =>
    Array.from({ length: k }, () => Array<number>(k).fill(0)),
  );
  for (const r of cells)
    matrices[Number(r.chunk)]![Number(r.yi) - 1]![Number(r.pi) - 1]! += Number(r.n);
  const wholePoints = classes.map((_, c) => mergePoints(points.map((chunk) => chunk[c]!)));
  const whole = matrices.reduce(
    (acc, m) => acc.map((row, i) => row.map((v, j) => v + m[i]![j]!)),
    Array.from({ length: k }, () => Array<number>(k).fill(0)),
  );
  const correct = whole.reduce((a, row, i) => a + row[i]!, 0);
  const aucs = wholePoints.map(aucComponent);
  const realized = matrices.map((m, i) => multiclassRealized(m, points[i]!));
  return {
    task: 'multiclass',
    rows: n,
    chunk_size: size,
    classes,
    calibration: wholePoints.map(fitCalibration),
    components: {
      roc_auc: {
        kind: 'classes',
        variances: aucs.map((a) => a.variance),
        fractions: aucs.map((a) => a.fraction),
        factor: 1.2,
      },
      ...multiclassComponents(oneVsRest(whole), correct, n),
    },
    ...thresholdsOf(MULTICLASS_METRICS, realized),
  };
}

function chunkSize(n: number): number {
  return Math.max(1, Math.floor(n / REFERENCE_CHUNKS));
}

function thresholdsOf(
  metrics: readonly string[],
  realized: Realized[],
): Pick<CbpeState, 'threshold' | 'thresholds' | 'reference_chunks'> {
  const reference_chunks = Object.fromEntries(
    metrics.map((m) => [m, realized.map((r) => r[m] ?? null)]),
  );
  return {
    threshold: STANDARD_DEVIATION_3,
    thresholds: Object.fromEntries(
      metrics.map((m) => [
        m,
        resolveThreshold(STANDARD_DEVIATION_3, reference_chunks[m]!, UNIT_INTERVAL),
      ]),
    ),
    reference_chunks,
  };
}

/** Grouped scores of several chunks as one (their values merged in order). */
export function mergePoints(parts: ScorePoints[]): ScorePoints {
  const byValue = new Map<number, [number, number]>();
  for (const p of parts) {
    p.x.forEach((x, g) => {
      const e = getOr<number, [number, number]>(byValue, x, () => [0, 0]);
      e[0] += p.n[g]!;
      e[1] += p.positives[g]!;
    });
  }
  const x = [...byValue.keys()].sort((a, b) => a - b);
  return {
    x,
    n: x.map((v) => byValue.get(v)![0]),
    positives: x.map((v) => byValue.get(v)![1]),
  };
}

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}
