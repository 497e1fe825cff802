import { importRules, ruleFile } from '@osprey/detectors';
import { orAlertError } from '@/lib/api/alerts';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Applies an export file: rules matched by id, else by name, are replaced; the others created;
 * `?prune=true` deletes rules missing from the file. A bad rule fails the whole file (400).
 */
export const POST = withAuth('editor', async (req: Request, _ctx, caller) =>
  orAlertError(async () => {
    const parsed = ruleFile.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const prune = new URL(req.url).searchParams.get('prune') === 'true';
    const result = await importRules(runtime().store, parsed.data, caller.actor, { prune });
    await caller.audit('alert_rule.import', 'alert_rules', { ...result, prune });
    return Response.json(result);
  }),
);
