import { validateLabel, validatePrediction, type Validator } from '../contract';
import { toLabelRow } from '../rows/label-row';
import { toPredictionRow } from '../rows/prediction-row';
import { Tables } from '@osprey/db';

/** What the collector needs to know about each kind of event it takes. */
export interface EventKind<E = unknown> {
  name: 'prediction' | 'label';
  table: string;
  validate: Validator<E>;
  toRow(event: E, receivedAt: number): object;
}

export const predictionKind: EventKind = {
  name: 'prediction',
  table: Tables.predictions,
  validate: validatePrediction,
  toRow: toPredictionRow as EventKind['toRow'],
};

export const labelKind: EventKind = {
  name: 'label',
  table: Tables.labels,
  validate: validateLabel,
  toRow: toLabelRow as EventKind['toRow'],
};

export interface Rejection {
  index: number;
  error: string;
}

/** Validates each event; the good ones become JSON lines for the writer, the bad ones rejections. */
export function prepareBatch(
  kind: EventKind,
  items: readonly unknown[],
  unparsable: ReadonlyMap<number, string>,
  receivedAt = Date.now(),
): { lines: string[]; rejected: Rejection[] } {
  const lines: string[] = [];
  const rejected: Rejection[] = [];
  for (let index = 0; index < items.length; index++) {
    const parseError = unparsable.get(index);
    if (parseError) {
      rejected.push({ index, error: parseError });
      continue;
    }
    const result = kind.validate(items[index]);
    if (result.ok) lines.push(JSON.stringify(kind.toRow(result.value, receivedAt)));
    else rejected.push({ index, error: result.error });
  }
  return { lines, rejected };
}
