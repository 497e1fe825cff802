import { createRule, listRules, ruleInput } from '@osprey/detectors';
import { orAlertError } from '@/lib/api/alerts';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/** Every alert rule; `?model=` keeps the model's and the "*" rules. */
export const GET = withAuth('viewer', async (req: Request) => {
  const model = new URL(req.url).searchParams.get('model') ?? undefined;
  return Response.json(await listRules(runtime().store, { model }));
});

/** Creates a rule (docs/alerts.md); 400 names the field that is wrong. */
export const POST = withAuth('editor', async (req: Request, _ctx, caller) =>
  orAlertError(async () => {
    const parsed = ruleInput.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const rule = await createRule(runtime().store, parsed.data, caller.actor);
    await caller.audit('alert_rule.create', rule.id, parsed.data);
    return Response.json(rule, { status: 201 });
  }),
);
