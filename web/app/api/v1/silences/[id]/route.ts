import { expireSilence, getSilence } from '@osprey/detectors';
import { orAlertError } from '@/lib/api/alerts';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withAuth('viewer', async (_req: Request, ctx: Ctx) =>
  orAlertError(async () => Response.json(await getSilence(runtime().store, (await ctx.params).id))),
);

/** Expires the silence now. */
export const DELETE = withAuth('editor', async (_req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const silence = await expireSilence(runtime().store, id);
    await caller.audit('silence.expire', id, { matchers: silence.matchers });
    return Response.json(silence);
  }),
);
