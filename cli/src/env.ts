import { collectorEnv } from '@osprey/ingest';
import { storeEnv } from '@osprey/db';
import { z } from 'zod';

export const logEnv = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/** `osprey start`: everything in one process on the embedded default. */
export const startEnv = storeEnv
  .extend(collectorEnv.shape)
  .extend(logEnv.shape)
  .extend({
    OSPREY_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    OSPREY_HOST: z.string().default('0.0.0.0'),
    OSPREY_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    OSPREY_DEMO_RATE: z.coerce.number().positive().default(20),
  });

export type StartEnv = z.infer<typeof startEnv>;

/** One-shot commands (migrate, keys, sql) need only the store and logging. */
export const commandEnv = storeEnv.extend(logEnv.shape);
