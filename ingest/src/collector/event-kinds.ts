import { validateLabel, validatePrediction, type Validator } from '../contract';
import { toLabelRow } from '../rows/label-row';
import { toPredictionRow } from '../rows/prediction-row';
import { Tables } from '@osprey/db';

/** What the collector needs to know about each kind of event it takes. */
export interface EventKind<E = unknown> {
  name: 'prediction' | 'label';
  table: string;
  validate: Validator<E>;
  toRow(event: E, receivedAt: number): { timestamp: number };
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

export interface BatchPolicy {
  receivedAt: number;
  /** Rows older than this would be dropped by the retention TTL on arrival: refuse them instead. */
  retentionDays: number;
}

/** Validates each event; the good ones become JSON lines for the writer, the bad ones rejections. */
export function prepareBatch(
  kind: EventKind,
  items: readonly unknown[],
  unparsable: ReadonlyMap<number, string>,
  policy: BatchPolicy,
): { lines: string[]; rejected: Rejection[] } {
  const oldest = policy.receivedAt - policy.retentionDays * 86_400_000;
  const lines: string[] = [];
  const rejected: Rejection[] = [];
  for (let index = 0; index < items.length; index++) {
    const parseError = unparsable.get(index);
    if (parseError) {
      rejected.push({ index, error: parseError });
      continue;
    }
    const result = kind.validate(items[index]);
    if (!result.ok) {
      rejected.push({ index, error: result.error });
      continue;
    }
    const row = kind.toRow(result.value, policy.receivedAt);
    if (row.timestamp < oldest) {
      rejected.push({
        index,
        error: `timestamp: is older than the retention of ${policy.retentionDays} days (OSPREY_RETENTION_DAYS)`,
      });
    } else {
      lines.push(JSON.stringify(row));
    }
  }
  return { lines, rejected };
}
