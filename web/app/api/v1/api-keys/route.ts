import { createApiKey, listApiKeys, recordAudit, scopeSchema } from '@osprey/db';
import { z } from 'zod';
import { badRequest, withApiKey } from '@/lib/api/with-api-key';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const createBody = z.strictObject({
  name: z.string({ error: 'required, a string' }).min(1, 'must not be empty').max(200),
  scopes: z
    .array(scopeSchema, { error: 'required, an array of ingest, read, admin' })
    .min(1, 'needs at least one scope'),
});

export const GET = withApiKey('admin', async () =>
  Response.json(await listApiKeys(runtime().store)),
);

/** Creates a key; the answer is the only time its secret is shown. */
export const POST = withApiKey('admin', async (req: Request, _ctx, caller) => {
  const parsed = createBody.safeParse(await req.json().catch(() => undefined));
  if (!parsed.success) return badRequest(parsed.error.issues);
  const { store } = runtime();
  const { key, apiKey } = await createApiKey(store, parsed.data);
  await recordAudit(store, {
    actor: `api_key:${caller.id}`,
    action: 'api_key.create',
    target: apiKey.id,
    details: { name: apiKey.name, scopes: apiKey.scopes },
  });
  return Response.json({ ...apiKey, key }, { status: 201 });
});
