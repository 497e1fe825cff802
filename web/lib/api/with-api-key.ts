import type { ApiKey, Scope } from '@osprey/db';
import { runtime } from '@/server/runtime';

type Handler<C> = (req: Request, ctx: C, caller: ApiKey) => Promise<Response>;

/** The auth wrapper of every `/api/v1` handler: Bearer key with the scope, else 401/403. */
export function withApiKey<C>(
  scope: Scope,
  handler: Handler<C>,
): (req: Request, ctx: C) => Promise<Response> {
  return async (req, ctx) => {
    const verdict = await runtime().verifier.verify(
      req.headers.get('authorization') ?? undefined,
      scope,
    );
    if (!verdict.ok) return Response.json({ error: verdict.error }, { status: verdict.status });
    return handler(req, ctx, verdict.apiKey);
  };
}

/** A zod failure as a 400 that names the field. */
export function badRequest(issues: readonly { path: PropertyKey[]; message: string }[]): Response {
  const issue = issues[0];
  const field = issue?.path.map(String).join('.') || 'body';
  return Response.json({ error: `${field}: ${issue?.message ?? 'invalid'}` }, { status: 400 });
}
