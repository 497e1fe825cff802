-- The Kafka consumer's ledger: per topic partition, the offset range of the chunk it is inserting
-- or has inserted. Written before an insert ('inserting') and after it ('done'), it lets a
-- restarted consumer replay exactly the interrupted chunk with the same deduplication token, so
-- nothing is lost and nothing is doubled (see ingest/src/kafka/consumer/ledger.ts).
CREATE TABLE IF NOT EXISTS ingest_ledger
(
    consumer_group  LowCardinality(String),
    topic           LowCardinality(String),
    partition       UInt32,
    first_offset    Int64,
    last_offset     Int64,
    state           Enum8('inserting' = 1, 'done' = 2),
    version         UInt64,
    updated_at      DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (consumer_group, topic, partition)
