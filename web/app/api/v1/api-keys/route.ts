import { createApiKey, listApiKeys, scopeSchema } from '@osprey/db';
import { z } from 'zod';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

const createBody = z.strictObject({
  name: z.string({ error: 'required, a string' }).trim().min(1, 'must not be empty').max(200),
  scopes: z
    .array(scopeSchema, { error: 'required, an array of ingest, read, admin' })
    .min(1, 'needs at least one scope'),
});

/** Every key, revoked ones too: name, public prefix, scopes, dates — never a secret or hash. */
export const GET = withAuth('admin', async () => Response.json(await listApiKeys(runtime().store)));

/** Creates a key; the answer is the only time its secret (`key`) is shown. */
export const POST = withAuth('admin', async (req: Request, _ctx, caller) => {
  const parsed = createBody.safeParse(await jsonBody(req));
  if (!parsed.success) return badRequest(parsed.error.issues);
  const { key, apiKey } = await createApiKey(runtime().store, parsed.data);
  await caller.audit('api_key.create', apiKey.id, { name: apiKey.name, scopes: apiKey.scopes });
  return Response.json({ ...apiKey, key }, { status: 201 });
});
