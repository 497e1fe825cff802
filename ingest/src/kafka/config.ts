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
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().positive().default(6),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().positive().default(1),
});

export type KafkaEnv = z.infer<typeof kafkaEnv>;
