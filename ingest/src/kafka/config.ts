import { z } from 'zod';

/** Kafka settings; KAFKA_BROKERS set switches the collector and `osprey start` to Kafka. */
export const kafkaEnv = z.object({
  KAFKA_BROKERS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port[,host:port…]')).min(1))
    .optional(),
  KAFKA_CLIENT_ID: z.string().default('osprey'),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1-100 characters of A-Z a-z 0-9 _ . -')
    .default('osprey'),
  /** How long the group waits for a silent (crashed) consumer before giving its partitions away. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).default(30_000),
  /** Compression of produced batches: snappy costs far less CPU than gzip for a little more disk. */
  KAFKA_COMPRESSION: z.enum(['snappy', 'gzip', 'none']).default('snappy'),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().positive().default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().positive().default(1),
  /** TLS to the brokers; on by itself when a CA, certificate or SASL mechanism is given. */
  KAFKA_SSL: z.enum(['true', 'false']).optional(),
  /** PEM bundle of the CAs that signed the brokers' certificates (default: Node's public CAs). */
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  /** Client certificate and key (PEM) for brokers that require mutual TLS; both or neither. */
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
});

export type KafkaEnv = z.infer<typeof kafkaEnv>;
