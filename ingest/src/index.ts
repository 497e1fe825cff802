export { createCollector, type Collector, type CollectorDeps } from './collector/collector';
export { collectorEnv, type CollectorEnv } from './collector/config';
export { BatchWriter, BufferFullError, type BatchWriterOptions } from './writer/batch-writer';
export { toPredictionRow, type PredictionRow } from './rows/prediction-row';
export { toLabelRow, type LabelRow } from './rows/label-row';
export { DEFAULT_REFERENCE_ID } from './rows/reference-row';
export { StoreSink } from './sinks/store-sink';
export { StoreDimensionClaims, type DimensionClaims } from './embeddings/dimension-claims';
export { parseEvents } from './collector/parse-events';
export { LIMITS } from './contract/limits';
export {
  prepareBatch,
  predictionKind,
  labelKind,
  referenceKind,
  rowLine,
  EVENT_KINDS,
  type EventKind,
} from './events/event-kinds';
export { kafkaEnv, type KafkaEnv } from './kafka/config';
export {
  kafkaSecurity,
  explainKafkaError,
  KafkaConfigError,
  type KafkaSecurity,
} from './kafka/security';
export { connectKafka, ensureTopics, ReliableProducer, type KafkaConnection } from './kafka/client';
export { kafkaNames, RECORD_HEADERS, type KafkaNames, type WorkRole } from './kafka/topics';
export { startModelWork, type ModelWork, type ModelWorkOptions } from './kafka/work/model-work';
export * from './contract';
export { startIngestConsumer, type IngestConsumerOptions } from './kafka/consumer/ingest-consumer';
export { consumerLag, describeBrokers, lagOf, type PartitionLag } from './kafka/admin';
export { PredictionTap } from './live/prediction-tap';
export type { LiveFeed, LivePrediction } from './live/live-prediction';
export { KafkaLiveFeed } from './kafka/consumer/live-feed';
