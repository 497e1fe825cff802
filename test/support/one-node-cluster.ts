import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '@osprey/db';
import { ChdbStore } from '@osprey/db/store/chdb';
import { ClickHouseStore, type ClickHouseConfig } from '@osprey/db/store/clickhouse';

export const CLUSTER = 'osprey';

/** chDB's engine in this process, bound to `dir` as the one node of the cluster `osprey`. */
export interface OneNode {
  /** A ClickHouse store as a role opens it for the cluster, through chDB's client connection. */
  open(opts?: { cluster?: boolean }): Store;
  close(): Promise<void>;
}

/**
 * chDB configured as the one node of a one-shard cluster named `osprey` (remote_servers with
 * localhost, which the engine recognises as itself and so reads and writes without a network).
 * The stores it opens are the product's ClickHouseStore (with its cluster settings) on chDB's
 * in-process connection. chDB has no Keeper and no distributed DDL queue, so a store runs each
 * DDL statement as the node would after the queue delivered it: without ON CLUSTER, and with each
 * Replicated engine's non-replicated twin (the Keeper path and replica name dropped, the engine's
 * own arguments kept).
 */
export async function oneNodeCluster(dir: string): Promise<OneNode> {
  const configFile = join(dir, 'cluster.xml');
  writeFileSync(
    configFile,
    `<clickhouse>
  <tcp_port>9000</tcp_port>
  <remote_servers>
    <${CLUSTER}>
      <shard>
        <internal_replication>true</internal_replication>
        <replica><host>localhost</host><port>9000</port></replica>
      </shard>
    </${CLUSTER}>
  </remote_servers>
  <macros><shard>01</shard><replica>node-1</replica></macros>
</clickhouse>
`,
  );
  const path = join(dir, 'chdb');
  // The first session on a directory sets the engine's configuration for the process.
  const engine = new ChdbStore(path, { connectionArgs: [`--config-file=${configFile}`] });
  const { createChdbConnection } = await import('chdb/connection');
  // chdb types its connection against its own copy of @clickhouse/client-common's types.
  const connection = createChdbConnection({ path }) as unknown as ClickHouseConfig['connection'];
  const opened: Store[] = [];
  return {
    open: ({ cluster = true } = {}) => {
      const store = new ClickHouseStore({ connection, cluster });
      const command = store.command.bind(store);
      store.command = (sql, params) => command(asDeliveredToOneNode(sql), params);
      opened.push(store);
      return store;
    },
    close: async () => {
      for (const store of opened) await store.close();
      await engine.close();
    },
  };
}

/** What a node executes of a cluster DDL statement, minus replication (see above). */
export function asDeliveredToOneNode(sql: string): string {
  return sql
    .replaceAll(` ON CLUSTER ${CLUSTER}`, '')
    .replace(/ENGINE = Replicated(\w+)\('[^']*', '[^']*'(?:, )?/, 'ENGINE = $1(');
}
