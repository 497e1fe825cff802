import { readPemFile } from '@osprey/db';
import type { SASLOptions } from 'kafkajs';
import type { KafkaEnv } from './config';

type SecurityEnv = Pick<
  KafkaEnv,
  | 'KAFKA_SSL'
  | 'KAFKA_SSL_CA_FILE'
  | 'KAFKA_SSL_CERT_FILE'
  | 'KAFKA_SSL_KEY_FILE'
  | 'KAFKA_SASL_MECHANISM'
  | 'KAFKA_SASL_USERNAME'
  | 'KAFKA_SASL_PASSWORD'
>;

/** What kafkajs needs to reach brokers over TLS and/or SASL; absent fields mean plaintext. */
export interface KafkaSecurity {
  ssl?: { ca?: string; cert?: string; key?: string } | true;
  sasl?: SASLOptions;
}

export class KafkaConfigError extends Error {}

/**
 * Reads the TLS files and checks the settings fit together, so a mistake stops the process at
 * start with the variable's name rather than as a handshake failure on the first send.
 */
export function kafkaSecurity(env: SecurityEnv): KafkaSecurity {
  const { KAFKA_SSL_CERT_FILE: certFile, KAFKA_SSL_KEY_FILE: keyFile } = env;
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new KafkaConfigError(
      'KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (mutual TLS): set both or neither',
    );
  const files = Boolean(env.KAFKA_SSL_CA_FILE ?? certFile);
  if (env.KAFKA_SSL === 'false' && files)
    throw new KafkaConfigError(
      'KAFKA_SSL=false but KAFKA_SSL_CA_FILE or KAFKA_SSL_CERT_FILE is set: remove one of them',
    );
  const security: KafkaSecurity = {};
  if (env.KAFKA_SSL === 'true' || files) {
    const ssl = {
      ...(env.KAFKA_SSL_CA_FILE && { ca: readPem('KAFKA_SSL_CA_FILE', env.KAFKA_SSL_CA_FILE) }),
      ...(certFile && { cert: readPem('KAFKA_SSL_CERT_FILE', certFile) }),
      ...(keyFile && { key: readPem('KAFKA_SSL_KEY_FILE', keyFile) }),
    };
    security.ssl = Object.keys(ssl).length > 0 ? ssl : true;
  }
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism) {
    if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD)
      throw new KafkaConfigError(
        `KAFKA_SASL_MECHANISM=${mechanism} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD`,
      );
    security.sasl = {
      mechanism,
      username: env.KAFKA_SASL_USERNAME,
      password: env.KAFKA_SASL_PASSWORD,
    } as SASLOptions;
  } else if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    throw new KafkaConfigError(
      'KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are set without KAFKA_SASL_MECHANISM (plain, scram-sha-256 or scram-sha-512)',
    );
  }
  return security;
}

/**
 * A failure that the broker's authentication caused, told in the settings' words: kafkajs says
 * "SASL SCRAM SHA512 authentication failed" or a TLS code, neither of which names what to change.
 * Never includes the password.
 */
export function explainKafkaError(err: unknown, security: KafkaSecurity): Error | undefined {
  const e = err as Error & { type?: string; code?: string; cause?: { code?: string } };
  const message = e?.message ?? '';
  if (security.sasl && (/SASLAuthentication/.test(e.name) || /SASL .*failed/i.test(message)))
    return new KafkaConfigError(
      `Kafka refused the SASL login (${security.sasl.mechanism}) of KAFKA_SASL_USERNAME=${(security.sasl as { username: string }).username}: check KAFKA_SASL_PASSWORD and KAFKA_SASL_MECHANISM (${message})`,
    );
  const code = e.code ?? e.cause?.code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME/.test(code))
    return new KafkaConfigError(
      `the TLS handshake with Kafka failed (${code}): check KAFKA_SSL_CA_FILE holds the CA that signed the brokers' certificates and that KAFKA_BROKERS names them as their certificates do`,
    );
  return undefined;
}

function readPem(variable: string, path: string): string {
  return readPemFile(variable, path, (message) => new KafkaConfigError(message));
}
