import { Tables } from '../tables';

/**
 * How each sharded table (every MergeTree-family table but the ReplacingMergeTree ones, and the
 * Null landing tables) spreads its rows over the shards of a ClickHouse cluster: the sharding key
 * of its Distributed table. docs/deploy.md "ClickHouse cluster" gives the reasons per table.
 *
 * Every key is a deterministic hash of the row, never rand(): a retried insert carries the same
 * insert_deduplication_token, and it is deduplicated only if each shard receives the same rows as
 * the first time. A landing table has the key of the table its view fills, because the view runs
 * on the shard where the row landed.
 */
export const SHARDING_KEYS: Readonly<Record<string, string>> = {
  // Spread evenly: a per-model time range (every detector window, every dashboard panel) is
  // scanned by all shards in parallel instead of by the one shard that would hold a hot model.
  [Tables.predictions]: 'cityHash64(event_id)',
  [Tables.predictionsLanding]: 'cityHash64(event_id)',
  // Labels join predictions by event_id or by request_id, so no key co-locates them with their
  // predictions; the join reads them with GLOBAL (distributed_product_mode = 'global').
  [Tables.labels]: 'cityHash64(model, request_id, assumeNotNull(event_id))',
  // The rollups are filled by views on the shard of their predictions; the key only places the
  // rows a backfill inserts through the Distributed table. Readers GROUP BY across shards.
  [Tables.predictions1m]: 'cityHash64(model, version, timestamp)',
  [Tables.predictions1h]: 'cityHash64(model, version, timestamp)',
  [Tables.predictionsSegments1m]: 'cityHash64(model, tag, value, version, timestamp)',
  [Tables.predictionsSegments1h]: 'cityHash64(model, tag, value, version, timestamp)',
  // One upload is read whole; its rows spread over the shards like predictions.
  [Tables.referenceRows]: 'cityHash64(model, reference_id, timestamp)',
  [Tables.referenceRowsLanding]: 'cityHash64(model, reference_id, timestamp)',
  // An event's vectors and texts spread like its prediction; a (model, name) range is scanned by
  // every shard in parallel. A reference's spread like its rows.
  [Tables.predictionEmbeddings]: 'cityHash64(event_id)',
  [Tables.predictionTexts]: 'cityHash64(event_id)',
  [Tables.referenceEmbeddings]: 'cityHash64(model, reference_id, timestamp)',
  [Tables.referenceTexts]: 'cityHash64(model, reference_id, timestamp)',
  // The detectors' history: one window's run and its results on one shard.
  [Tables.detectorRuns]: 'cityHash64(model, window_start)',
  [Tables.detectorResults]: 'cityHash64(model, window_start)',
  [Tables.alertEvents]: 'cityHash64(model, fingerprint)',
  [Tables.notifications]: 'cityHash64(delivery_id)',
  [Tables.deployments]: 'cityHash64(model)',
  [Tables.shadowResults]: 'cityHash64(run_id, event_id)',
  [Tables.shadowBatches]: 'cityHash64(run_id, batch)',
  [Tables.auditLog]: 'cityHash64(timestamp, action, target)',
};
