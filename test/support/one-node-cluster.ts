import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '@osprey/db';
import { CLUSTER_SETTINGS } from '@osprey/db/store';
import { ChdbStore } from '@osprey/db/store/chdb';

export const CLUSTER = 'osprey';

/**
 * chDB configured as the one node of a one-shard cluster named `osprey` (remote_servers with
 * localhost, which the engine recognises as itself and so reads and writes without a network),
 * with the settings the ClickHouse store sends on a cluster (chDB reads no profiles). chDB has no Keeper and no
 * distributed DDL queue, so the store runs each DDL statement as the node would after the queue
 * delivered it: without ON CLUSTER, and with each Replicated engine's non-replicated twin (the
 * Keeper path and replica name dropped, the engine's own arguments kept).
 */
export function oneNodeClusterStore(dir: string): Store {
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
  const settings = Object.entries(CLUSTER_SETTINGS).map(([name, value]) => `--${name}=${value}`);
  const store = new ChdbStore(join(dir, 'chdb'), {
    connectionArgs: [`--config-file=${configFile}`, ...settings],
  });
  const command = store.command.bind(store);
  store.command = (sql, params) => command(asDeliveredToOneNode(sql), params);
  return store;
}

/** What a node executes of a cluster DDL statement, minus replication (see above). */
export function asDeliveredToOneNode(sql: string): string {
  return sql
    .replaceAll(` ON CLUSTER ${CLUSTER}`, '')
    .replace(/ENGINE = Replicated(\w+)\('[^']*', '[^']*'(?:, )?/, 'ENGINE = $1(');
}
