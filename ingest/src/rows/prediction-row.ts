import type { PredictionEvent } from '../contract/prediction';

/**
 * The `predictions` columns a row fills, in the order of a row's values (see
 * db/migrations/0001_predictions.sql). Rows travel as JSON arrays (JSONCompactEachRow): a third
 * smaller than objects, and ClickHouse parses them with a quarter less CPU.
 */
export const PREDICTION_COLUMNS = [
  'event_id',
  'timestamp',
  'model',
  'version',
  'num_features',
  'cat_features',
  'bool_features',
  'null_features',
  'prediction_num',
  'prediction_label',
  'prediction_vec',
  'latency_ms',
  'error',
  'tags',
  'request_id',
] as const;

export type PredictionRow = [
  event_id: string,
  timestamp: number,
  model: string,
  version: string,
  num_features: Record<string, number>,
  cat_features: Record<string, string>,
  bool_features: Record<string, boolean>,
  null_features: string[],
  prediction_num: number | null,
  prediction_label: string | null,
  prediction_vec: number[],
  latency_ms: number | null,
  error: string,
  tags: Record<string, string>,
  request_id: string,
];

/** Splits features by type so each lands in its typed map. The event is normalized (see event-kinds). */
export function toPredictionRow(
  event: PredictionEvent & { event_id: string; timestamp: number },
): PredictionRow {
  const num: Record<string, number> = {};
  const cat: Record<string, string> = {};
  const bool: Record<string, boolean> = {};
  const nulls: string[] = [];
  for (const name in event.features) {
    const value = event.features[name];
    if (typeof value === 'number') num[name] = value;
    else if (typeof value === 'string') cat[name] = value;
    else if (typeof value === 'boolean') bool[name] = value;
    else nulls.push(name);
  }
  const p = event.prediction;
  return [
    event.event_id,
    event.timestamp,
    event.model,
    event.version,
    num,
    cat,
    bool,
    nulls,
    typeof p === 'number' ? p : null,
    typeof p === 'string' ? p : null,
    Array.isArray(p) ? p : [],
    event.latency_ms ?? null,
    event.error ?? '',
    event.tags ?? {},
    event.request_id ?? '',
  ];
}
