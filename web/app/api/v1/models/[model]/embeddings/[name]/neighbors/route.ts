import { modelNeighbors, parseNeighborsQuery } from '@/lib/api/embedding-map';
import { badRequest } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * A logged event of the range (a point of the embedding map): its nearest logged neighbours by
 * cosine distance, with their texts and predictions, and its distance to the nearest reference
 * vector.
 */
export const GET = withAuth(
  'viewer',
  async (req: Request, ctx: { params: Promise<{ model: string; name: string }> }) => {
    const { model, name } = await ctx.params;
    const parsed = parseNeighborsQuery(Object.fromEntries(new URL(req.url).searchParams));
    if ('issues' in parsed) return badRequest(parsed.issues);
    return Response.json(await modelNeighbors(runtime().store, model, name, parsed.data));
  },
);
