import { recordAudit } from '@osprey/db';
import { createRule, listRules, ruleInput } from '@osprey/detectors';
import { actorOf, jsonBody, orAlertError } from '@/lib/api/alerts';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Every alert rule; `?model=` keeps the model's and the "*" rules. */
export const GET = withApiKey('read', async (req: Request) => {
  const model = new URL(req.url).searchParams.get('model') ?? undefined;
  return Response.json(await listRules(runtime().store, { model }));
});

/** Creates a rule (docs/alerts.md); 400 names the field that is wrong. */
export const POST = withApiKey('admin', async (req: Request, _ctx, caller) =>
  orAlertError(async () => {
    const parsed = ruleInput.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const { store } = runtime();
    const rule = await createRule(store, parsed.data, actorOf(caller));
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'alert_rule.create',
      target: rule.id,
      details: parsed.data,
    });
    return Response.json(rule, { status: 201 });
  }),
);
