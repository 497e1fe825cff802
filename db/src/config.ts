import { z } from 'zod';

/** Storage settings, read from the environment by every process that opens a Store. */
export const storeEnv = z.object({
  OSPREY_DATA_DIR: z.string().min(1).default('./.osprey'),
  CLICKHOUSE_URL: z.url({ error: 'must be a URL such as http://localhost:8123' }).optional(),
  /** PEM file of the CA(s) that signed an https:// CLICKHOUSE_URL's certificate. */
  CLICKHOUSE_CA_FILE: z.string().min(1).optional(),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/, 'must be a plain identifier')
    .default('default'),
  OSPREY_CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z0-9_]+$/, 'must be a plain identifier, the cluster name in remote_servers')
    .optional(),
  OSPREY_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1')
    .max(36500, 'must be at most 36500')
    .default(90),
});

export type StoreEnv = z.infer<typeof storeEnv>;

/** Parses one process's environment with its schema; fails naming every bad variable. */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
  throw new ConfigError(
    `Invalid configuration:\n${problems}\nSee .env.example for every variable.`,
  );
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
