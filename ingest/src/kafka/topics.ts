/**
 * The Kafka contract, in one place: topic names and what their records hold.
 * - <prefix>.predictions / <prefix>.labels / <prefix>.references: key = model. Two value formats:
 *   - with header `osprey-format: rows/1` (what the collector writes): the table rows of one
 *     model's events from one request, as JSON lines, built from events the collector validated and
 *     normalized. The ingest consumer hands these bytes to ClickHouse without parsing them in
 *     JavaScript, which halves its CPU per event. Writing to these topics is therefore a trust
 *     boundary (protect it with Kafka ACLs); rows ClickHouse still refuses are dead-lettered.
 *   - without the header (other producers): events of the wire contract as JSON — one event (an
 *     object) or several (an array), each checked against the contract by the consumer; event_id
 *     and timestamp must be set.
 * - <prefix>.deadletter: value = the original bytes; headers say where they came from and why.
 * - <prefix>.work.<role> (detectors, shadow): key = model, value = `{"model","at"}`; compacted.
 *   Replicas of a role share its models through the group `<prefix>-work-<role>`: the partition a
 *   model hashes to (kafkajs' default partitioner, murmur2) belongs to one member at a time, and
 *   that member does the model's work (kafka/work/model-work.ts).
 * The prefix (KAFKA_TOPIC_PREFIX, default `osprey`) lets several Osprey installations, or tests,
 * share one cluster; the ingest consumer group is `<prefix>-ingest`.
 */
/** Roles whose replicas share the models (kafka/work/model-work.ts). */
export type WorkRole = 'detectors' | 'shadow';

export type EventKindName = 'prediction' | 'label' | 'reference';

export interface KafkaNames {
  predictions: string;
  labels: string;
  references: string;
  /** The topics events travel on: what ingest consumes. */
  eventTopics: string[];
  deadletter: string;
  ingestGroup: string;
  /** The shadow runner's live mirrors read predictions in a group of each process's own, `<this>-<uuid>`. */
  shadowGroup: string;
  /** The work topic and consumer group that share a role's models among its replicas. */
  work(role: WorkRole): { topic: string; group: string };
  /** The topic an event kind travels on. */
  topicOf(kind: EventKindName): string;
  /** The event kind a topic carries, if it is one of ours. */
  kindOf(topic: string): EventKindName | undefined;
}

export function kafkaNames(prefix = 'osprey'): KafkaNames {
  const topics: Record<EventKindName, string> = {
    prediction: `${prefix}.predictions`,
    label: `${prefix}.labels`,
    reference: `${prefix}.references`,
  };
  const byTopic = new Map(Object.entries(topics).map(([kind, t]) => [t, kind as EventKindName]));
  return {
    predictions: topics.prediction,
    labels: topics.label,
    references: topics.reference,
    eventTopics: Object.values(topics),
    deadletter: `${prefix}.deadletter`,
    ingestGroup: `${prefix}-ingest`,
    shadowGroup: `${prefix}-shadow`,
    work: (role) => ({ topic: `${prefix}.work.${role}`, group: `${prefix}-work-${role}` }),
    topicOf: (kind) => topics[kind],
    kindOf: (topic) => byTopic.get(topic),
  };
}

export const RECORD_HEADERS = {
  format: 'osprey-format',
  /** How many rows a `rows/1` record holds. */
  rows: 'osprey-rows',
} as const;
export const ROWS_FORMAT = 'rows/1';

export const DEADLETTER_HEADERS = {
  reason: 'osprey-error',
  topic: 'osprey-source-topic',
  partition: 'osprey-source-partition',
  offset: 'osprey-source-offset',
  /** For a record holding several events: which one. */
  index: 'osprey-source-index',
} as const;
