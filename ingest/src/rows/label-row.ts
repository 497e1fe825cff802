import type { LabelEvent } from '../contract/label';

/** The `labels` columns a row fills, in order (see db/migrations/0002_labels.sql and prediction-row). */
export const LABEL_COLUMNS = [
  'model',
  'event_id',
  'request_id',
  'label_num',
  'label_str',
  'timestamp',
] as const;

export type LabelRow = [
  model: string,
  event_id: string | null,
  request_id: string,
  label_num: number | null,
  label_str: string | null,
  timestamp: number,
];

export function toLabelRow(label: LabelEvent & { timestamp: number }): LabelRow {
  return [
    label.model,
    label.event_id ?? null,
    label.request_id ?? '',
    typeof label.label === 'number' ? label.label : null,
    typeof label.label === 'string' ? label.label : null,
    label.timestamp,
  ];
}
