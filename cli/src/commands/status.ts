import { parseEnv, Tables } from '@osprey/db';
import { createStore } from '@osprey/db/store';
import { connectKafka, consumerLag, describeBrokers, kafkaSecurity } from '@osprey/ingest';
import { commandEnv } from '../env';
import { createLogger } from '../logger';
import { serverHoldingStore } from './via-server';

/**
 * `osprey status`: the pipeline's health — broker reachable, the ingest group's lag per
 * partition, and the last insert (from OSPREY_INGEST_URL's /metrics when given, else the store).
 */
export async function statusCommand(): Promise<void> {
  const env = parseEnv(commandEnv);
  if (!env.KAFKA_BROKERS) {
    console.log('transport: embedded (no KAFKA_BROKERS): the collector inserts directly');
  } else {
    const conn = connectKafka({
      brokers: env.KAFKA_BROKERS,
      clientId: `${env.KAFKA_CLIENT_ID}-status`,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      security: kafkaSecurity(env),
      logger: createLogger('silent'),
    });
    try {
      console.log(`broker: reachable (${(await describeBrokers(conn)).join(', ')})`);
      const { names } = conn;
      const lags = await consumerLag(conn, names.ingestGroup, names.eventTopics);
      console.log(`group ${names.ingestGroup}: lag ${lags.reduce((n, p) => n + p.lag, 0)}`);
      console.log('topic\tpartition\tcommitted\tend\tlag');
      for (const p of lags)
        console.log(`${p.topic}\t${p.partition}\t${p.committed}\t${p.end}\t${p.lag}`);
    } catch (err) {
      console.log(
        `broker: UNREACHABLE at ${env.KAFKA_BROKERS.join(',')} (${(err as Error).message})`,
      );
      process.exitCode = 2;
    }
  }
  console.log(`last insert: ${await lastInsert(env)}`);
}

async function lastInsert(env: ReturnType<typeof parseEnv<typeof commandEnv>>): Promise<string> {
  const ingestUrl = process.env.OSPREY_INGEST_URL;
  if (ingestUrl) {
    const metrics = await (await fetch(`${ingestUrl}/metrics`)).text();
    const seconds = Number(
      /^osprey_ingest_last_insert_timestamp_seconds (\S+)/m.exec(metrics)?.[1],
    );
    return seconds > 0 ? new Date(seconds * 1000).toISOString() : 'none yet';
  }
  const server = serverHoldingStore(env);
  if (server) {
    return `not read: the running Osprey server (pid ${server.pid}, ${server.url}) holds the data directory; its dashboard shows the traffic`;
  }
  try {
    const store = await createStore(env);
    try {
      const [row] = await store.query<{ at: string | null }>(
        `SELECT if(count() = 0, NULL, toString(max(updated_at))) AS at FROM ${Tables.ingestLedger} WHERE state = 'done'`,
      );
      return row?.at ? `${row.at} UTC` : 'none yet';
    } finally {
      await store.close();
    }
  } catch (err) {
    if ((err as { code?: number }).code === 60) return 'none yet (no ingest has run on this store)';
    return `unknown (${(err as Error).message.split('\n')[0]}); with the embedded store, set OSPREY_INGEST_URL to the ingest process`;
  }
}
