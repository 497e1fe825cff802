import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaEnv, kafkaSecurity } from '@osprey/ingest';
import { Osprey } from '@osprey/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/http';
import { ensureTlsKafka, groupLag, uniquePrefix, type TlsKafka } from '../support/kafka';
import { ospreyCommand, sqlRows } from '../support/osprey-cli';
import { startOsprey, type OspreyProcess } from '../support/osprey-process';

// SDK → `osprey collector` → Kafka over SASL_SSL (SCRAM-SHA-512, certificates made by
// deploy/tls/dev-certs.sh) → `osprey ingest` → its chDB store, against the project's TLS broker.
let kafka: TlsKafka;
let prefix: string;
let collector: OspreyProcess | undefined;
let ingest: OspreyProcess | undefined;
const env = () => ({ ...kafka.env, KAFKA_TOPIC_PREFIX: prefix, KAFKA_TOPIC_PARTITIONS: '3' });

beforeAll(async () => {
  kafka = await ensureTlsKafka();
  prefix = uniquePrefix('tls');
}, 180_000);
afterAll(async () => {
  await collector?.stop();
  await ingest?.stop();
});

/** `osprey ingest` that must fail at start; returns what it printed. */
async function failedStart(
  extra: Record<string, string>,
  without?: 'KAFKA_SSL_CA_FILE',
): Promise<string> {
  const vars: Record<string, string> = { ...env(), ...extra };
  if (without) delete vars[without];
  const started = startOsprey({ args: ['ingest'], env: vars });
  const error = await started.then(
    async (p) => {
      await p.stop();
      return undefined;
    },
    (err: unknown) => err as Error,
  );
  expect(error, 'osprey ingest should have refused to start').toBeInstanceOf(Error);
  return error!.message;
}

describe('Kafka over SSL with SASL/SCRAM', () => {
  it('carries events from the SDK through SASL_SSL Kafka into the store, the password in no log', async () => {
    collector = await startOsprey({ args: ['collector'], env: { ...env(), LOG_LEVEL: 'info' } });
    ingest = await startOsprey({ args: ['ingest'], env: { ...env(), LOG_LEVEL: 'info' } });
    const client = new Osprey({
      url: collector.url,
      apiKey: collector.apiKey,
      flushIntervalMs: 50,
    });
    for (let i = 0; i < 2_000; i++)
      client.log({ model: 'tls-e2e', version: 'v1', features: { i }, prediction: i % 2 });
    await client.close(30_000);
    expect(client.stats()).toMatchObject({ sent: 2_000, dropped: 0, failed: 0, rejected: 0 });
    const security = kafkaSecurity(kafkaEnv.parse(env()));
    const topics = [`${prefix}.predictions`, `${prefix}.labels`, `${prefix}.references`];
    await eventually(
      async () => (await groupLag(kafka.broker, `${prefix}-ingest`, topics, security)) === 0,
      60_000,
      'the ingest consumer to catch up over TLS',
    );
    const status = await ospreyCommand(ingest.dataDir, ['status'], env());
    expect(status.stdout).toContain(`broker: reachable (${kafka.broker})`);
    await ingest.stop();
    expect(
      await sqlRows(
        ingest.dataDir,
        "SELECT count(), uniqExact(event_id) FROM predictions WHERE model = 'tls-e2e'",
      ),
    ).toEqual([['2000', '2000']]);
    await collector.stop();
    for (const logs of [collector.logs(), ingest.logs()]) {
      expect(logs).not.toContain(kafka.password);
      expect(logs.length).toBeGreaterThan(0);
    }
    collector = ingest = undefined;
  }, 180_000);

  it('stops at start on a wrong password with the setting named and the password not shown', async () => {
    const wrong = `wrong-${Math.random().toString(36).slice(2)}`;
    const output = await failedStart({ KAFKA_SASL_PASSWORD: wrong, LOG_LEVEL: 'info' });
    expect(output).toContain('Kafka refused the SASL login (scram-sha-512)');
    expect(output).toContain('check KAFKA_SASL_PASSWORD');
    expect(output).not.toContain(wrong);
  }, 60_000);

  it('names KAFKA_SSL_CA_FILE when the brokers’ certificate is not trusted', async () => {
    const output = await failedStart({}, 'KAFKA_SSL_CA_FILE');
    expect(output).toContain('the TLS handshake with Kafka failed');
    expect(output).toContain('KAFKA_SSL_CA_FILE');
  }, 60_000);

  it('refuses a certificate without its key before connecting', async () => {
    const output = await failedStart({ KAFKA_SSL_CERT_FILE: kafka.clientCertFile });
    expect(output).toContain('KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together');
  });

  it('talks mutual TLS with a client certificate, and the broker refuses a client without one', async () => {
    const base = {
      KAFKA_BROKERS: kafka.mtlsBroker,
      KAFKA_TOPIC_PREFIX: prefix,
      KAFKA_SSL_CA_FILE: kafka.caFile,
    };
    const dataDir = mkdtempSync(join(tmpdir(), 'osprey-tls-status-'));
    const withCert = await ospreyCommand(dataDir, ['status'], {
      ...base,
      KAFKA_SSL_CERT_FILE: kafka.clientCertFile,
      KAFKA_SSL_KEY_FILE: kafka.clientKeyFile,
    });
    expect(withCert.stdout).toContain(`broker: reachable (${kafka.mtlsBroker})`);
    const without = await ospreyCommand(dataDir, ['status'], base).catch(
      (err: { stdout: string; code: number }) => err,
    );
    expect(without.stdout).toContain('broker: UNREACHABLE');
  }, 60_000);
});
