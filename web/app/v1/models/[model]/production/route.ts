import { models } from '@/lib/api/models';
import { withApiKey } from '@/lib/api/with-api-key';

export const dynamic = 'force-dynamic';

/**
 * What services poll: `{version, sha256, artifact_url, changed_at, …}` with an ETag that changes
 * with every promote or rollback; `If-None-Match` with the current one answers 304, no body.
 */
export const GET = withApiKey(
  'read',
  async (req: Request, ctx: { params: Promise<{ model: string }> }) => {
    const { model } = await ctx.params;
    const answer = await models().production(model);
    if (!answer)
      return Response.json(
        {
          error: `${model} has no production version; promote one (POST /api/v1/models/${model}/promote)`,
        },
        { status: 404 },
      );
    const headers = { etag: answer.etag, 'cache-control': 'no-cache' };
    const sent = req.headers.get('if-none-match');
    if (sent && sent.split(',').some((t) => t.trim() === answer.etag))
      return new Response(null, { status: 304, headers });
    return Response.json(answer.body, { headers });
  },
);
