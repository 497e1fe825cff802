import type { LabelEvent } from '../contract/label';

/** A `labels` row as JSONEachRow expects it (see db/migrations/0002_labels.sql). */
export interface LabelRow {
  model: string;
  event_id: string | null;
  request_id: string;
  label_num: number | null;
  label_str: string | null;
  timestamp: number;
}

export function toLabelRow(label: LabelEvent & { timestamp: number }): LabelRow {
  return {
    model: label.model,
    event_id: label.event_id ?? null,
    request_id: label.request_id ?? '',
    label_num: typeof label.label === 'number' ? label.label : null,
    label_str: typeof label.label === 'string' ? label.label : null,
    timestamp: label.timestamp,
  };
}
