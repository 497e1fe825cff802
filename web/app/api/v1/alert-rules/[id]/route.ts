import { deleteRule, getRule, replaceRule, ruleInput } from '@osprey/detectors';
import { orAlertError } from '@/lib/api/alerts';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withAuth('viewer', async (_req: Request, ctx: Ctx) =>
  orAlertError(async () => Response.json(await getRule(runtime().store, (await ctx.params).id))),
);

/** Replaces the rule (omitted fields take their defaults). */
export const PUT = withAuth('editor', async (req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const parsed = ruleInput.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const rule = await replaceRule(runtime().store, id, parsed.data, caller.actor);
    await caller.audit('alert_rule.update', id, parsed.data);
    return Response.json(rule);
  }),
);

export const DELETE = withAuth('editor', async (_req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const rule = await deleteRule(runtime().store, id, caller.actor);
    await caller.audit('alert_rule.delete', id, { name: rule.name });
    return Response.json(rule);
  }),
);
