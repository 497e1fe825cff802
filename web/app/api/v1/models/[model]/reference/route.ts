import { loadSettings, referenceChoice, saveSettings } from '@osprey/detectors';
import { badRequest, jsonBody } from '@/lib/api/request';
import { withAuth } from '@/lib/api/with-auth';
import { runtime } from '@/server/runtime';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ model: string }> };

/** The model's reference choice (null: the default — its latest dataset, else the previous window). */
export const GET = withAuth('viewer', async (_req: Request, ctx: Ctx) => {
  const { model } = await ctx.params;
  return Response.json((await loadSettings(runtime().store, model)).reference ?? null);
});

/** Chooses what the model's windows are compared with: a dataset, a range or the previous window. */
export const PUT = withAuth('editor', async (req: Request, ctx: Ctx, caller) => {
  const { model } = await ctx.params;
  const parsed = referenceChoice.safeParse(await jsonBody(req));
  if (!parsed.success) return badRequest(parsed.error.issues);
  const { store } = runtime();
  const settings = await loadSettings(store, model);
  const saved = await saveSettings(
    store,
    model,
    { ...settings, reference: parsed.data },
    caller.actor,
  );
  await caller.audit('model.reference', model, parsed.data);
  return Response.json(saved.reference);
});
