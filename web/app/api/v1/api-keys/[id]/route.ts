import { revokeApiKey } from '@osprey/db';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Revokes the key. This process's verifier forgets it at once (in `osprey start` that includes the
 * collector); other processes' caches within 10 s. Revoking again answers the key as it is.
 */
export const DELETE = withAuth(
  'admin',
  async (_req: Request, ctx: { params: Promise<{ id: string }> }, caller) => {
    const { id } = await ctx.params;
    const { store, verifier } = runtime();
    const apiKey = await revokeApiKey(store, id);
    if (!apiKey) return Response.json({ error: `no API key with id ${id}` }, { status: 404 });
    verifier.forget(id);
    await caller.audit('api_key.revoke', id, { name: apiKey.name, scopes: apiKey.scopes });
    return Response.json(apiKey);
  },
);
