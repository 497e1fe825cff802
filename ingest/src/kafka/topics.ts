/**
 * The Kafka contract, in one place: topic names and what their records hold.
 * - <prefix>.predictions / <prefix>.labels: key = model, value = events of the wire contract as
 *   JSON, normalized by the collector (event_id and timestamp always set): one event (an object)
 *   or several of one model (an array; the collector writes one record per model per request,
 *   which keeps the per-record cost of Kafka off the per-event path).
 * - <prefix>.deadletter: value = the original bytes; headers say where they came from and why.
 * The prefix (KAFKA_TOPIC_PREFIX, default `osprey`) lets several Osprey installations, or tests,
 * share one cluster; the ingest consumer group is `<prefix>-ingest`.
 */
export interface KafkaNames {
  predictions: string;
  labels: string;
  deadletter: string;
  ingestGroup: string;
  /** The topic an event kind travels on. */
  topicOf(kind: 'prediction' | 'label'): string;
  /** The event kind a topic carries, if it is one of ours. */
  kindOf(topic: string): 'prediction' | 'label' | undefined;
}

export function kafkaNames(prefix = 'osprey'): KafkaNames {
  const predictions = `${prefix}.predictions`;
  const labels = `${prefix}.labels`;
  return {
    predictions,
    labels,
    deadletter: `${prefix}.deadletter`,
    ingestGroup: `${prefix}-ingest`,
    topicOf: (kind) => (kind === 'prediction' ? predictions : labels),
    kindOf: (topic) =>
      topic === predictions ? 'prediction' : topic === labels ? 'label' : undefined,
  };
}

export const DEADLETTER_HEADERS = {
  reason: 'osprey-error',
  topic: 'osprey-source-topic',
  partition: 'osprey-source-partition',
  offset: 'osprey-source-offset',
  /** For a record holding several events: which one. */
  index: 'osprey-source-index',
} as const;
