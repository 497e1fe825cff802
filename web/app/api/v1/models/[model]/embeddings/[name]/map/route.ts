import { embeddingMapQuery, modelEmbeddingMap } from '@/lib/api/embedding-map';
import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Where a model's vectors of one embedding drifted over [from, to) (default the last 24 hours):
 * reference and window points on the reference's principal plane, and the density grid with the
 * cells where the window crowds or leaves the reference's regions.
 */
export const GET = withAuth(
  'viewer',
  async (req: Request, ctx: { params: Promise<{ model: string; name: string }> }) => {
    const { model, name } = await ctx.params;
    const parsed = embeddingMapQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!parsed.success) return badRequest(parsed.error.issues);
    return Response.json(await modelEmbeddingMap(runtime().store, model, name, parsed.data));
  },
);
