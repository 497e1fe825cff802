import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { WriterMetrics } from '../writer/batch-writer';

export interface CollectorMetrics extends WriterMetrics {
  accepted: Counter<'kind'>;
  rejected: Counter<'kind'>;
  repaired: Counter<'kind'>;
  requests: Counter<'route' | 'status'>;
}

export function createCollectorMetrics(
  registry: Registry,
  bufferedRows: () => Record<string, number>,
): CollectorMetrics {
  const registers = [registry];
  const accepted = new Counter({
    name: 'osprey_ingest_events_accepted_total',
    help: 'Events validated and stored',
    labelNames: ['kind'],
    registers,
  });
  const rejected = new Counter({
    name: 'osprey_ingest_events_rejected_total',
    help: 'Events refused by validation',
    labelNames: ['kind'],
    registers,
  });
  const repaired = new Counter({
    name: 'osprey_ingest_events_repaired_total',
    help: 'Events stored with a lone UTF-16 surrogate replaced by U+FFFD',
    labelNames: ['kind'],
    registers,
  });
  const requests = new Counter({
    name: 'osprey_ingest_requests_total',
    help: 'Collector requests by route and status',
    labelNames: ['route', 'status'],
    registers,
  });
  const batchRows = new Histogram({
    name: 'osprey_writer_batch_rows',
    help: 'Rows per insert',
    labelNames: ['table'],
    buckets: [1, 10, 100, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000],
    registers,
  });
  const insertSeconds = new Histogram({
    name: 'osprey_writer_insert_seconds',
    help: 'Insert latency',
    labelNames: ['table'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const insertErrors = new Counter({
    name: 'osprey_writer_insert_errors_total',
    help: 'Failed insert attempts',
    labelNames: ['table'],
    registers,
  });
  new Gauge({
    name: 'osprey_writer_buffered_rows',
    help: 'Rows waiting for or in an insert',
    labelNames: ['table'],
    registers,
    collect() {
      for (const [table, rows] of Object.entries(bufferedRows())) this.set({ table }, rows);
    },
  });
  return {
    accepted,
    rejected,
    repaired,
    requests,
    onInsert(table, rows, seconds) {
      batchRows.observe({ table }, rows);
      insertSeconds.observe({ table }, seconds);
    },
    onInsertError(table) {
      insertErrors.inc({ table });
    },
  };
}
