-- The dimension of each (model, embedding name), fixed by its first claim (issue #18). A collector
-- that meets a name it has not cached reads the claims; with none it inserts its own and reads
-- again, and the earliest claim wins (registered_at, then the smaller dimension): every replica,
-- reading the same rows, resolves the same dimension. ingest/src/embeddings/dimension-registry.ts
-- has the rule; README.md "Embeddings and text" states it.
-- ReplacingMergeTree only so that on a cluster every node holds every claim (the small tables'
-- placement, db/src/migrate/cluster.ts); registered_at is in the key, so claims never collapse and
-- the earliest one is never replaced by a later duplicate.
CREATE TABLE IF NOT EXISTS embedding_dimensions
(
    model          LowCardinality(String),
    name           LowCardinality(String),
    dimension      UInt32,
    registered_at  DateTime64(6, 'UTC') DEFAULT now64(6)
)
ENGINE = ReplacingMergeTree
ORDER BY (model, name, registered_at, dimension)
