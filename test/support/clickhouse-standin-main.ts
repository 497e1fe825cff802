/**
 * TEST-ONLY entry: runs the ClickHouse-HTTP stand-in (./clickhouse-standin.ts) as a process of its
 * own and prints `{"url": …}` on stdout once it listens. Not a product role.
 */
import { readFileSync } from 'node:fs';
import { startClickHouseStandin } from './clickhouse-standin';

const env = process.env;
if (!env.STANDIN_DATA_DIR) throw new Error('STANDIN_DATA_DIR is required');
const standin = await startClickHouseStandin({
  dataDir: env.STANDIN_DATA_DIR,
  port: env.STANDIN_PORT ? Number(env.STANDIN_PORT) : 0,
  tls:
    env.STANDIN_TLS_CERT && env.STANDIN_TLS_KEY
      ? { cert: readFileSync(env.STANDIN_TLS_CERT), key: readFileSync(env.STANDIN_TLS_KEY) }
      : undefined,
  auth: env.STANDIN_USER
    ? { user: env.STANDIN_USER, password: env.STANDIN_PASSWORD ?? '' }
    : undefined,
});
process.stdout.write(`${JSON.stringify({ url: standin.url })}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void standin.close().finally(() => process.exit(0));
  });
}
