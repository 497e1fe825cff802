import {
  findSession,
  recordAudit,
  roleAtLeast,
  type ApiKey,
  type Role,
  type Scope,
  type User,
} from '@osprey/db';
import { csrfRefusal } from '@/lib/auth/csrf';
import { sessionToken } from '@/lib/auth/session-cookie';
import { runtime } from '@/server/runtime';

/** Who is calling: a signed-in user, or an API key acting with the role its scopes map to. */
export type Caller = (
  { kind: 'user'; user: User; sessionToken: string } | { kind: 'api_key'; apiKey: ApiKey }
) & {
  id: string;
  role: Role;
  /** `user:<id>` or `api_key:<id>`, as audit_log rows name actors. */
  actor: string;
  /** Records the mutation in audit_log under this caller (else the wrapper records a generic row). */
  audit(action: string, target: string, details?: Record<string, unknown>): Promise<void>;
};

type Handler<C> = (req: Request, ctx: C, caller: Caller) => Promise<Response>;

export interface AuthOptions {
  /**
   * Who writes a mutation's audit_log row. `handler` (default): the handler through
   * `caller.audit`, else the wrapper a generic one. `workspace`: the owning workspace, called with
   * `caller.actor` (the registry's pushes, promotes and rollbacks, shadow runs), so the wrapper adds
   * none. `none`: a POST that changes nothing (a preview).
   */
  audit?: 'handler' | 'workspace' | 'none';
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * API keys have no editor scope: `read` acts as a viewer, `admin` as an admin, and an `ingest`-only
 * key (a service sending events) has no dashboard role at all.
 */
const scopeFor = (role: Role): Scope => (role === 'viewer' ? 'read' : 'admin');
const roleOfKey = (apiKey: ApiKey): Role => (apiKey.scopes.includes('admin') ? 'admin' : 'viewer');

const refuse = (status: 401 | 403, error: string) => Response.json({ error }, { status });

/**
 * The auth wrapper for `/api/v1` handlers used by both the dashboard and automation: a Bearer API
 * key or the session cookie, whose mutations must also pass the CSRF Origin check. Answers 401
 * when nobody is signed in, 403 when the role is too low. Every
 * successful mutation leaves one audit_log row: the handler's own through `caller.audit`, the
 * owning workspace's (`audit: 'workspace'`), or else one naming the method and path.
 */
export function withAuth<C>(
  role: Role,
  handler: Handler<C>,
  opts: AuthOptions = {},
): (req: Request, ctx: C) => Promise<Response> {
  const wrapperAudits = (opts.audit ?? 'handler') === 'handler';
  return async (req, ctx) => {
    const { store, verifier } = runtime();
    const authorization = req.headers.get('authorization');
    let identity:
      { kind: 'user'; user: User; sessionToken: string } | { kind: 'api_key'; apiKey: ApiKey };
    if (authorization) {
      const verdict = await verifier.verify(authorization, scopeFor(role));
      if (!verdict.ok) return refuse(verdict.status, verdict.error);
      identity = { kind: 'api_key', apiKey: verdict.apiKey };
    } else {
      const token = sessionToken(req);
      const session = token ? await findSession(store, token) : undefined;
      if (!token || !session) {
        return refuse(
          401,
          'not signed in: log in with POST /api/v1/auth/login, or send Authorization: Bearer <API key>',
        );
      }
      if (!SAFE_METHODS.has(req.method)) {
        const csrf = csrfRefusal(req);
        if (csrf) return refuse(403, csrf);
      }
      if (!roleAtLeast(session.user.role, role)) {
        return refuse(
          403,
          `this needs the ${role} role; ${session.user.email} is ${session.user.role}`,
        );
      }
      identity = { kind: 'user', user: session.user, sessionToken: token };
    }
    const id = identity.kind === 'user' ? identity.user.id : identity.apiKey.id;
    const actor = `${identity.kind}:${id}`;
    let audited = false;
    const caller: Caller = {
      ...identity,
      id,
      actor,
      role: identity.kind === 'user' ? identity.user.role : roleOfKey(identity.apiKey),
      async audit(action, target, details) {
        audited = true;
        await recordAudit(store, { actor, action, target, details });
      },
    };
    const res = await handler(req, ctx, caller);
    if (wrapperAudits && !SAFE_METHODS.has(req.method) && res.ok && !audited) {
      const path = new URL(req.url).pathname;
      await recordAudit(store, { actor, action: `http.${req.method.toLowerCase()}`, target: path });
    }
    return res;
  };
}
