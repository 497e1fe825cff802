/**
 * What the ClickHouse store sends with every query when the tables are Distributed over a cluster
 * (OSPREY_CLICKHOUSE_CLUSTER): an insert into a Distributed table returns once every shard has its
 * rows (an acknowledged event is stored, as on one node), and a subquery on a second Distributed
 * table (predictions ⋈ labels) runs once and is sent to the shards (GLOBAL) instead of refused.
 */
export const CLUSTER_SETTINGS = {
  distributed_foreground_insert: 1,
  distributed_product_mode: 'global',
} as const;
