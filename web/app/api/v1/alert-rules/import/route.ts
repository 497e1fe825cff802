import { recordAudit } from '@osprey/db';
import { importRules, ruleFile } from '@osprey/detectors';
import { actorOf, jsonBody, orAlertError } from '@/lib/api/alerts';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

/**
 * Applies an export file: rules matched by id, else by name, are replaced; the others created;
 * `?prune=true` deletes rules missing from the file. A bad rule fails the whole file (400).
 */
export const POST = withApiKey('admin', async (req: Request, _ctx, caller) =>
  orAlertError(async () => {
    const parsed = ruleFile.safeParse(await jsonBody(req));
    if (!parsed.success) return badRequest(parsed.error.issues);
    const prune = new URL(req.url).searchParams.get('prune') === 'true';
    const { store } = runtime();
    const result = await importRules(store, parsed.data, actorOf(caller), { prune });
    await recordAudit(store, {
      actor: actorOf(caller),
      action: 'alert_rule.import',
      target: 'alert_rules',
      details: { ...result, prune },
    });
    return Response.json(result);
  }),
);
