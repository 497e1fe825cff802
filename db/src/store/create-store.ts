import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type StoreEnv } from '../config';
import type { Store } from './store';

/** CLICKHOUSE_URL set ⇒ a server; otherwise chDB in OSPREY_DATA_DIR. */
export async function createStore(env: StoreEnv): Promise<Store> {
  if (env.CLICKHOUSE_URL) {
    const { ClickHouseStore } = await import('./clickhouse-store');
    return new ClickHouseStore({
      url: env.CLICKHOUSE_URL,
      username: env.CLICKHOUSE_USER,
      password: env.CLICKHOUSE_PASSWORD,
      database: env.CLICKHOUSE_DATABASE,
      cluster: Boolean(env.OSPREY_CLICKHOUSE_CLUSTER),
      caCert: env.CLICKHOUSE_CA_FILE ? readCaFile(env.CLICKHOUSE_CA_FILE) : undefined,
    });
  }
  const { ChdbStore } = await import('./chdb-store').catch((err: unknown) => {
    // The slim container image (deploy/docker/Dockerfile, OSPREY_EMBEDDED=false) has no chDB.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new ConfigError(
      'this installation has no chDB (the embedded store): set CLICKHOUSE_URL to a ClickHouse server, or use the full image',
    );
  });
  return new ChdbStore(resolve(env.OSPREY_DATA_DIR, 'chdb'));
}

function readCaFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(
      `CLICKHOUSE_CA_FILE: cannot read ${path} (${(err as Error).message}); it must be the PEM of the CA that signed the ClickHouse server's certificate.`,
    );
  }
}
