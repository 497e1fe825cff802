import type { Scope } from '@osprey/db';
import { runtime } from '@/server/runtime';

type Handler<C> = (req: Request, ctx: C) => Promise<Response>;

/** The auth wrapper of every `/api/v1` handler: Bearer key with the scope, else 401/403. */
export function withApiKey<C>(scope: Scope, handler: Handler<C>): Handler<C> {
  return async (req, ctx) => {
    const verdict = await runtime().verifier.verify(req.headers.get('authorization') ?? undefined, scope);
    if (!verdict.ok) return Response.json({ error: verdict.error }, { status: verdict.status });
    return handler(req, ctx);
  };
}

/** A zod failure as a 400 that names the field. */
export function badRequest(issues: readonly { path: PropertyKey[]; message: string }[]): Response {
  const issue = issues[0];
  const field = issue?.path.map(String).join('.') || 'request';
  return Response.json({ error: `${field}: ${issue?.message ?? 'invalid'}` }, { status: 400 });
}
