import {
  createSession,
  dummyPasswordHash,
  findUserForLogin,
  normalizeEmail,
  recordAudit,
  verifyPassword,
  type User,
} from '@osprey/db';
import { runtime } from '@/server/runtime';
import { AccountBackoff } from './account-backoff';
import { LoginRateLimiter } from './rate-limit';

const limiter = new LoginRateLimiter();
const accounts = new AccountBackoff();
const DEFAULT_TTL_MS = 12 * 3600 * 1000;

/**
 * Who sent a request: its address (audited), as the launcher's HTTP server computed it from the
 * socket (and from X-Forwarded-For only behind OSPREY_TRUSTED_PROXIES), and the network that
 * address is rate-limited as (an IPv6 address's /64). cli/src/server/client-address.ts sets both
 * headers on every request, replacing whatever a client sent under the names.
 */
export interface Client {
  address: string;
  network: string;
}

export function requestClient(req: Request): Client {
  const address = req.headers.get('x-osprey-client-address') || 'unknown';
  return { address, network: req.headers.get('x-osprey-client-network') || address };
}

export type LoginResult =
  | { ok: true; user: User; token: string; expiresAt: Date }
  | { ok: false; status: 401 | 429; error: string; retryAfterS?: number };

/** Checks the password (as slowly for an unknown email) and starts a session. */
export async function login(
  input: { email: string; password: string },
  client: Client,
): Promise<LoginResult> {
  const { store } = runtime();
  const email = normalizeEmail(input.email);
  const key = `${email}|${client.network}`;
  // Per address and email first, then per account whatever the address (the back-off).
  const byAddress = limiter.take(key);
  const allowed = byAddress.ok ? accounts.attempt(email) : byAddress;
  if (!allowed.ok) {
    return {
      ok: false,
      status: 429,
      error: `too many login attempts for ${email}: try again in ${allowed.retryAfterS} s`,
      retryAfterS: allowed.retryAfterS,
    };
  }
  const user = await findUserForLogin(store, email);
  const matches = await verifyPassword(
    input.password,
    user?.password_hash ?? (await dummyPasswordHash()),
  );
  if (!user || !matches) {
    await recordAudit(store, {
      actor: `email:${email}`,
      action: 'auth.login_failed',
      target: email,
      details: { ip: client.address },
    });
    return { ok: false, status: 401, error: 'wrong email or password' };
  }
  limiter.reset(key);
  accounts.succeed(email);
  const { password_hash: _hash, ...publicUser } = user;
  return {
    ok: true,
    user: publicUser,
    ...(await startSession(publicUser, 'auth.login', client.address)),
  };
}

/** A new session for `user`, recorded in the audit log as `action` (a login, or the setup). */
export async function startSession(
  user: User,
  action: string,
  ip: string,
): Promise<{ token: string; expiresAt: Date }> {
  const { store, auth } = runtime();
  const session = await createSession(store, user.id, auth?.sessionTtlMs ?? DEFAULT_TTL_MS);
  await recordAudit(store, { actor: `user:${user.id}`, action, target: user.id, details: { ip } });
  return session;
}

/** Setup attempts share login's limiter, keyed by the client's network. */
export function takeSetupAttempt(client: Client) {
  return limiter.take(`setup|${client.network}`);
}
