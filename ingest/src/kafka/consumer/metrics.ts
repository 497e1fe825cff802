import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function createConsumerMetrics(registry: Registry) {
  const registers = [registry];
  return {
    lag: new Gauge({
      name: 'osprey_ingest_consumer_lag',
      help: 'Records behind the end of the partition after the last batch',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    batchRows: new Histogram({
      name: 'osprey_ingest_consumer_batch_rows',
      help: 'Rows per insert from Kafka',
      labelNames: ['topic'],
      buckets: [1, 10, 100, 1_000, 5_000, 10_000, 20_000],
      registers,
    }),
    insertSeconds: new Histogram({
      name: 'osprey_ingest_consumer_insert_seconds',
      help: 'Insert latency from Kafka',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    insertErrors: new Counter({
      name: 'osprey_ingest_consumer_insert_errors_total',
      help: 'Failed insert attempts (retried with backoff)',
      labelNames: ['topic'],
      registers,
    }),
    deadlettered: new Counter({
      name: 'osprey_ingest_deadlettered_total',
      help: 'Records sent to the dead-letter topic',
      labelNames: ['topic'],
      registers,
    }),
    lastInsert: new Gauge({
      name: 'osprey_ingest_last_insert_timestamp_seconds',
      help: 'When the consumer last inserted rows',
      registers,
    }),
  };
}

export type ConsumerMetrics = ReturnType<typeof createConsumerMetrics>;
