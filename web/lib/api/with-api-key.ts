import type { ApiKey, Scope } from '@osprey/db';
import { runtime } from '@/server/runtime';

type Handler<C> = (req: Request, ctx: C, caller: ApiKey) => Promise<Response>;

/**
 * API keys only, no sessions: the wrapper of the public `/v1` endpoints that services poll (the
 * production version, artifacts). `/api/v1` handlers use `withAuth`.
 */
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
