import { findSession, hasUsers, roleAtLeast, type Role, type User } from '@osprey/db';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE } from '@/lib/auth/session-cookie';
import { runtime } from '@/server/runtime';

/**
 * The signed-in user of a server page, or a redirect to /login (to /setup on a fresh install
 * with no user yet). Pages use the role only to hide
 * or disable what it cannot do; the API checks every mutation again.
 */
export async function signedInUser(): Promise<User> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const { store } = runtime();
  const session = token ? await findSession(store, token) : undefined;
  if (!session) redirect((await hasUsers(store)) ? '/login' : '/setup');
  return session.user;
}

/** What each role may do on the action pages (mirrors the roles the API enforces). */
export interface Abilities {
  role: Role;
  /** Rules, silences, shadow runs, promote, rollback, uploads. */
  edit: boolean;
  /** API keys, users, channels, forced promotes. */
  admin: boolean;
}

export function abilities(user: User): Abilities {
  return {
    role: user.role,
    edit: roleAtLeast(user.role, 'editor'),
    admin: roleAtLeast(user.role, 'admin'),
  };
}
