/**
 * The Kafka contract, in one place: topic names and what their records hold.
 * - osprey.predictions / osprey.labels: key = model, value = one event of the wire contract as
 *   JSON, normalized by the collector (event_id and timestamp always set).
 * - osprey.deadletter: value = the original bytes; headers say where they came from and why.
 */
export const Topics = {
  predictions: 'osprey.predictions',
  labels: 'osprey.labels',
  deadletter: 'osprey.deadletter',
} as const;

export const DEADLETTER_HEADERS = {
  reason: 'osprey-error',
  topic: 'osprey-source-topic',
  partition: 'osprey-source-partition',
  offset: 'osprey-source-offset',
} as const;

export const INGEST_GROUP = 'osprey-ingest';
