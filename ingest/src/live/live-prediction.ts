import type { PredictionEvent } from '../contract/prediction';
import type { Normalized } from '../events/event-kinds';
import { splitPrediction } from '../rows/features';
import { PREDICTION_COLUMNS } from '../rows/prediction-row';

/**
 * A stored prediction as live consumers see it (the shadow runner's mirror): what the collector
 * accepted, from the in-process tap (embedded) or read back from the predictions topic (Kafka).
 */
export interface LivePrediction {
  event_id: string;
  timestamp: number;
  model: string;
  version: string;
  features: Readonly<Record<string, number | string | boolean | null>>;
  prediction_num: number | null;
  prediction_label: string | null;
}

/** New predictions as they are accepted; `subscribe` answers the function that unsubscribes. */
export interface LiveFeed {
  subscribe(listener: (events: readonly LivePrediction[]) => void): Promise<() => Promise<void>>;
}

export function fromEvent(
  event: Normalized<PredictionEvent> & { event_id: string },
): LivePrediction {
  const [num, label] = splitPrediction(event.prediction);
  return {
    event_id: event.event_id,
    timestamp: event.timestamp,
    model: event.model,
    version: event.version,
    features: event.features,
    prediction_num: num,
    prediction_label: label,
  };
}

const at = (name: (typeof PREDICTION_COLUMNS)[number]) => PREDICTION_COLUMNS.indexOf(name);
const COL = {
  event_id: at('event_id'),
  timestamp: at('timestamp'),
  model: at('model'),
  version: at('version'),
  num: at('num_features'),
  cat: at('cat_features'),
  bool: at('bool_features'),
  prediction_num: at('prediction_num'),
  prediction_label: at('prediction_label'),
};

/** One line of a `rows/1` record (a predictions row as a JSON array, see prediction-row.ts). */
export function fromRowLine(line: string): LivePrediction {
  const row = JSON.parse(line) as unknown[];
  return {
    event_id: row[COL.event_id] as string,
    timestamp: row[COL.timestamp] as number,
    model: row[COL.model] as string,
    version: row[COL.version] as string,
    features: {
      ...(row[COL.num] as Record<string, number>),
      ...(row[COL.cat] as Record<string, string>),
      ...(row[COL.bool] as Record<string, boolean>),
    },
    prediction_num: row[COL.prediction_num] as number | null,
    prediction_label: row[COL.prediction_label] as string | null,
  };
}
