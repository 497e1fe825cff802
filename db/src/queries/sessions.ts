import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../store/store';
import { Tables } from '../tables';
import { getUser, type User } from './users';

/** Only the SHA-256 of a session token is stored: it is 256-bit random, a slow hash adds nothing. */
const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface Session {
  user: User;
  expires_at: string;
}

/** Starts a session; the token (for the cookie) is returned once and never stored. */
export async function createSession(
  store: Store,
  userId: string,
  ttlMs: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const now = Date.now();
  const expiresAt = new Date(now + ttlMs);
  await store.insert(Tables.sessions, [
    {
      id: tokenHash(token),
      user_id: userId,
      created_at: now,
      expires_at: expiresAt.getTime(),
      revoked_at: null,
      updated_at: now,
    },
  ]);
  return { token, expiresAt };
}

// Aliases differ from the column names: ClickHouse would put an alias in place of the column
// everywhere in the query, WHERE included.
const sessionRow = z.object({
  user_id: z.string(),
  created_ms: z.coerce.number(),
  expires_ms: z.coerce.number(),
});

/** The live session for a token with its (current) user: none once expired, revoked or deleted. */
export async function findSession(store: Store, token: string): Promise<Session | undefined> {
  const rows = await store.query(
    `SELECT toString(user_id) AS user_id, toUnixTimestamp64Milli(created_at) AS created_ms,
            toUnixTimestamp64Milli(expires_at) AS expires_ms
     FROM ${Tables.sessions} FINAL
     WHERE id = {id:String} AND revoked_at IS NULL AND expires_at > now64(3) LIMIT 1`,
    { id: tokenHash(token) },
  );
  if (!rows[0]) return undefined;
  const row = sessionRow.parse(rows[0]);
  const user = await getUser(store, row.user_id);
  return user && { user, expires_at: new Date(row.expires_ms).toISOString() };
}

async function revokeWhere(store: Store, where: string, params: Record<string, string>) {
  const rows = await store.query(
    `SELECT id, toString(user_id) AS user_id, toUnixTimestamp64Milli(created_at) AS created_ms,
            toUnixTimestamp64Milli(expires_at) AS expires_ms
     FROM ${Tables.sessions} FINAL
     WHERE ${where} AND revoked_at IS NULL AND expires_at > now64(3)`,
    params,
  );
  if (rows.length === 0) return;
  const now = Date.now();
  await store.insert(
    Tables.sessions,
    rows.map((r) => {
      const row = sessionRow.parse(r);
      return {
        id: (r as { id: string }).id,
        user_id: row.user_id,
        created_at: row.created_ms,
        expires_at: row.expires_ms,
        revoked_at: now,
        updated_at: now,
      };
    }),
  );
}

/** Logout: the token stops working at once. */
export function revokeSession(store: Store, token: string): Promise<void> {
  return revokeWhere(store, 'id = {id:String}', { id: tokenHash(token) });
}

/** Every session of a user (after a password change or deletion). */
export function revokeUserSessions(store: Store, userId: string): Promise<void> {
  return revokeWhere(store, 'toString(user_id) = {user:String}', { user: userId });
}
