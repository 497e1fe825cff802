import { z } from 'zod';

/** The key that encrypts secrets at rest (channel signing secrets): docs/deploy.md, "TLS and secrets". */
export const secretsEnv = z.object({
  /** 32 random bytes, base64 or hex (`openssl rand -base64 32`). */
  OSPREY_SECRET_KEY: z.string().min(1).optional(),
  /** Former keys (comma-separated), read while `osprey secrets rotate` moves values to the new one. */
  OSPREY_SECRET_KEY_PREVIOUS: z.string().default(''),
});
export type SecretsEnv = z.infer<typeof secretsEnv>;
