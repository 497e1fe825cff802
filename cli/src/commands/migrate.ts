import { parseEnv } from '@osprey/db';
import { commandEnv } from '../env';
import { createLogger } from '../logger';
import { openKafka } from '../roles/common';
import { withStore } from './with-store';

/** `osprey migrate`: the store's migrations, and Kafka's topics when KAFKA_BROKERS is set. */
export async function migrateCommand(): Promise<void> {
  const env = parseEnv(commandEnv);
  // withStore applies the migrations; this command reports what the schema now is.
  const whileServerRuns =
    'it applied the migrations when it started; restart it to apply newer ones';
  await withStore({ migrate: true, whileServerRuns }, async (store) => {
    const rows = await store.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations FINAL ORDER BY version',
    );
    for (const r of rows) console.log(`${String(r.version).padStart(4, '0')}_${r.name}`);
    console.log(`schema is current (${rows.length} migrations, ${store.backend})`);
  });
  if (env.KAFKA_BROKERS) {
    await openKafka({ ...env, KAFKA_BROKERS: env.KAFKA_BROKERS }, createLogger(env.LOG_LEVEL));
    console.log(`kafka topics are in place on ${env.KAFKA_BROKERS.join(',')}`);
  }
}
