import { randomUUID } from 'node:crypto';
import { Tables } from '@osprey/db';
import { validateLabel, validatePrediction, validateReference, type Validator } from '../contract';
import type { ReferenceEvent } from '../contract/reference';
import { REFERENCE_COLUMNS, toReferenceRow } from '../rows/reference-row';
import type { EventKindName } from '../kafka/topics';
import type { LabelEvent } from '../contract/label';
import type { PredictionEvent } from '../contract/prediction';
import { LABEL_COLUMNS, toLabelRow } from '../rows/label-row';
import { PREDICTION_COLUMNS, toPredictionRow } from '../rows/prediction-row';

/** An event as it leaves the collector: validated, with everything the collector fills in set. */
export type Normalized<E> = E & { timestamp: number };

/** What the collector and the Kafka consumer need to know about each kind of event. */
export interface EventKind<E = unknown> {
  name: EventKindName;
  table: string;
  /**
   * Where rows are inserted: the table itself, or a Null landing table whose materialized view
   * fills it (map keys parse as String there, far cheaper; db/migrations/0030).
   */
  insertTable: string;
  validate: Validator<E>;
  /**
   * Fills event_id and timestamp once, so every copy of the event (Kafka, a retry) is the same.
   * Sets them on the validated event itself (it belongs to the request being handled): a copy per
   * event costs measurable collector CPU.
   */
  normalize(event: E, receivedAt: number): Normalized<E>;
  /** Whether the table's rows expire (OSPREY_RETENTION_DAYS): older events are then refused. */
  retained: boolean;
  /** The table's columns a row fills, in the order of `toRow`'s values. */
  columns: readonly string[];
  /** Whether a row may stop before its last columns (its vectors and texts, rows/embedding-columns). */
  trailingColumnsOptional: boolean;
  toRow(event: Normalized<E>): unknown[];
  /** Kafka key: one model's events stay in order on one partition. */
  key(event: E): string;
}

export const predictionKind: EventKind<PredictionEvent> = {
  name: 'prediction',
  table: Tables.predictions,
  insertTable: Tables.predictionsLanding,
  validate: validatePrediction,
  normalize: (e, receivedAt) => {
    e.event_id ??= randomUUID();
    e.timestamp ??= receivedAt;
    return e as Normalized<PredictionEvent>;
  },
  retained: true,
  columns: PREDICTION_COLUMNS,
  trailingColumnsOptional: true,
  toRow: (e) => toPredictionRow(e as Normalized<PredictionEvent> & { event_id: string }),
  key: (e) => e.model,
};

export const labelKind: EventKind<LabelEvent> = {
  name: 'label',
  table: Tables.labels,
  insertTable: Tables.labels,
  validate: validateLabel,
  normalize: (e, receivedAt) => {
    e.timestamp ??= receivedAt;
    return e as Normalized<LabelEvent>;
  },
  retained: true,
  columns: LABEL_COLUMNS,
  trailingColumnsOptional: false,
  toRow: (e) => toLabelRow(e),
  key: (e) => e.model,
};

/** A row as one JSON line, the form rows travel in (batch writer, Kafka, inserts). */
export function rowLine(kind: EventKind, event: Normalized<unknown>): string {
  return JSON.stringify(kind.toRow(event));
}

export const referenceKind: EventKind<ReferenceEvent> = {
  name: 'reference',
  table: Tables.referenceRows,
  insertTable: Tables.referenceRowsLanding,
  validate: validateReference,
  normalize: (e, receivedAt) => {
    e.timestamp ??= receivedAt;
    return e as Normalized<ReferenceEvent>;
  },
  retained: false,
  columns: REFERENCE_COLUMNS,
  trailingColumnsOptional: true,
  toRow: (e) => toReferenceRow(e),
  key: (e) => e.model,
};

export const EVENT_KINDS = [predictionKind, labelKind, referenceKind] as readonly EventKind[];

export interface Rejection {
  index: number;
  error: string;
}

export interface BatchPolicy {
  receivedAt: number;
  /** Rows older than this would be dropped by the retention TTL on arrival: refuse them instead. */
  retentionDays: number;
  /** How far ahead of the collector's clock a timestamp may be (OSPREY_MAX_CLOCK_SKEW), in s. */
  maxClockSkewS: number;
}

/**
 * Validates and normalizes each event; the bad ones become rejections naming index and field.
 * Beyond the contract, what depends on the moment and the batch: a timestamp past the retention or
 * too far in the future (a window that is years away would never close), and an event_id given
 * twice in one batch (the second is refused; the first is stored).
 */
export function prepareBatch(
  kind: EventKind,
  items: readonly unknown[],
  unparsable: ReadonlyMap<number, string>,
  policy: BatchPolicy,
): { events: Normalized<unknown>[]; indices: number[]; rejected: Rejection[] } {
  const oldest = policy.receivedAt - policy.retentionDays * 86_400_000;
  const latest = policy.receivedAt + policy.maxClockSkewS * 1000;
  const events: Normalized<unknown>[] = [];
  // Each event's index in the request, for answering about it after the store has it.
  const indices: number[] = [];
  const rejected: Rejection[] = [];
  let seenIds: Map<string, number> | undefined;
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
    const givenId = (result.value as { event_id?: string }).event_id;
    if (givenId !== undefined && kind.name === 'prediction') {
      seenIds ??= new Map();
      const first = seenIds.get(givenId);
      if (first !== undefined) {
        rejected.push({ index, error: `event_id: the same as event ${first}'s in this batch` });
        continue;
      }
      seenIds.set(givenId, index);
    }
    const event = kind.normalize(result.value, policy.receivedAt);
    if (kind.retained && event.timestamp < oldest) {
      rejected.push({
        index,
        error: `timestamp: is older than the retention of ${policy.retentionDays} days (OSPREY_RETENTION_DAYS)`,
      });
    } else if (event.timestamp > latest) {
      rejected.push({
        index,
        error: `timestamp: is more than ${policy.maxClockSkewS} s ahead of the collector's clock (OSPREY_MAX_CLOCK_SKEW)`,
      });
    } else {
      events.push(event);
      indices.push(index);
    }
  }
  return { events, indices, rejected };
}
