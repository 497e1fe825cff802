import { z } from 'zod';
import { ConfigError } from '../config';
import { newPassword } from './password-strength';
import type { Store } from '../store/store';
import { createUser, findUserForLogin, type User } from '../queries/users';

/** Dashboard sign-in settings (the web role and `osprey start`). */
export const authEnv = z.object({
  OSPREY_ADMIN_EMAIL: z.email({ error: 'must be an email address' }).optional(),
  OSPREY_ADMIN_PASSWORD: newPassword.optional(),
  OSPREY_SESSION_TTL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1')
    .default(12 * 3600),
});
export type AuthEnv = z.infer<typeof authEnv>;

/**
 * Creates the first admin from OSPREY_ADMIN_EMAIL / OSPREY_ADMIN_PASSWORD when no user has that
 * email. Idempotent: an existing user is left as it is (a password changed in the dashboard is not
 * reset at the next start). Returns the user it created, if any.
 */
export async function ensureAdmin(store: Store, env: AuthEnv): Promise<User | undefined> {
  const { OSPREY_ADMIN_EMAIL: email, OSPREY_ADMIN_PASSWORD: password } = env;
  if (!email && !password) return undefined;
  if (!email || !password) {
    const missing = email ? 'OSPREY_ADMIN_PASSWORD' : 'OSPREY_ADMIN_EMAIL';
    throw new ConfigError(
      `Invalid configuration:\n  ${missing}: required when ${email ? 'OSPREY_ADMIN_EMAIL' : 'OSPREY_ADMIN_PASSWORD'} is set\nSee .env.example for every variable.`,
    );
  }
  if (await findUserForLogin(store, email)) return undefined;
  return createUser(store, { email, password, role: 'admin', name: 'admin' });
}
