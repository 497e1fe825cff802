/**
 * The Kafka contract, in one place: topic names and what their records hold.
 * - <prefix>.predictions / <prefix>.labels: key = model, value = one event of the wire contract
 *   as JSON, normalized by the collector (event_id and timestamp always set).
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
} as const;
