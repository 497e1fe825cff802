import { recordAudit } from '@osprey/db';
import { deleteRule, getRule, replaceRule, ruleInput } from '@osprey/detectors';
import { actorOf, jsonBody, orAlertError } from '@/lib/api/alerts';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export const GET = withApiKey('read', async (_req: Request, ctx: Ctx) =>
  orAlertError(async () => Response.json(await getRule(runtime().store, (await ctx.params).id))),
);

/** Replaces the rule (omitted fields take their defaults). */
export const PUT = withApiKey('admin', async (req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const parsed = ruleInput.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const rule = await replaceRule(store, id, parsed.data, actorOf(caller));
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'alert_rule.update',
      target: id,
      details: parsed.data,
    });
    return Response.json(rule);
  }),
);

export const DELETE = withApiKey('admin', async (_req: Request, ctx: Ctx, caller) =>
  orAlertError(async () => {
    const { id } = await ctx.params;
    const { store } = runtime();
    const rule = await deleteRule(store, id, actorOf(caller));
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'alert_rule.delete',
      target: id,
      details: { name: rule.name },
    });
    return Response.json(rule);
  }),
);
