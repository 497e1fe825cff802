import type { PredictionEvent } from '../contract/prediction';

/** A `predictions` row as JSONEachRow expects it (see db/migrations/0001_predictions.sql). */
export interface PredictionRow {
  event_id: string;
  timestamp: number;
  model: string;
  version: string;
  num_features: Record<string, number>;
  cat_features: Record<string, string>;
  bool_features: Record<string, boolean>;
  null_features: string[];
  prediction_num: number | null;
  prediction_label: string | null;
  prediction_vec: number[];
  latency_ms: number | null;
  error: string;
  tags: Record<string, string>;
  request_id: string;
}

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
  return {
    event_id: event.event_id,
    timestamp: event.timestamp,
    model: event.model,
    version: event.version,
    num_features: num,
    cat_features: cat,
    bool_features: bool,
    null_features: nulls,
    prediction_num: typeof p === 'number' ? p : null,
    prediction_label: typeof p === 'string' ? p : null,
    prediction_vec: Array.isArray(p) ? p : [],
    latency_ms: event.latency_ms ?? null,
    error: event.error ?? '',
    tags: event.tags ?? {},
    request_id: event.request_id ?? '',
  };
}
